"""The super admin JSON API for content and settings: partners, emergency alerts, fees, allocation, withdrawals."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...models import EmergencyAlert, Partner, Role
from ...security import require_roles
from ...services import alerts, settings
from ...services.errors import ValidationFailed
from ..web import iso, json_body, only, page_json

FEE_FIELDS = ("member_fee_kobo", "cooperative_fee_kobo")
WITHDRAWAL_FIELDS = tuple(role.value for role in settings.WITHDRAWAL_ROLES)


def partner_json(partner: Partner) -> dict:
    """Return a partner as JSON."""
    return {
        "id": partner.id,
        "name": partner.name,
        "logo_url": partner.logo_url,
        "website": partner.website,
        "description": partner.description,
        "is_active": partner.is_active,
        "created_at": iso(partner.created_at),
    }


def alert_json(alert: EmergencyAlert) -> dict:
    """Return an emergency alert as JSON."""
    return {
        "id": alert.id,
        "title": alert.title,
        "message": alert.message,
        "severity": alert.severity.value,
        "is_active": alert.is_active,
        "created_at": iso(alert.created_at),
        "deactivated_at": iso(alert.deactivated_at),
    }


def settings_json(current: settings.Settings) -> dict:
    """Return every setting: fees in kobo, allocation in basis points, withdrawals per role."""
    return {
        "member_fee_kobo": current.member_fee_kobo,
        "cooperative_fee_kobo": current.cooperative_fee_kobo,
        "allocation": dict(current.allocation_bp),
        "withdrawals": dict(current.withdrawals_enabled),
        "loan_interest_bp": current.loan_interest_bp,
    }


admin = Blueprint("api_admin_content", __name__, url_prefix="/api/admin")
admin.before_request(require_roles({Role.SUPER_ADMIN}))
signed_in = Blueprint("api_alerts", __name__, url_prefix="/api/admin")
signed_in.before_request(require_roles(set(Role)))


@admin.get("/partners")
def list_partners():
    """List partners (active and hidden) with search, sorting and paging."""
    return jsonify(page_json(alerts.list_partners(request.args), partner_json))


@admin.post("/partners")
def create_partner():
    """Add a partner to the home page."""
    return jsonify(partner_json(alerts.create_partner(json_body(), actor_id=current_user.id))), 201


@admin.patch("/partners/<id:partner_id>")
def update_partner(partner_id: int):
    """Change a partner."""
    return jsonify(partner_json(alerts.update_partner(partner_id, json_body(), actor_id=current_user.id)))


@admin.delete("/partners/<id:partner_id>")
def delete_partner(partner_id: int):
    """Remove a partner."""
    alerts.delete_partner(partner_id, actor_id=current_user.id)
    return jsonify({"id": partner_id, "deleted": True})


@signed_in.get("/emergency-alert")
def active_alerts():
    """Return the active emergency alerts, newest first (any signed-in user)."""
    return jsonify({"items": [alert_json(alert) for alert in alerts.active_alerts()]})


@admin.post("/emergency-alert")
def raise_alert():
    """Raise an alert on every dashboard, replacing the active one."""
    data = only(json_body(), ("title", "message", "severity"), strict=True)
    return jsonify(alert_json(alerts.raise_alert(data, actor_id=current_user.id))), 201


@admin.patch("/emergency-alert")
def deactivate_alert():
    """Take an active alert down (body {id})."""
    alert_id = only(json_body(), ("id",), strict=True).get("id")
    if not isinstance(alert_id, int) or isinstance(alert_id, bool):
        raise ValidationFailed("Name the alert to take down.", {"id": "must be an alert id (a JSON integer)"})
    return jsonify(alert_json(alerts.deactivate_alert(alert_id, actor_id=current_user.id)))


@admin.get("/settings")
def get_settings():
    """Return every setting."""
    return jsonify(settings_json(settings.get_settings()))


@admin.put("/settings/fees")
def put_fees():
    """Change the member and/or cooperative registration fee (integer kobo)."""
    return jsonify(
        settings_json(settings.update_fees(only(json_body(), FEE_FIELDS, strict=True), actor_id=current_user.id))
    )


@admin.put("/settings/allocation")
def put_allocation():
    """Change the registration-fee split (basis points totalling 10000)."""
    data = only(json_body(), settings.ALLOCATION_FIELDS, strict=True)
    return jsonify(settings_json(settings.update_allocation(data, actor_id=current_user.id)))


@admin.put("/settings/withdrawals")
def put_withdrawals():
    """Enable or disable withdrawals for members and leaders."""
    data = only(json_body(), WITHDRAWAL_FIELDS, strict=True)
    return jsonify(settings_json(settings.update_withdrawals(data, actor_id=current_user.id)))


@admin.put("/settings/loans")
def put_loans():
    """Change the flat loan interest {loan_interest_bp} (applies to new applications)."""
    data = only(json_body(), ("loan_interest_bp",), strict=True)
    return jsonify(settings_json(settings.update_loans(data, actor_id=current_user.id)))


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints: super admin writes and the signed-in alert list."""
    return [admin, signed_in]
