"""Super admin cooperative pages: list with member counts and leaders, create, edit, (de)activate, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...services import cooperatives, records_search
from ...services.errors import ServiceError
from ...services.fields import id_from_text
from ..web import Outcome, refusal

LIST_PAGE = "super_admin.records_cooperatives"
EDIT_PAGE = "super_admin.records_cooperative"
NEW_FORM, EDIT_FORM = "new-cooperative", "cooperative"


def cooperatives_page(outcome: Outcome | None = None):
    """Render the cooperative list for the query string's arguments (with the create form's outcome)."""
    outcome = outcome or Outcome()
    page = cooperatives.list_cooperatives(request.args)
    html = render_template(
        "super_admin/cooperatives.html",
        page=page,
        params=page.query,
        filters=page.filters,
        orgs=records_search.all_parent_organizations(),
        form_id=NEW_FORM,
        **outcome.context(),
    )
    return html, outcome.status


def cooperative_page(coop_id: int, outcome: Outcome | None = None):
    """Render one cooperative's edit page (with a form's outcome)."""
    coop = cooperatives.get_cooperative(coop_id)
    current = {name: getattr(coop, name) or "" for name in cooperatives.FIELDS}
    row = cooperatives.rows_of([coop])[0]
    outcome = outcome or Outcome(values=current, form_id=EDIT_FORM)
    html = render_template(
        "super_admin/cooperative_edit.html",
        coop=coop,
        member_count=row.member_count,
        leader=row.leader,
        candidates=cooperatives.leader_candidates(coop.id),
        orgs=records_search.all_parent_organizations(),
        form_id=EDIT_FORM,
        **outcome.context(),
    )
    return html, outcome.status


def cooperative_data(form) -> dict:
    """Turn the cooperative form into the service's fields (the parent organization id as a number)."""
    data: dict = {name: form.get(name) for name in cooperatives.FIELDS}
    data["parent_organization_id"] = id_from_text(form.get("parent_organization_id"))
    return data


def records_cooperatives():
    """Show cooperatives with search, filters, sortable columns, paging and the create form."""
    return cooperatives_page()


def records_create_cooperative():
    """Create a cooperative from the form (no registration fee)."""
    try:
        coop = cooperatives.create_cooperative(cooperative_data(request.form), actor_id=current_user.id)
    except ServiceError as exc:
        return cooperatives_page(refusal(exc, form_id=NEW_FORM))
    flash(f"Cooperative {coop.name} ({coop.registration_number}) created.", "success")
    return redirect(url_for(LIST_PAGE), 303)


def records_cooperative(coop_id: int):
    """Show one cooperative's edit page with activation and delete controls."""
    return cooperative_page(coop_id)


def records_update_cooperative(coop_id: int):
    """Save every field of the cooperative from the edit form."""
    try:
        coop = cooperatives.update_cooperative(coop_id, cooperative_data(request.form), actor_id=current_user.id)
    except ServiceError as exc:
        return cooperative_page(coop_id, refusal(exc, form_id=EDIT_FORM))
    flash(f"Cooperative {coop.name} saved.", "success")
    return redirect(url_for(EDIT_PAGE, coop_id=coop.id), 303)


def records_cooperative_active(coop_id: int):
    """Activate (active=1) or deactivate (active=0) the cooperative after the confirm step."""
    active = request.form.get("active") == "1"
    coop = cooperatives.set_active(coop_id, active, actor_id=current_user.id)
    flash(f"Cooperative {coop.name} is now {'active' if coop.is_active else 'inactive'}.", "success")
    return redirect(url_for(EDIT_PAGE, coop_id=coop.id), 303)


def records_delete_cooperative(coop_id: int):
    """Delete the cooperative after the confirm step; one with members or money is refused (409)."""
    try:
        cooperatives.delete_cooperative(coop_id, actor_id=current_user.id)
    except ServiceError as exc:
        current = cooperatives.get_cooperative(coop_id)
        values = {name: getattr(current, name) or "" for name in cooperatives.FIELDS}
        return cooperative_page(coop_id, Outcome(error=exc, values=values, form_id=EDIT_FORM))
    flash("Cooperative deleted.", "success")
    return redirect(url_for(LIST_PAGE), 303)


def records_cooperative_leader(coop_id: int):
    """Make the chosen member the cooperative's leader (the previous leader becomes a member)."""
    try:
        user = cooperatives.change_leader(coop_id, id_from_text(request.form.get("user_id")), actor_id=current_user.id)
    except ServiceError as exc:
        current = cooperatives.get_cooperative(coop_id)
        values = {name: getattr(current, name) or "" for name in cooperatives.FIELDS}
        return cooperative_page(coop_id, Outcome(error=exc, values=values, form_id=EDIT_FORM))
    flash(f"{user.full_name} now leads the cooperative.", "success")
    return redirect(url_for(EDIT_PAGE, coop_id=coop_id), 303)


def register(bp: Blueprint) -> None:
    """Add the cooperative pages and their forms to the super admin blueprint."""
    bp.add_url_rule("/cooperatives", view_func=records_cooperatives, methods=["GET"])
    bp.add_url_rule("/cooperatives", view_func=records_create_cooperative, methods=["POST"])
    bp.add_url_rule("/cooperatives/<id:coop_id>", view_func=records_cooperative, methods=["GET"])
    bp.add_url_rule("/cooperatives/<id:coop_id>", view_func=records_update_cooperative, methods=["POST"])
    bp.add_url_rule("/cooperatives/<id:coop_id>/active", view_func=records_cooperative_active, methods=["POST"])
    bp.add_url_rule("/cooperatives/<id:coop_id>/delete", view_func=records_delete_cooperative, methods=["POST"])
    bp.add_url_rule("/cooperatives/<id:coop_id>/leader", view_func=records_cooperative_leader, methods=["POST"])
