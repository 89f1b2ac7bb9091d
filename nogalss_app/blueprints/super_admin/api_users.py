"""JSON API for accounts (SPEC §5): users, staff accounts and API tokens — super admins only."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...models import ApiToken, Role, User
from ...security import require_roles
from ...services import api_tokens, users, users_status
from ..web import iso, json_body, only, page_json

STAFF_ROLES = {
    "create-apex": Role.APEX,
    "create-finance": Role.FINANCE,
    "create-apex-funds": Role.APEX_FUNDS,
    "create-nogalss-funds": Role.NOGALSS_FUNDS,
}


def user_json(user: User) -> dict:
    """Return the admin view of an account (never the password or its hash)."""
    return {
        "id": user.id,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "role": user.role.value,
        "cooperative_id": user.cooperative_id,
        "parent_organization_id": user.parent_organization_id,
        "is_active": user.is_active,
        "is_verified": user.is_verified,
        "created_at": iso(user.created_at),
        "updated_at": iso(user.updated_at),
    }


def token_json(token: ApiToken) -> dict:
    """Return a token's metadata (the secret itself is shown once, at creation)."""
    return {
        "id": token.id,
        "name": token.name,
        "user_id": token.user_id,
        "prefix": token.prefix,
        "created_by_id": token.created_by_id,
        "created_at": iso(token.created_at),
        "last_used_at": iso(token.last_used_at),
        "revoked_at": iso(token.revoked_at),
    }


bp = Blueprint("api_admin_users", __name__, url_prefix="/api/admin")
bp.before_request(require_roles({Role.SUPER_ADMIN}))


@bp.get("/users")
def list_users():
    """List accounts with search (name, email), role/active/cooperative filters, sorting and paging."""
    return jsonify(page_json(users.list_users(request.args), user_json))


@bp.post("/users")
def create_user():
    """Create an account of any role."""
    user = users.create_account(json_body(), actor_id=current_user.id)
    return jsonify(user_json(user)), 201


@bp.get("/users/<id:user_id>")
def get_user(user_id: int):
    """Return one account."""
    return jsonify(user_json(users.get_user(user_id)))


@bp.patch("/users/<id:user_id>")
def update_user(user_id: int):
    """Change names, phone, role or cooperative of an account."""
    return jsonify(user_json(users.update_user(user_id, json_body(), actor_id=current_user.id)))


@bp.delete("/users/<id:user_id>")
def delete_user(user_id: int):
    """Delete an account that has no history (409 "deactivate instead" otherwise)."""
    users_status.delete_user(user_id, actor_id=current_user.id)
    return jsonify({"id": user_id, "deleted": True})


@bp.post("/users/<id:user_id>/<any(activate, deactivate, verify, unverify):action>")
def change_status(user_id: int, action: str):
    """Activate, deactivate, verify or unverify one account."""
    return jsonify(user_json(users_status.change_status(user_id, action, actor_id=current_user.id)))


@bp.post("/users/bulk")
def bulk():
    """Apply one action to up to 100 accounts, all or nothing."""
    data = only(json_body(), ("action", "ids"), strict=True)
    return jsonify(users_status.bulk_change(data.get("action"), data.get("ids"), actor_id=current_user.id))


def create_staff(kind: str):
    """Create a staff account whose role is fixed by the URL."""
    user = users.create_account(json_body(), role=STAFF_ROLES[kind], actor_id=current_user.id)
    return jsonify(user_json(user)), 201


for _kind in STAFF_ROLES:
    bp.add_url_rule(
        f"/{_kind}",
        endpoint=_kind.replace("-", "_"),
        view_func=create_staff,
        defaults={"kind": _kind},
        methods=["POST"],
    )


@bp.get("/api-tokens")
def list_tokens():
    """List API tokens (metadata only), newest first."""
    return jsonify(page_json(api_tokens.list_tokens(request.args), token_json))


@bp.post("/api-tokens")
def create_token():
    """Create a token acting as an account; the secret is in `token`, shown this once only."""
    data = only(json_body(), ("user_id", "name"), strict=True)
    row, secret = api_tokens.create_token(data.get("user_id"), data.get("name"), actor_id=current_user.id)
    return jsonify({**token_json(row), "token": secret}), 201


@bp.delete("/api-tokens/<id:token_id>")
def revoke_token(token_id: int):
    """Revoke a token."""
    return jsonify(token_json(api_tokens.revoke_token(token_id, actor_id=current_user.id)))


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints."""
    return [bp]
