"""Admin verbs that switch an account on or off: activate/deactivate, verify/unverify (one or in bulk), delete.

Deactivation ends every session of the user and, after the commit, disconnects their sockets. A super admin can
neither deactivate nor delete their own account. Deleting is refused for accounts with history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Allocation, Contribution, Expense, Loan, Payment, Transaction, User, Withdrawal
from ..models.types import utcnow
from . import audit, realtime
from .audit import person_name
from .auth import end_all_sessions
from .errors import Conflict, ValidationFailed
from .fields import ids_field
from .transitions import refusals_roll_back
from .users import ACTIONS, AUDIENCE, MAX_BULK, disconnect_users, get_user, signal_user_change, user_state

# Money records: a user who has any is deactivated, never deleted (SPEC §3).
MONEY_COLUMNS = (
    Transaction.user_id,
    Contribution.user_id,
    Loan.user_id,
    Withdrawal.user_id,
    Payment.user_id,
    Allocation.payer_user_id,
    Allocation.leader_user_id,
    Expense.created_by_id,
)
# Rows that belong to the account alone and go with it; every other reference to a user is history.
REMOVED_WITH_USER = frozenset({("leader_links", "user_id"), ("notifications", "user_id"), ("api_tokens", "user_id")})


def _action(action: object) -> tuple[str, bool, str, str]:
    """Return (column, value, event, state word) of an action name, or refuse with 422."""
    if not isinstance(action, str) or action not in ACTIONS:
        raise ValidationFailed("Unknown action.", {"action": f"must be one of {', '.join(ACTIONS)}"})
    return ACTIONS[action]


def _refuse_self(action: str, user_ids: list[int], actor_id: int) -> None:
    """A super admin may not deactivate their own account (they would lock themselves out)."""
    if action == "deactivate" and actor_id in user_ids:
        raise Conflict("You cannot deactivate your own account.", {"ids": "includes your own account"})


@refusals_roll_back
def change_status(user_id: int, action: str, *, actor_id: int, now: datetime | None = None) -> User:
    """Activate, deactivate, verify or unverify one account; 409 when it is already so."""
    now = now or utcnow()
    column, value, event, word = _action(action)
    user = get_user(user_id)
    _refuse_self(action, [user.id], actor_id)
    before = user_state(user)
    changed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, getattr(User, column) != value)
        .values({column: value})
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict(f"This account is already {word}.")
    db.session.refresh(user)
    if action == "deactivate":
        end_all_sessions(user)
    summary = f"{person_name(actor_id)} {event.split('.')[1]} the account of {user.full_name}"
    signal_user_change(event, user, before, user_state(user), actor_id=actor_id, summary=summary, now=now)
    realtime.commit()
    if action == "deactivate":
        disconnect_users([user.id])
    return user


def _bulk_ids(ids: object) -> list[int]:
    """Return the distinct ids of a bulk request: a non-empty list of at most 100 user ids; 422 otherwise."""
    return ids_field(ids, "ids", most=MAX_BULK)


@refusals_roll_back
def bulk_change(action: object, ids: object, *, actor_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Apply one action to many accounts, all or nothing: any unknown id refuses the whole request (422)."""
    now = now or utcnow()
    column, value, event, _word = _action(action)
    wanted = _bulk_ids(ids)
    users = db.session.scalars(sa.select(User).where(User.id.in_(wanted)).order_by(User.id).with_for_update()).all()
    unknown = sorted(set(wanted) - {u.id for u in users})
    if unknown:
        listed = ", ".join(map(str, unknown))
        raise ValidationFailed(f"Unknown user ids: {listed}. Nothing was changed.", {"ids": f"unknown: {listed}"})
    _refuse_self(action, wanted, actor_id)
    todo = [u for u in users if getattr(u, column) != value]
    for user in todo:
        before = user_state(user)
        setattr(user, column, value)
        if action == "deactivate":
            end_all_sessions(user)
        audit.record(event, "user", user.id, actor_id=actor_id, before=before, after=user_state(user), now=now)
    if todo:
        names = ", ".join(u.full_name for u in todo[:5]) + (" …" if len(todo) > 5 else "")
        realtime.notify(
            event,
            ["users", "cooperatives"] if any(u.cooperative_id for u in todo) else ["users"],
            rooms=realtime.rooms_for(
                roles=AUDIENCE, coop_ids=[u.cooperative_id for u in todo], user_ids=[u.id for u in todo]
            ),
            actor_id=actor_id,
            summary=f"{person_name(actor_id)} {event.split('.')[1]} {len(todo)} account(s): {names}",
            now=now,
        )
    realtime.commit()
    if action == "deactivate":
        disconnect_users([u.id for u in todo])
    changed = {u.id for u in todo}
    return {"action": action, "changed": sorted(changed), "unchanged": [i for i in wanted if i not in changed]}


def _referenced(user_id: int, columns) -> bool:
    """Return True when any of the columns holds the user's id."""
    return any(
        db.session.scalar(sa.select(sa.literal(1)).where(column == user_id).limit(1)) is not None for column in columns
    )


def _history_columns() -> list[sa.Column]:
    """Return every column that points at a user and stays after the user would go (history, decisions, logs)."""
    return [
        fk.parent
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "users" and (table.name, fk.parent.name) not in REMOVED_WITH_USER
    ]


@refusals_roll_back
def delete_user(user_id: int, *, actor_id: int, now: datetime | None = None) -> None:
    """Delete an account without history; one with money records (or any recorded history) is 409."""
    now = now or utcnow()
    user = get_user(user_id)
    if user.id == actor_id:
        raise Conflict("You cannot delete your own account.")
    if _referenced(user.id, MONEY_COLUMNS):
        raise Conflict("This account has money records: deactivate instead.")
    if _referenced(user.id, _history_columns()):
        raise Conflict("This account has recorded history: deactivate instead.")
    before, summary = user_state(user), f"{person_name(actor_id)} deleted the account of {user.full_name}"
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if (table.name, fk.parent.name) in REMOVED_WITH_USER:
                db.session.execute(sa.delete(table).where(fk.parent == user.id))
    signal_user_change("user.deleted", user, before, None, actor_id=actor_id, summary=summary, now=now)
    db.session.delete(user)
    realtime.commit()
    disconnect_users([user_id])
