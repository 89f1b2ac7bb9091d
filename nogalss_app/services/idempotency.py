"""Idempotency keys for creates (SPEC §5; JSON creates and the panel forms that send live.js's key): the same key
from the same user within 24 hours gets the first answer back (status, body, the headers a client acts on) and
creates nothing; the same key with another request is refused (422).

A key is claimed by inserting its row (unique on user and key) before the create runs, in its own committed
transaction; the create's answer is stored on the row once it succeeded. A concurrent request with the same key
loses the insert, waits for the first to finish and replays its answer. A refused create (4xx) releases its key:
it changed nothing, so a corrected retry may use the key again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import IdempotencyKey
from ..models.types import utcnow
from .errors import Conflict, ValidationFailed
from .fields import text_problem

KEEP = timedelta(hours=24)
KEY_MAX = 255
# How long a retry waits for the first request with its key to finish, and how often it looks.
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.05
# A claim neither completed nor released this long after it was made belongs to a request that died.
ABANDONED_AFTER = timedelta(minutes=2)
REUSED = "this Idempotency-Key was already used for a different request"


@dataclass(frozen=True)
class Claim:
    """A key this request now owns: run the create, then `complete` or `release` it."""

    id: int


@dataclass(frozen=True)
class Replay:
    """The stored first answer to a request with this key."""

    status_code: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def check_key(key: str) -> str:
    """Return the key if it is 1 to 255 printable ASCII characters (a UUID, say), or refuse with 422."""
    if not 1 <= len(key) <= KEY_MAX or text_problem(key) or not (key.isascii() and key.isprintable()):
        raise ValidationFailed(
            "Check the Idempotency-Key header.",
            {"Idempotency-Key": f"must be 1 to {KEY_MAX} printable ASCII characters"},
        )
    return key


def claim(user_id: int, key: str, endpoint: str, request_hash: str, *, now: datetime | None = None) -> Claim | Replay:
    """Claim a key for a create, or return the first answer given to it (waiting while it is being made)."""
    check_key(key)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        now_ = now or utcnow()
        row = _current(user_id, key, now_)
        if row is None:
            claimed = _insert(user_id, key, endpoint, request_hash, now_)
            if claimed is not None:
                return claimed
            continue  # another request inserted it first: read its row
        if row.endpoint != endpoint or row.request_hash != request_hash:
            raise ValidationFailed(REUSED, {"Idempotency-Key": REUSED})
        if row.status_code is not None:
            return Replay(row.status_code, row.response_body or "", _headers(row.response_headers))
        if time.monotonic() >= deadline:
            raise Conflict("A request with this Idempotency-Key is still being processed; retry in a moment.")
        time.sleep(POLL_SECONDS)


def _current(user_id: int, key: str, now: datetime) -> IdempotencyKey | None:
    """Return the live row of (user, key), deleting one older than KEEP (the key is free again)."""
    db.session.rollback()  # a fresh snapshot: the row may have changed since the last look
    row = db.session.scalar(
        sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if row is not None and row.created_at < now - KEEP:
        db.session.delete(row)
        db.session.commit()
        return None
    return row


def _insert(user_id: int, key: str, endpoint: str, request_hash: str, now: datetime) -> Claim | None:
    """Insert the claim row and commit; None when a concurrent request holds the key already."""
    row = IdempotencyKey(user_id=user_id, key=key, endpoint=endpoint, request_hash=request_hash, created_at=now)
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return Claim(row.id)


def _headers(stored: str | None) -> dict[str, str]:
    """Return the stored headers of an answer (none for a row written before headers were kept)."""
    if not stored:
        return {}
    value = json.loads(stored)
    return {str(name): str(text) for name, text in value.items()} if isinstance(value, dict) else {}


def complete(claimed: Claim, status_code: int, body: str, headers: dict[str, str] | None = None) -> None:
    """Store the create's answer (status, body, the headers that matter) on its key, for retries to replay."""
    db.session.rollback()
    db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.id == claimed.id)
        .values(
            status_code=status_code,
            response_body=body,
            response_headers=json.dumps(headers, sort_keys=True) if headers else None,
        )
    )
    db.session.commit()


def release(claimed: Claim) -> None:
    """Free a key whose create was refused or failed (it changed nothing)."""
    db.session.rollback()
    db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.id == claimed.id))
    db.session.commit()


def prune(now: datetime | None = None) -> int:
    """Delete keys older than KEEP; return how many."""
    cutoff = (now or utcnow()) - KEEP
    result = db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
    db.session.commit()
    return result.rowcount or 0
