"""API area (super admin records): cooperatives and the parent organizations they belong to."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ...models import Cooperative, ParentOrganization
from ...services import cooperatives, records_search
from .common import iso, json_body, list_params, paginate

PARENT_SORTABLE = {"name": ParentOrganization.name, "created_at": ParentOrganization.created_at}


def cooperative_json(coop: Cooperative, member_count: int, leader: dict | None) -> dict:
    """Return a cooperative as JSON, with its number of active members and its leader."""
    return {
        "id": coop.id,
        **{name: getattr(coop, name) for name in cooperatives.FIELDS},
        "parent_organization": coop.parent_organization.name if coop.parent_organization else None,
        "is_active": coop.is_active,
        "member_count": member_count,
        "leader": leader,
        "created_at": iso(coop.created_at),
    }


def parent_json(org: ParentOrganization) -> dict:
    """Return a parent organization as JSON."""
    return {"id": org.id, "name": org.name, "is_active": org.is_active, "created_at": iso(org.created_at)}


def _one(coop: Cooperative) -> dict:
    """Return one cooperative as JSON with its counts."""
    counts, leaders = records_search.member_counts([coop.id]), records_search.leaders([coop.id])
    return cooperative_json(coop, counts.get(coop.id, 0), leaders.get(coop.id))


def list_cooperatives():
    """List cooperatives: search q (name, registration number, city), filters, sort and paging."""
    params = list_params(records_search.COOPERATIVE_SORTABLE, "name", "asc")
    filters = records_search.cooperative_filters(request.args, params.q)
    query = records_search.cooperatives_query(filters).options(selectinload(Cooperative.parent_organization))
    page = paginate(query, params, records_search.COOPERATIVE_SORTABLE, lambda coop: coop)
    ids = [coop.id for coop in page["items"]]
    counts, leaders = records_search.member_counts(ids), records_search.leaders(ids)
    page["items"] = [cooperative_json(c, counts.get(c.id, 0), leaders.get(c.id)) for c in page["items"]]
    return jsonify(page)


def create_cooperative():
    """Create a cooperative (no registration fee for an admin-created one); 201."""
    coop = cooperatives.create_cooperative(json_body(), actor_id=current_user.id)
    return jsonify(_one(coop)), 201


def get_cooperative(coop_id: int):
    """Return one cooperative."""
    return jsonify(_one(cooperatives.get_cooperative(coop_id)))


def replace_cooperative(coop_id: int):
    """Replace every field of a cooperative; an `is_active` field (de)activates it."""
    coop = cooperatives.update_cooperative(coop_id, json_body(), actor_id=current_user.id)
    return jsonify(_one(coop))


def delete_cooperative(coop_id: int):
    """Delete a cooperative without members or money records (409 "deactivate instead" otherwise); 204."""
    cooperatives.delete_cooperative(coop_id, actor_id=current_user.id)
    return "", 204


def list_parent_organizations():
    """List parent organizations (for pickers): search q by name, sort and paging."""
    params = list_params(PARENT_SORTABLE, "name", "asc")
    query = records_search.parent_organizations_query(params.q)
    return jsonify(paginate(query, params, PARENT_SORTABLE, parent_json))


def register(bp: Blueprint) -> None:
    """Add the cooperative routes to the super admin records blueprint."""
    bp.add_url_rule("/cooperatives", view_func=list_cooperatives, methods=["GET"])
    bp.add_url_rule("/cooperatives", view_func=create_cooperative, methods=["POST"])
    bp.add_url_rule("/cooperatives/<int:coop_id>", view_func=get_cooperative, methods=["GET"])
    bp.add_url_rule("/cooperatives/<int:coop_id>", view_func=replace_cooperative, methods=["PUT"])
    bp.add_url_rule("/cooperatives/<int:coop_id>", view_func=delete_cooperative, methods=["DELETE"])
    bp.add_url_rule("/parent-organizations", view_func=list_parent_organizations, methods=["GET"])
