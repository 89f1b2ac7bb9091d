"""API tokens for scripts: created and revoked by a super admin, hashed at rest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import ApiToken, Role, User
from ..models.types import utcnow
from . import audit
from .errors import Conflict, NotFound, ValidationFailed
from .fields import is_id, text_problem
from .pages import Page, list_query, page_of

TOKEN_PREFIX = "ngs_"
SORTS = {"created_at": ApiToken.created_at, "name": ApiToken.name}
MANAGE_LIMIT = 200


def digest(token: str) -> str:
    """Return the stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user_id: int, name: str, *, actor_id: int, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token acting as `user_id`; return the row and the secret (shown once, never stored)."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if not 1 <= len(name) <= 100 or text_problem(name):
        raise ValidationFailed("Name the token.", {"name": text_problem(name) or "required, at most 100 characters"})
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None or not user.is_active or user.role in (Role.COOPERATIVE, Role.PARENT_ORGANIZATION):
        raise ValidationFailed("Choose an active staff, leader or member account.", {"user_id": "not allowed"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[:12],
        created_by_id=actor_id,
        created_at=now or utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "api_token.create",
        "api_token",
        row.id,
        actor_id=actor_id,
        after={"user_id": user.id, "name": name, "prefix": row.prefix},
        now=now,
    )
    db.session.commit()
    return row, secret


def revoke_token(token_id: int, *, actor_id: int, now: datetime | None = None) -> ApiToken:
    """Revoke a token (409 when already revoked)."""
    row = db.session.get(ApiToken, token_id) if is_id(token_id) else None
    if row is None:
        raise NotFound("No such token.")
    if row.revoked_at is not None:
        raise Conflict("That token is already revoked.")
    row.revoked_at = now or utcnow()
    audit.record(
        "api_token.revoke",
        "api_token",
        row.id,
        actor_id=actor_id,
        before={"revoked": False},
        after={"revoked": True},
        now=now,
    )
    db.session.commit()
    return row


def list_tokens(args) -> Page[ApiToken]:
    """Return one page of tokens (metadata only), searched by name and sorted (newest first by default)."""
    query = list_query(args, SORTS, "created_at")
    select = sa.select(ApiToken)
    if query.q:
        select = select.where(ApiToken.name.icontains(query.q, autoescape=True))
    return page_of(select, query, SORTS)


def tokens_with_owners(limit: int = MANAGE_LIMIT) -> list[tuple[ApiToken, str]]:
    """Return the newest tokens with their owner's email (the management page)."""
    query = (
        sa.select(ApiToken, User.email)
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        .limit(limit)
    )
    return [(token, email) for token, email in db.session.execute(query)]


def user_for_token(secret: str) -> User | None:
    """Return the active owner of a live token, recording its use; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    row.last_used_at = utcnow()
    db.session.commit()
    return row.user
