"""The apex JSON API: move any loan along its state machine, and the member registration fee (APEX, SUPER_ADMIN)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from ...models import Role
from ...security import require_roles
from ...services import loans, settings
from ..shapes import loan_json
from ..web import current_actor, json_body, only

apex = Blueprint("api_apex_loans", __name__, url_prefix="/api/apex")
apex.before_request(require_roles({Role.APEX}))

fee_setters = Blueprint("api_member_fee", __name__, url_prefix="/api/settings")
fee_setters.before_request(require_roles({Role.APEX, Role.SUPER_ADMIN}))


@apex.patch("/loans/<id:loan_id>")
def apex_decide(loan_id: int):
    """Approve, reject or mark as disbursed (ACTIVE) any cooperative's loan."""
    data = json_body()
    return jsonify(
        loan_json(loans.decide_loan(loan_id, data.get("status"), actor=current_actor(), notes=data.get("notes")))
    )


@fee_setters.get("/member-registration-fee")
def get_member_fee():
    """Return the member registration fee."""
    return jsonify({"member_fee_kobo": settings.get_settings().member_fee_kobo})


@fee_setters.put("/member-registration-fee")
def put_member_fee():
    """Change the member registration fee (APEX and SUPER_ADMIN)."""
    data = only(json_body(), ("member_fee_kobo",), strict=True)
    current = settings.update_fees(data, actor_id=current_user.id, only=("member_fee_kobo",))
    return jsonify({"member_fee_kobo": current.member_fee_kobo})


def blueprints() -> list[Blueprint]:
    """Return the apex loan and member-fee blueprints."""
    return [apex, fee_setters]
