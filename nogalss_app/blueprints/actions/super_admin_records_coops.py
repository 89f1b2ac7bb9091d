"""Super admin cooperative pages: list with member counts and leaders, create, edit, (de)activate, delete."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...services import cooperatives, records_search
from ...services.errors import ServiceError

LIST_PAGE = "super_admin.records_cooperatives"
EDIT_PAGE = "super_admin.records_cooperative"


def cooperatives_page(*, form_values=None, error: ServiceError | None = None):
    """Render the cooperative list for the query string's arguments (with the create form's refusal, if any)."""
    page = cooperatives.list_cooperatives(request.args)
    html = render_template(
        "super_admin/records/cooperatives.html",
        page=page,
        params=page.query,
        filters=page.filters,
        orgs=records_search.all_parent_organizations(),
        form_values=form_values or {},
        field_errors=error.fields if error else {},
        form_error=error.message if error else None,
    )
    return html, error.status if error else 200


def cooperative_page(coop_id: int, *, form_values=None, error: ServiceError | None = None):
    """Render one cooperative's edit page (with a refusal, if any)."""
    coop = cooperatives.get_cooperative(coop_id)
    current = {name: getattr(coop, name) or "" for name in cooperatives.FIELDS}
    row = cooperatives.rows_of([coop])[0]
    html = render_template(
        "super_admin/records/cooperative_edit.html",
        coop=coop,
        member_count=row.member_count,
        leader=row.leader,
        orgs=records_search.all_parent_organizations(),
        form_values=form_values if form_values is not None else current,
        field_errors=error.fields if error else {},
        form_error=error.message if error else None,
    )
    return html, error.status if error else 200


def cooperative_data(form) -> dict:
    """Turn the cooperative form into the service's fields (the parent organization id as a number)."""
    data: dict = {name: form.get(name) for name in cooperatives.FIELDS}
    raw_org = (form.get("parent_organization_id") or "").strip()
    number = raw_org.isascii() and raw_org.isdigit() and len(raw_org) < 11
    data["parent_organization_id"] = int(raw_org) if number else None
    return data


def register(bp: Blueprint) -> None:
    """Add the cooperative pages and their forms to the super admin blueprint."""

    @bp.get("/cooperatives")
    def records_cooperatives():
        """Show cooperatives with search, filters, sortable columns, paging and the create form."""
        return cooperatives_page()

    @bp.post("/cooperatives")
    def records_create_cooperative():
        """Create a cooperative from the form (no registration fee)."""
        try:
            coop = cooperatives.create_cooperative(cooperative_data(request.form), actor_id=current_user.id)
        except ServiceError as exc:
            return cooperatives_page(form_values=request.form, error=exc)
        flash(f"Cooperative {coop.name} ({coop.registration_number}) created.", "success")
        return redirect(url_for(LIST_PAGE), 303)

    @bp.get("/cooperatives/<int:coop_id>")
    def records_cooperative(coop_id: int):
        """Show one cooperative's edit page with activation and delete controls."""
        return cooperative_page(coop_id)

    @bp.post("/cooperatives/<int:coop_id>")
    def records_update_cooperative(coop_id: int):
        """Save every field of the cooperative from the edit form."""
        try:
            coop = cooperatives.update_cooperative(coop_id, cooperative_data(request.form), actor_id=current_user.id)
        except ServiceError as exc:
            return cooperative_page(coop_id, form_values=request.form, error=exc)
        flash(f"Cooperative {coop.name} saved.", "success")
        return redirect(url_for(EDIT_PAGE, coop_id=coop.id), 303)

    @bp.post("/cooperatives/<int:coop_id>/active")
    def records_cooperative_active(coop_id: int):
        """Activate (active=1) or deactivate (active=0) the cooperative after the confirm step."""
        active = request.form.get("active") == "1"
        coop = cooperatives.set_active(coop_id, active, actor_id=current_user.id)
        flash(f"Cooperative {coop.name} is now {'active' if coop.is_active else 'inactive'}.", "success")
        return redirect(url_for(EDIT_PAGE, coop_id=coop.id), 303)

    @bp.post("/cooperatives/<int:coop_id>/delete")
    def records_delete_cooperative(coop_id: int):
        """Delete the cooperative after the confirm step; one with members or money is refused (409)."""
        try:
            cooperatives.delete_cooperative(coop_id, actor_id=current_user.id)
        except ServiceError as exc:
            return cooperative_page(coop_id, error=exc)
        flash("Cooperative deleted.", "success")
        return redirect(url_for(LIST_PAGE), 303)
