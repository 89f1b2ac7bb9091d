"""Super admin content page: raise, replace or take down the emergency alert; list, add, edit, delete partners."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import Severity
from ...services import alerts
from ...services.errors import ServiceError
from ..web import Outcome, refusal

PARTNER_TEXT_FIELDS = ("name", "website", "logo_url", "description")


def content_page(outcome: Outcome | None = None):
    """Show the active alert with the raise/replace form, and the partners with their forms."""
    outcome = outcome or Outcome()
    context = {
        "page_title": "Content",
        "alert": alerts.active_alert(),
        "severity_options": [(severity.value, severity.label) for severity in Severity],
        "partners": alerts.all_partners(),
        **outcome.context(),
    }
    return render_template("super_admin/content.html", **context), outcome.status


def back_to_content(message: str):
    """Flash a success and go back to the content page."""
    flash(message, "success")
    return redirect(url_for("super_admin.people_content"), 303)


def raise_alert():
    """Raise an emergency alert on every dashboard (replacing the active one)."""
    data = {name: request.form.get(name, "") for name in ("title", "message", "severity")}
    try:
        alert = alerts.raise_alert(data, actor_id=current_user.id)
    except ServiceError as exc:
        return content_page(refusal(exc, form_id="alert"))
    return back_to_content(f"Alert “{alert.title}” is now shown on every dashboard.")


def deactivate_alert(alert_id: int):
    """Take an alert down from every dashboard."""
    try:
        alert = alerts.deactivate_alert(alert_id, actor_id=current_user.id)
    except ServiceError as exc:
        return content_page(refusal(exc))
    return back_to_content(f"Alert “{alert.title}” taken down.")


def partner_data() -> dict:
    """Return the partner fields of the form (an unticked "shown" box means hidden)."""
    data = {name: request.form.get(name, "") for name in PARTNER_TEXT_FIELDS}
    data["is_active"] = request.form.get("is_active") == "on"
    return data


def create_partner():
    """Add a partner to the home page."""
    try:
        partner = alerts.create_partner(partner_data(), actor_id=current_user.id)
    except ServiceError as exc:
        return content_page(refusal(exc, form_id="new-partner"))
    return back_to_content(f"Partner “{partner.name}” added.")


def update_partner(partner_id: int):
    """Save a partner's edit form."""
    try:
        partner = alerts.update_partner(partner_id, partner_data(), actor_id=current_user.id)
    except ServiceError as exc:
        return content_page(refusal(exc, form_id=f"partner-{partner_id}"))
    return back_to_content(f"Partner “{partner.name}” saved.")


def delete_partner(partner_id: int):
    """Remove a partner after the confirm step."""
    try:
        alerts.delete_partner(partner_id, actor_id=current_user.id)
    except ServiceError as exc:
        return content_page(refusal(exc))
    return back_to_content("Partner removed.")


def register(bp: Blueprint) -> None:
    """Add the content page and its forms."""
    bp.add_url_rule("/content", "people_content", content_page, methods=["GET"])
    bp.add_url_rule("/content/alert", "people_raise_alert", raise_alert, methods=["POST"])
    bp.add_url_rule(
        "/content/alert/<id:alert_id>/deactivate", "people_deactivate_alert", deactivate_alert, methods=["POST"]
    )
    bp.add_url_rule("/content/partners", "people_create_partner", create_partner, methods=["POST"])
    bp.add_url_rule("/content/partners/<id:partner_id>", "people_update_partner", update_partner, methods=["POST"])
    bp.add_url_rule(
        "/content/partners/<id:partner_id>/delete", "people_delete_partner", delete_partner, methods=["POST"]
    )
