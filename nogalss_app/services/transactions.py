"""The ledger seen by a super admin: search it, record manual adjustments, settle or cancel PENDING lines.

A manual ADJUSTMENT is recorded SUCCESSFUL at once (a super admin's correction takes effect when made) unless
`status: "PENDING"` is asked for; a PENDING one is later settled (SUCCESSFUL / FAILED) or cancelled. Lines that
another verb wrote together with a payment, contribution, loan or withdrawal are never moved by hand: their
status belongs to that record. The `notes` of a status change go to the audit log (the ledger has no notes
column).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Allocation,
    Contribution,
    Expense,
    Payment,
    Role,
    Transaction,
    TxCategory,
    TxStatus,
    TxType,
    User,
    Withdrawal,
)
from ..models.types import utcnow
from . import balances, ledger, realtime
from .audit import audit_and_signal, person_name
from .errors import Conflict, NotFound, ValidationFailed
from .fields import MAX_AMOUNT_KOBO, amount_field, is_id, notes_value, parse_status, require_mapping, text_field
from .money import format_naira
from .pages import Page, list_query, paginate
from .records_search import TRANSACTION_SORTABLE, transaction_filters, transactions_query, user_ref_id
from .transitions import refusals_roll_back, transition_status

AUDIENCE = (Role.SUPER_ADMIN, Role.FINANCE, Role.APEX)  # the dashboards with a `transactions` panel
DIRECTIONS = ("credit", "debit")
ADJUSTMENT_STATUSES = (TxStatus.SUCCESSFUL, TxStatus.PENDING)


@dataclass(frozen=True)
class LedgerLine:
    """A ledger line as the lists show it, with the record that owns its status (None: it may be moved by hand)."""

    tx: Transaction
    linked_to: str | None

    @property
    def editable(self) -> bool:
        """Return whether a super admin may settle or cancel this line by hand."""
        return self.linked_to is None and self.tx.status is TxStatus.PENDING


def list_transactions(args: Mapping[str, str]) -> Page[LedgerLine]:
    """Return one page of ledger lines: search q (reference, description, user email), filters, sort, paging."""
    query = list_query(args, TRANSACTION_SORTABLE, "created_at")
    filters = transaction_filters(args, query.q)
    select = transactions_query(filters).options(selectinload(Transaction.user))
    rows, total = paginate(select, query, TRANSACTION_SORTABLE)
    links = linked_records(tx.id for tx in rows)
    return Page([LedgerLine(tx, links.get(tx.id)) for tx in rows], total, query, filters=filters)


def ledger_line(tx: Transaction) -> LedgerLine:
    """Return one ledger line with what it is linked to."""
    return LedgerLine(tx, linked_records([tx.id]).get(tx.id))


def linked_records(tx_ids: Iterable[int]) -> dict[int, str]:
    """Return, for the given ledger lines, which record each belongs to (payment, contribution, loan …)."""
    ids = list(set(tx_ids))
    if not ids:
        return {}
    found: dict[int, str] = {}
    for kind, column in (
        ("payment", Payment.transaction_id),
        ("allocation", Allocation.transaction_id),
        ("contribution", Contribution.transaction_id),
        ("withdrawal", Withdrawal.transaction_id),
        ("expense", Expense.transaction_id),
    ):
        for tx_id in db.session.scalars(sa.select(column).where(column.in_(ids)).distinct()):
            found.setdefault(tx_id, kind)
    loan_query = sa.select(Transaction.id).where(Transaction.id.in_(ids), Transaction.loan_id.is_not(None))
    for tx_id in db.session.scalars(loan_query):
        found.setdefault(tx_id, "loan")
    return found


def _state(tx: Transaction) -> dict[str, Any]:
    """Return the audited fields of a ledger line."""
    names = ("reference", "type", "category", "status", "amount_kobo", "is_debit", "user_id", "reason")
    return {name: getattr(tx, name) for name in names}


def _signal(
    event: str, tx: Transaction, before: dict | None, actor_id: int, summary: str, now: datetime, **extra
) -> None:
    """Audit and signal a ledger change to the money dashboards and the person concerned."""
    moves_savings = tx.type is TxType.ADJUSTMENT and tx.status is TxStatus.SUCCESSFUL and tx.user_id is not None
    audit_and_signal(
        event,
        "transaction",
        tx.id,
        actor_id=actor_id,
        before=before,
        after=_state(tx) | extra,
        # A settled adjustment moves the member's savings: their savings, limit and withdrawal panels refresh.
        topics=["transactions", "contributions"] if moves_savings else ["transactions"],
        rooms=realtime.rooms_for(roles=AUDIENCE, user_ids=[tx.user_id]),
        summary=summary,
        now=now,
    )


def _choice(data: Mapping[str, Any], name: str, allowed: tuple[str, ...], errors: dict[str, str]) -> str:
    """Return one of the allowed words, ignoring case (the first when absent), noting an error."""
    value = data.get(name)
    if value is None:
        return allowed[0]
    found = [word for word in allowed if isinstance(value, str) and value.strip().lower() == word.lower()]
    if not found:
        errors[name] = f"must be one of {', '.join(allowed)}"
        return allowed[0]
    return found[0]


def _adjustment_fields(data: object, maximum_kobo: int) -> dict[str, Any]:
    """Validate a manual adjustment; return user, amount, reason, direction and status, or refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    if data.get("type") != TxType.ADJUSTMENT.value:
        errors["type"] = "must be ADJUSTMENT (other types are written by their own records)"
    user = db.session.get(User, data["user_id"]) if is_id(data.get("user_id")) else None
    if user is None:
        errors["user_id"] = "required: the id of an existing user"
    fields = {
        "amount_kobo": amount_field(data, errors, maximum_kobo=maximum_kobo),
        "reason": text_field(data, "reason", errors, min_len=5, max_len=500, multiline=True),
        "direction": _choice(data, "direction", DIRECTIONS, errors),
        "status": _choice(data, "status", tuple(s.value for s in ADJUSTMENT_STATUSES), errors),
    }
    if errors:
        raise ValidationFailed("Check the adjustment.", errors)
    return fields | {"user": user}


@refusals_roll_back
def create_adjustment(
    data: Mapping[str, Any], *, actor_id: int, now: datetime | None = None, maximum_kobo: int = MAX_AMOUNT_KOBO
) -> Transaction:
    """Record a manual ADJUSTMENT for a user (SUCCESSFUL unless PENDING is asked for), with its reason."""
    now = now or utcnow()
    fields = _adjustment_fields(data, maximum_kobo)
    user, direction = fields["user"], fields["direction"]
    if direction == "debit" and fields["status"] == TxStatus.SUCCESSFUL.value:
        _check_debit(user.id, fields["amount_kobo"])  # a PENDING debit is checked when it is settled
    tx = ledger.record_transaction(
        tx_type=TxType.ADJUSTMENT,
        category=TxCategory.MANUAL,
        amount_kobo=fields["amount_kobo"],
        status=TxStatus(fields["status"]),
        user_id=user.id,
        cooperative_id=user.cooperative_id,
        description=f"Manual {direction} adjustment",
        reason=fields["reason"],
        is_debit=direction == "debit",
        created_by_id=actor_id,
        now=now,
    )
    summary = (
        f"{person_name(actor_id)} recorded a {format_naira(tx.amount_kobo)} {direction} adjustment "
        f"for {user.full_name} ({tx.status.label.lower()})"
    )
    _signal("transaction.created", tx, None, actor_id, summary, now)
    realtime.commit()
    return tx


def _check_debit(user_id: int, amount: int) -> None:
    """Lock the member and refuse (422) a debit above what they could withdraw (it would break O ≤ 6 × (S − W))."""
    balances.lock_member(user_id)
    pos = balances.position(user_id)
    if amount > pos.withdrawable_kobo:
        held = balances.held_back_reason(pos)
        message = f"must not exceed the member's withdrawable savings of {format_naira(pos.withdrawable_kobo)}"
        raise ValidationFailed(
            "The debit is more than the member's free savings" + (f": {held}." if held else "."),
            {"amount_kobo": message},
        )


def _check_settling_debit(tx: Transaction, status: TxStatus) -> None:
    """Refuse (409) settling a PENDING debit adjustment that the member's savings can no longer bear."""
    if tx.type is not TxType.ADJUSTMENT or not tx.is_debit or status is not TxStatus.SUCCESSFUL or not tx.user_id:
        return
    balances.lock_member(tx.user_id)
    pos = balances.position(tx.user_id)
    if tx.amount_kobo > pos.withdrawable_kobo:
        held = balances.held_back_reason(pos)
        raise Conflict(
            f"Only {format_naira(pos.withdrawable_kobo)} of the member's savings is free"
            + (f" ({held})" if held else "")
            + f"; a {format_naira(tx.amount_kobo)} debit cannot be settled."
        )


def _movable(tx_id: int) -> Transaction:
    """Return a ledger line that may be moved by hand; refuse lines that belong to another record."""
    tx = db.session.get(Transaction, tx_id) if is_id(tx_id) else None
    if tx is None:
        raise NotFound("Transaction not found.")
    kind = linked_records([tx.id]).get(tx.id)
    if kind is not None:
        raise Conflict(
            f"This transaction belongs to a {kind}; its status follows that {kind} and cannot be changed by hand."
        )
    return tx


@refusals_roll_back
def change_status(
    tx_id: int,
    new_status: TxStatus | str,
    *,
    actor_id: int,
    notes: str | None = None,
    now: datetime | None = None,
) -> Transaction:
    """Move a PENDING ledger line to SUCCESSFUL, FAILED or CANCELLED (nothing leaves a final status)."""
    now = now or utcnow()
    status, notes = parse_status(new_status, TxStatus), notes_value(notes)
    tx = _movable(tx_id)
    _check_settling_debit(tx, status)
    before = _state(tx)
    transition_status(tx, status, "transaction", updated_at=now)
    summary = (
        f"{person_name(actor_id)} marked the {format_naira(tx.amount_kobo)} transaction {tx.reference} "
        f"as {status.label.lower()}"
    )
    _signal(f"transaction.{status.value.lower()}", tx, before, actor_id, summary, now, notes=notes)
    realtime.commit()
    return tx


def cancel_transaction(
    tx_id: int, *, actor_id: int, notes: str | None = None, now: datetime | None = None
) -> Transaction:
    """Cancel a PENDING ledger line ("deleting" a transaction: the row itself is kept)."""
    return change_status(tx_id, TxStatus.CANCELLED, actor_id=actor_id, notes=notes, now=now)


def user_id_for(reference: str) -> int | None:
    """Return the id of the user named by an email address or a numeric id (None when unknown)."""
    return user_ref_id(reference)
