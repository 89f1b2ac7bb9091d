"""The audit report (super admin): the audit log filtered by actor, action, entity and dates, oldest first."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditLog, User
from ..errors import ValidationFailed
from ..exports import Column, Kind
from ..fields import id_from_text, text_problem
from .base import Request, name_of, stream

MAX_FILTER = 64
DETAILS_CHARS = 300


def audit_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """Validate the audit filters: actor (a user id), action and entity (exact names); 422 when malformed."""
    errors: dict[str, str] = {}
    found: dict[str, Any] = {}
    raw_actor = (args.get("actor") or "").strip()
    if raw_actor:
        actor = id_from_text(raw_actor)
        if actor is None:
            errors["actor"] = "must be a user number"
        found["actor"] = actor
    for name in ("action", "entity"):
        value = (args.get(name) or "").strip()
        if len(value) > MAX_FILTER or text_problem(value):
            errors[name] = f"must be one line of at most {MAX_FILTER} characters"
        elif value:
            found[name] = value
    if errors:
        raise ValidationFailed("Check the filters.", errors)
    return found


def audit_select(request: Request) -> sa.Select:
    """Return the filtered audit rows of the period with the actor's name, oldest first."""
    filters = request.filters
    query = (
        sa.select(AuditLog, User.first_name, User.last_name, User.email)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(AuditLog.created_at >= request.period.start, AuditLog.created_at < request.period.end)
    )
    if filters.get("actor") is not None:
        query = query.where(AuditLog.actor_id == filters["actor"])
    if filters.get("action"):
        query = query.where(AuditLog.action == filters["action"])
    if filters.get("entity"):
        query = query.where(AuditLog.entity == filters["entity"])
    return query.order_by(AuditLog.created_at, AuditLog.id)


def audit_columns(request: Request) -> list[Column]:
    """When, who, what, on which record, and the recorded values."""
    return [
        Column("date", "When", Kind.DATETIME),
        Column("actor", "Who"),
        Column("action", "Action"),
        Column("entity", "Entity"),
        Column("entity_id", "Record"),
        Column("details", "Details"),
    ]


def audit_row(log: AuditLog, first: str | None, last: str | None, email: str | None) -> dict[str, Any]:
    """Return one audit row as report cells."""
    details = json.dumps(log.after, sort_keys=True, ensure_ascii=False) if log.after else ""
    who = f"{name_of(first, last)} <{email}>" if email else "system"
    return {
        "date": log.created_at,
        "actor": who,
        "action": log.action,
        "entity": log.entity,
        "entity_id": log.entity_id or "",
        "details": details[:DETAILS_CHARS],
    }


def audit_rows(request: Request) -> Iterator[dict[str, Any]]:
    """Yield the filtered audit rows of the period."""
    for log, first, last, email in stream(audit_select(request)):
        yield audit_row(log, first, last, email)


def audit_page(request: Request, offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """Return how many audit rows match and one page of them (COUNT and OFFSET in SQL)."""
    query = audit_select(request)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.execute(query.limit(limit).offset(offset)).all()
    return int(count), [audit_row(*row) for row in rows]
