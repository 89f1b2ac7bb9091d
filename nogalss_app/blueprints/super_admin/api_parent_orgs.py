"""API area (super admin records): parent organizations — list, create, read, edit, delete while unused."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...services import parent_organizations
from ..web import iso, json_body, page_json


def organization_json(row: parent_organizations.OrganizationRow) -> dict:
    """Return a parent organization as JSON, with its number of cooperatives."""
    org = row.org
    return {
        "id": org.id,
        **{name: getattr(org, name) for name in parent_organizations.FIELDS},
        "cooperative_count": row.cooperative_count,
        "created_at": iso(org.created_at),
    }


def _one(org) -> dict:
    """Return one organization as JSON with its count."""
    return organization_json(parent_organizations.rows_of([org])[0])


def list_organizations():
    """List parent organizations: search q (name, registration number), sort and paging."""
    return jsonify(page_json(parent_organizations.list_organizations(request.args), organization_json))


def create_organization():
    """Create a parent organization (`registration_number` unique, 409 on a duplicate); 201."""
    org = parent_organizations.create_organization(json_body(), actor_id=current_user.id)
    return jsonify(_one(org)), 201


def get_organization(org_id: int):
    """Return one parent organization."""
    return jsonify(_one(parent_organizations.get_organization(org_id)))


def replace_organization(org_id: int):
    """Replace every field of a parent organization; an `is_active` field (de)activates it."""
    org = parent_organizations.update_organization(org_id, json_body(), actor_id=current_user.id)
    return jsonify(_one(org))


def change_organization(org_id: int):
    """Change only the fields sent of a parent organization."""
    org = parent_organizations.update_organization(org_id, json_body(), actor_id=current_user.id, partial=True)
    return jsonify(_one(org))


def delete_organization(org_id: int):
    """Delete a parent organization no cooperative names (409 "deactivate instead" otherwise); 204."""
    parent_organizations.delete_organization(org_id, actor_id=current_user.id)
    return "", 204


def register(bp: Blueprint) -> None:
    """Add the parent organization routes to the super admin records blueprint."""
    path = "/parent-organizations/<id:org_id>"
    bp.add_url_rule("/parent-organizations", view_func=list_organizations, methods=["GET"])
    bp.add_url_rule("/parent-organizations", view_func=create_organization, methods=["POST"])
    bp.add_url_rule(path, view_func=get_organization, methods=["GET"])
    bp.add_url_rule(path, view_func=replace_organization, methods=["PUT"])
    bp.add_url_rule(path, view_func=change_organization, methods=["PATCH"])
    bp.add_url_rule(path, view_func=delete_organization, methods=["DELETE"])
