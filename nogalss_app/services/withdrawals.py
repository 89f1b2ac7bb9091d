"""Withdrawals: members and leaders request them (when enabled); finance approves, rejects and processes them.

Every step locks the member's row and checks O ≤ 6 × (S − W) on what it leaves behind (SPEC §3): a request
above the withdrawable balance is refused with 422, an approval or processing that no longer fits with 409.
Four eyes: whoever approved a withdrawal cannot process it; a super admin may process any approved one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Role, TxCategory, TxType, User, Withdrawal, WithdrawalStatus
from ..models.types import utcnow
from . import balances, ledger, notifications, realtime, settings
from .actor import Actor
from .audit import audit_and_signal, person_name
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .fields import (
    MAX_AMOUNT_KOBO,
    amount_field,
    is_id,
    notes_value,
    parse_status,
    require_mapping,
    status_arg,
    text_field,
)
from .money import format_naira
from .pages import Page, list_query, page_of
from .transitions import refusals_roll_back, transition_status

REQUESTER_ROLES = (Role.MEMBER, Role.LEADER)
SORTS = {
    "created_at": Withdrawal.created_at,
    "amount_kobo": Withdrawal.amount_kobo,
    "status": Withdrawal.status,
    "id": Withdrawal.id,
}
AUDIENCE = (Role.FINANCE, Role.SUPER_ADMIN)
DECIDED = {
    WithdrawalStatus.APPROVED: ("withdrawal.approved", "approved"),
    WithdrawalStatus.REJECTED: ("withdrawal.rejected", "rejected"),
    WithdrawalStatus.PROCESSED: ("withdrawal.processed", "processed"),
}


def _state(withdrawal: Withdrawal) -> dict[str, Any]:
    """Return the audited fields of a withdrawal."""
    return {
        "status": withdrawal.status,
        "amount_kobo": withdrawal.amount_kobo,
        "user_id": withdrawal.user_id,
        "transaction_id": withdrawal.transaction_id,
    }


def list_withdrawals(args: Mapping[str, str]) -> Page[Withdrawal]:
    """Return one page of every member's withdrawals, filtered by ?status= and searched by name, email, reason."""
    query = list_query(args, SORTS, "created_at")
    select = sa.select(Withdrawal).join(User, User.id == Withdrawal.user_id)
    status = status_arg(args, WithdrawalStatus)
    if status is not None:
        select = select.where(Withdrawal.status == status)
    if query.q:
        like = f"%{query.q}%"
        name = User.first_name + " " + User.last_name
        select = select.where(sa.or_(name.ilike(like), Withdrawal.reason.ilike(like), User.email.ilike(like)))
    return page_of(select, query, SORTS)


def _locked_requester(user_id: int) -> User:
    """Return the requester, row-locked (PostgreSQL) so one user's money steps are serialised; refuse others."""
    user = balances.lock_member(user_id)
    if not user.is_active or user.role not in REQUESTER_ROLES:
        raise Forbidden("Only active members and leaders can request withdrawals.")
    if not settings.get_settings().withdrawals_enabled_for(user.role):
        raise Forbidden("withdrawals are disabled for your role")
    return user


def _signal(
    event: str,
    withdrawal: Withdrawal,
    before: dict | None,
    topics: list[str],
    summary: str,
    actor_id: int | None,
    now: datetime,
    *,
    with_coop: bool = True,
) -> None:
    """Audit and signal a withdrawal change to its owner, finance and super admins (and the cooperative's leader)."""
    coop_ids = [withdrawal.cooperative_id] if with_coop else []
    rooms = realtime.rooms_for(roles=AUDIENCE, coop_ids=coop_ids, user_ids=[withdrawal.user_id])
    audit_and_signal(
        event,
        "withdrawal",
        withdrawal.id,
        actor_id=actor_id,
        before=before,
        after=_state(withdrawal),
        topics=topics,
        rooms=rooms,
        summary=summary,
        now=now,
    )


def _staff_to_tell() -> list[int]:
    """Return the ids of active FINANCE and SUPER_ADMIN users."""
    query = sa.select(User.id).where(User.role.in_(AUDIENCE), User.is_active.is_(True))
    return list(db.session.scalars(query))


def _request_fields(data: object, user_id: int, maximum_kobo: int) -> tuple[int, str]:
    """Return (amount_kobo, reason) of a request within the withdrawable balance, or refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    amount = amount_field(data, errors, maximum_kobo=maximum_kobo)
    reason = text_field(data, "reason", errors, min_len=3, max_len=500, multiline=True)
    if errors:
        raise ValidationFailed("Check the withdrawal request.", errors)
    pos = balances.position(user_id)
    if amount > pos.withdrawable_kobo:
        message = f"must not exceed your withdrawable balance of {format_naira(pos.withdrawable_kobo)}"
        held = balances.held_back_reason(pos)
        raise ValidationFailed(
            "The amount is more than you can withdraw" + (f": {held}." if held else "."), {"amount_kobo": message}
        )
    return amount, reason  # type: ignore[return-value]


@refusals_roll_back
def request_withdrawal(
    user_id: int, data: Mapping[str, Any], *, now: datetime | None = None, maximum_kobo: int = MAX_AMOUNT_KOBO
) -> Withdrawal:
    """Create a PENDING withdrawal of at most the user's withdrawable balance (other fields in data are ignored)."""
    now = now or utcnow()
    user = _locked_requester(user_id)
    amount, reason = _request_fields(data, user.id, maximum_kobo)
    withdrawal = Withdrawal(
        user_id=user.id,
        cooperative_id=user.cooperative_id,
        amount_kobo=amount,
        reason=reason,
        status=WithdrawalStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    db.session.add(withdrawal)
    db.session.flush()
    summary = f"{user.full_name} requested a {format_naira(amount)} withdrawal"
    _signal(
        "withdrawal.requested",
        withdrawal,
        None,
        ["withdrawals", "notifications"],
        summary,
        user.id,
        now,
        with_coop=False,
    )
    notifications.notify_users(
        _staff_to_tell(), "New withdrawal request", f"{summary}: {reason}", "/dashboard/finance", now=now
    )
    realtime.commit()
    return withdrawal


def _pay_out(withdrawal: Withdrawal, actor_id: int | None, now: datetime) -> None:
    """Write the successful WITHDRAWAL ledger line of a processed withdrawal and link it."""
    tx = ledger.record_transaction(
        tx_type=TxType.WITHDRAWAL,
        category=TxCategory.WITHDRAWAL,
        amount_kobo=withdrawal.amount_kobo,
        user_id=withdrawal.user_id,
        cooperative_id=withdrawal.cooperative_id,
        created_by_id=actor_id,
        description=f"Withdrawal #{withdrawal.id}",
        now=now,
    )
    withdrawal.transaction_id = tx.id


def _actor(actor: Actor | None, actor_id: int | None) -> Actor:
    """Return the acting staff member (callers that only know an id get its role from the database)."""
    if actor is not None:
        return actor
    user = db.session.get(User, actor_id) if actor_id is not None else None
    return Actor.of(user) if user is not None else Actor(id=actor_id, role=None)


def _check_four_eyes(withdrawal: Withdrawal, actor: Actor) -> None:
    """Refuse (409) the approver processing their own approval, unless they are a super admin."""
    if actor.role is Role.SUPER_ADMIN or withdrawal.status is not WithdrawalStatus.APPROVED:
        return
    if withdrawal.decided_by_id is not None and withdrawal.decided_by_id == actor.id:
        raise Conflict("You approved this withdrawal: another staff member must process it.")


def _check_still_fits(withdrawal: Withdrawal, status: WithdrawalStatus) -> None:
    """Lock the member and refuse (409) an approval or processing that would leave O above 6 × (S − W)."""
    balances.lock_member(withdrawal.user_id)
    db.session.refresh(withdrawal)
    if status is WithdrawalStatus.REJECTED or withdrawal.status is status:
        return
    pos = balances.position(withdrawal.user_id)
    if withdrawal.status is WithdrawalStatus.PENDING or withdrawal.status is WithdrawalStatus.APPROVED:
        after = pos  # a pending or approved withdrawal is already held in W; processing moves it from W to S
        if status is WithdrawalStatus.PROCESSED:
            after = pos.after(savings=-withdrawal.amount_kobo, committed=-withdrawal.amount_kobo)
        if not after.holds:
            backing = format_naira(pos.backing_kobo)
            raise Conflict(
                f"{backing} of savings back an outstanding loan of {format_naira(pos.outstanding_kobo)}; "
                f"paying out {format_naira(withdrawal.amount_kobo)} would leave too little behind it."
            )


@refusals_roll_back
def decide_withdrawal(
    withdrawal_id: int,
    new_status: WithdrawalStatus | str,
    *,
    actor: Actor | None = None,
    actor_id: int | None = None,
    notes: str | None = None,
    now: datetime | None = None,
) -> Withdrawal:
    """Approve or reject a pending withdrawal, or process an approved one (writing its WITHDRAWAL transaction)."""
    now = now or utcnow()
    status, notes = parse_status(new_status, WithdrawalStatus), notes_value(notes)
    actor = _actor(actor, actor_id)
    actor_id = actor.id
    withdrawal = db.session.get(Withdrawal, withdrawal_id) if is_id(withdrawal_id) else None
    if withdrawal is None:
        raise NotFound("Withdrawal not found.")
    _check_still_fits(withdrawal, status)
    if status is WithdrawalStatus.PROCESSED:
        _check_four_eyes(withdrawal, actor)
    before = _state(withdrawal)
    who = "processed_by_id" if status is WithdrawalStatus.PROCESSED else "decided_by_id"
    values: dict[str, Any] = {"updated_at": now, who: actor_id} | ({"notes": notes} if notes else {})
    transition_status(withdrawal, status, "withdrawal", **values)
    topics = ["withdrawals"]
    if status is WithdrawalStatus.PROCESSED:
        _pay_out(withdrawal, actor_id, now)
        topics.append("transactions")
    event, verb = DECIDED[status]
    amount = format_naira(withdrawal.amount_kobo)
    summary = f"{person_name(actor_id)} {verb} a {amount} withdrawal for {person_name(withdrawal.user_id)}"
    _signal(event, withdrawal, before, topics, summary, actor_id, now)
    notifications.notify_users(
        [withdrawal.user_id],
        f"Your withdrawal was {verb}",
        f"Your {amount} withdrawal was {verb}.",
        "/dashboard/member",
        now=now,
    )
    realtime.commit()
    return withdrawal
