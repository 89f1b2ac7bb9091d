"""Sign-in: verify credentials with throttling per account and per client address."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import LoginAttempt, User, normalise_email
from ..models.types import utcnow
from .errors import Throttled, Unauthorized, ValidationFailed
from .fields import text_problem
from .passwords import verify_password

GENERIC_FAILURE = "Wrong email or password."
THROTTLED = "Too many failed sign-in attempts. Please wait a few minutes and try again."


def _failures_since(since: datetime, **match: str) -> int:
    """Count failed attempts since a moment for the given email and/or client."""
    query = sa.select(sa.func.count()).select_from(LoginAttempt).where(LoginAttempt.created_at >= since)
    for column, value in match.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return db.session.scalar(query) or 0


def check_throttle(email: str, client: str, config: Mapping, now: datetime) -> None:
    """Raise Throttled when this client may not try again now (SPEC §5 Auth; BAD_INPUTS 30).

    Three counters of failed attempts in the window: this account from this client; this client against any
    account (an address spraying many accounts); and this account from every client — which only stops clients
    that themselves failed on the account, so a correct password from another address is never blocked.
    Successful sign-ins are not counted: a busy office behind one address signs in as often as it likes.
    """
    since = now - timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    pair = _failures_since(since, email=email, client=client)
    if (
        pair >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT"]
        or _failures_since(since, client=client) >= config["LOGIN_MAX_FAILURES_PER_CLIENT"]
        or (pair and _failures_since(since, email=email) >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    ):
        raise Throttled(THROTTLED)


def authenticate(email: object, password: object, *, client: str, config: Mapping, now: datetime | None = None) -> User:
    """Return the active user with these credentials, or raise Unauthorized / Throttled (same for unknown emails)."""
    now = now or utcnow()
    email_text = normalise_email(email)[:254] if isinstance(email, str) else ""
    password_text = password if isinstance(password, str) else ""
    given = {"email": email_text, "password": password_text}
    unreadable = {name: "must be valid text without control characters" for name, v in given.items() if text_problem(v)}
    if unreadable:  # nothing to look up or count: such text can be neither stored nor compared
        raise ValidationFailed("Check the email and password.", unreadable)
    check_throttle(email_text, client, config, now)
    user = db.session.scalar(sa.select(User).where(User.email == email_text)) if email_text else None
    ok = verify_password(user.password_hash if user else None, password_text[:256])
    if not ok or user is None or not user.is_active:
        db.session.add(LoginAttempt(email=email_text, client=client, created_at=now))
        _prune(now, config)
        db.session.commit()
        raise Unauthorized(GENERIC_FAILURE)
    return user


def _prune(now: datetime, config: Mapping) -> None:
    """Drop attempts older than the window so the table stays small."""
    cutoff = now - timedelta(seconds=2 * config["LOGIN_WINDOW_SECONDS"])
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_at < cutoff))


def end_all_sessions(user: User) -> None:
    """Invalidate every session of the user (logout everywhere, deactivation, role change)."""
    user.session_version += 1
