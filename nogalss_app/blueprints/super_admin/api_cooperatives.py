"""API area (super admin records): cooperatives and the parent organizations they belong to."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...models import Cooperative
from ...services import cooperatives
from ..web import iso, json_body, page_json


def cooperative_json(row: cooperatives.CooperativeRow) -> dict:
    """Return a cooperative as JSON, with its number of active members and its leader."""
    coop = row.coop
    return {
        "id": coop.id,
        **{name: getattr(coop, name) for name in cooperatives.FIELDS},
        "parent_organization": coop.parent_organization.name if coop.parent_organization else None,
        "is_active": coop.is_active,
        "member_count": row.member_count,
        "leader": row.leader,
        "created_at": iso(coop.created_at),
    }


def _one(coop: Cooperative) -> dict:
    """Return one cooperative as JSON with its counts."""
    return cooperative_json(cooperatives.rows_of([coop])[0])


def list_cooperatives():
    """List cooperatives: search q (name, registration number, city), filters, sort and paging."""
    return jsonify(page_json(cooperatives.list_cooperatives(request.args), cooperative_json))


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


def change_leader(coop_id: int):
    """Make a member of the cooperative its leader (`user_id`); the previous leader becomes a member."""
    cooperatives.change_leader(coop_id, json_body().get("user_id"), actor_id=current_user.id)
    return jsonify(_one(cooperatives.get_cooperative(coop_id)))


def register(bp: Blueprint) -> None:
    """Add the cooperative routes to the super admin records blueprint."""
    bp.add_url_rule("/cooperatives", view_func=list_cooperatives, methods=["GET"])
    bp.add_url_rule("/cooperatives", view_func=create_cooperative, methods=["POST"])
    bp.add_url_rule("/cooperatives/<id:coop_id>", view_func=get_cooperative, methods=["GET"])
    bp.add_url_rule("/cooperatives/<id:coop_id>", view_func=replace_cooperative, methods=["PUT"])
    bp.add_url_rule("/cooperatives/<id:coop_id>", view_func=delete_cooperative, methods=["DELETE"])
    bp.add_url_rule("/cooperatives/<id:coop_id>/leader", view_func=change_leader, methods=["PUT"])
