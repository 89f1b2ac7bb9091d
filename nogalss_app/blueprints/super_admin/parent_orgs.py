"""Super admin parent organization pages: list with cooperative counts, create, edit, (de)activate, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...services import parent_organizations
from ...services.errors import ServiceError
from ..web import Outcome, refusal

LIST_PAGE = "super_admin.records_parent_organizations"
EDIT_PAGE = "super_admin.records_parent_organization"
NEW_FORM, EDIT_FORM = "new-organization", "organization"
TEXT = ("name", "registration_number", "email", "phone", "address")


def organizations_page(outcome: Outcome | None = None):
    """Render the organization list for the query string's arguments (with the create form's outcome)."""
    outcome = outcome or Outcome()
    page = parent_organizations.list_organizations(request.args)
    html = render_template(
        "super_admin/parent_organizations.html", page=page, params=page.query, form_id=NEW_FORM, **outcome.context()
    )
    return html, outcome.status


def organization_page(org_id: int, outcome: Outcome | None = None):
    """Render one organization's edit page (with a form's outcome)."""
    org = parent_organizations.get_organization(org_id)
    row = parent_organizations.rows_of([org])[0]
    current = {name: getattr(org, name) or "" for name in TEXT}
    outcome = outcome or Outcome(values=current, form_id=EDIT_FORM)
    html = render_template(
        "super_admin/parent_organization_edit.html",
        org=org,
        cooperative_count=row.cooperative_count,
        form_id=EDIT_FORM,
        **outcome.context(),
    )
    return html, outcome.status


def organization_data(form) -> dict:
    """Turn the organization form into the service's fields."""
    return {name: form.get(name) for name in TEXT}


def records_parent_organizations():
    """Show parent organizations with search, sortable columns, paging and the create form."""
    return organizations_page()


def records_create_parent_organization():
    """Create a parent organization from the form."""
    try:
        org = parent_organizations.create_organization(organization_data(request.form), actor_id=current_user.id)
    except ServiceError as exc:
        return organizations_page(refusal(exc, form_id=NEW_FORM))
    flash(f"Parent organization {org.name} created.", "success")
    return redirect(url_for(LIST_PAGE), 303)


def records_parent_organization(org_id: int):
    """Show one organization's edit page with activation and delete controls."""
    return organization_page(org_id)


def records_update_parent_organization(org_id: int):
    """Save the organization's fields from the edit form (its activation is kept)."""
    try:
        org = parent_organizations.update_organization(
            org_id, organization_data(request.form), actor_id=current_user.id, partial=True
        )
    except ServiceError as exc:
        return organization_page(org_id, refusal(exc, form_id=EDIT_FORM))
    flash(f"Parent organization {org.name} saved.", "success")
    return redirect(url_for(EDIT_PAGE, org_id=org.id), 303)


def records_parent_organization_active(org_id: int):
    """Activate (active=1) or deactivate (active=0) the organization after the confirm step."""
    active = request.form.get("active") == "1"
    org = parent_organizations.update_organization(
        org_id, {"is_active": active}, actor_id=current_user.id, partial=True
    )
    flash(f"Parent organization {org.name} is now {'active' if org.is_active else 'inactive'}.", "success")
    return redirect(url_for(EDIT_PAGE, org_id=org.id), 303)


def records_delete_parent_organization(org_id: int):
    """Delete the organization after the confirm step; one with cooperatives is refused (409)."""
    try:
        parent_organizations.delete_organization(org_id, actor_id=current_user.id)
    except ServiceError as exc:
        org = parent_organizations.get_organization(org_id)
        values = {name: getattr(org, name) or "" for name in TEXT}
        return organization_page(org_id, Outcome(error=exc, values=values, form_id=EDIT_FORM))
    flash("Parent organization deleted.", "success")
    return redirect(url_for(LIST_PAGE), 303)


def register(bp: Blueprint) -> None:
    """Add the parent organization pages and their forms to the super admin blueprint."""
    one = "/parent-organizations/<id:org_id>"
    bp.add_url_rule("/parent-organizations", view_func=records_parent_organizations, methods=["GET"])
    bp.add_url_rule("/parent-organizations", view_func=records_create_parent_organization, methods=["POST"])
    bp.add_url_rule(one, view_func=records_parent_organization, methods=["GET"])
    bp.add_url_rule(one, view_func=records_update_parent_organization, methods=["POST"])
    bp.add_url_rule(f"{one}/active", view_func=records_parent_organization_active, methods=["POST"])
    bp.add_url_rule(f"{one}/delete", view_func=records_delete_parent_organization, methods=["POST"])
