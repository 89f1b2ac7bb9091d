"""Figures of the cooperative and parent-organization dashboards, and the leader shares nobody can be named for.

Every query is filtered in SQL by the cooperative or organization in scope; a share "earned" is the sum of the
Allocation rows paid to that recipient, so each dashboard's total equals the sum of its rows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    Allocation,
    Contribution,
    Cooperative,
    Loan,
    Recipient,
    Role,
    Transaction,
    TxStatus,
    TxType,
    User,
)
from ...models.enums import OUTSTANDING_LOAN_STATUSES
from .queries_coop import sum_kobo

ALLOCATION_LIMIT = 10


def _one(query: sa.Select) -> int:
    """Return a one-value SELECT as an int (0 for no rows)."""
    return int(db.session.scalar(query) or 0)


def _active_members(*where: Any) -> sa.Select:
    """Return the SELECT counting active MEMBER users matching the conditions."""
    return sa.select(sa.func.count(User.id)).where(User.role == Role.MEMBER, User.is_active.is_(True), *where)


def _outstanding(cooperative_id: int) -> int:
    """Return what is still owed on the cooperative's APPROVED/ACTIVE loans (total due − repaid, as balances counts)."""
    owed = sa.select(sum_kobo(Loan.total_due_kobo - Loan.repaid_kobo)).where(
        Loan.cooperative_id == cooperative_id, Loan.status.in_(sorted(OUTSTANDING_LOAN_STATUSES))
    )
    return _one(owed)


def earned(recipient: Recipient, **where: int) -> dict[str, int]:
    """Return the sum and number of the Allocation rows paid to a recipient (filtered by the given columns)."""
    conditions = [Allocation.recipient == recipient] + [getattr(Allocation, k) == v for k, v in where.items()]
    row = db.session.execute(
        sa.select(sum_kobo(Allocation.amount_kobo), sa.func.count(Allocation.id)).where(*conditions)
    ).one()
    return {"amount_kobo": int(row[0]), "count": int(row[1])}


def cooperative_overview(cooperative_id: int) -> dict[str, int]:
    """Members, contributions, loans outstanding and the cooperative's allocation earned."""
    in_coop = Contribution.cooperative_id == cooperative_id
    share = earned(Recipient.COOPERATIVE, cooperative_id=cooperative_id)
    return {
        "members_count": _one(_active_members(User.cooperative_id == cooperative_id)),
        "contributions_total_kobo": _one(sa.select(sum_kobo(Contribution.amount_kobo)).where(in_coop)),
        "contributions_count": _one(sa.select(sa.func.count(Contribution.id)).where(in_coop)),
        "loans_outstanding_kobo": _outstanding(cooperative_id),
        "cooperative_allocation_kobo": share["amount_kobo"],
        "cooperative_allocation_count": share["count"],
    }


def recent_allocations(recipient: Recipient, *, limit: int = ALLOCATION_LIMIT, **where: int) -> list[dict[str, Any]]:
    """Return the newest allocation rows paid to a recipient: payer, fee, share, date, reference."""
    conditions = [Allocation.recipient == recipient] + [getattr(Allocation, k) == v for k, v in where.items()]
    rows = db.session.execute(
        sa.select(
            Allocation.id,
            Allocation.amount_kobo,
            Allocation.fee_kobo,
            Allocation.bp,
            Allocation.created_at,
            Transaction.reference,
            Transaction.category,
            Cooperative.name.label("cooperative"),
            User.first_name,
            User.last_name,
        )
        .join(Transaction, Transaction.id == Allocation.transaction_id)
        .outerjoin(Cooperative, Cooperative.id == Allocation.cooperative_id)
        .outerjoin(User, User.id == Allocation.payer_user_id)
        .where(*conditions)
        .order_by(Allocation.created_at.desc(), Allocation.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "payer": f"{r.first_name or ''} {r.last_name or ''}".strip() or "—",
            "cooperative": r.cooperative,
            "what": r.category.label if r.category else "",
            "fee_kobo": int(r.fee_kobo),
            "amount_kobo": int(r.amount_kobo),
            "bp": int(r.bp),
            "paid_at": r.created_at,
            "reference": r.reference,
        }
        for r in rows
    ]


def _fees_by_cooperative(coop_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Return {cooperative: (sum, count)} of its successful registration fees (member and cooperative)."""
    if not coop_ids:
        return {}
    query = (
        sa.select(Transaction.cooperative_id, sum_kobo(Transaction.amount_kobo), sa.func.count(Transaction.id))
        .where(
            Transaction.cooperative_id.in_(coop_ids),
            Transaction.type == TxType.FEE,
            Transaction.status == TxStatus.SUCCESSFUL,
        )
        .group_by(Transaction.cooperative_id)
    )
    return {cid: (int(total), int(count)) for cid, total, count in db.session.execute(query).all()}


def _grouped(column: Any, value: Any, coop_ids: list[int], *where: Any) -> dict[int, int]:
    """Return {cooperative: aggregate} for the cooperatives, grouped by `column`."""
    if not coop_ids:
        return {}
    query = sa.select(column, value).where(column.in_(coop_ids), *where).group_by(column)
    return {cid: int(v) for cid, v in db.session.execute(query).all()}


def organization_cooperatives(organization_id: int) -> list[dict[str, Any]]:
    """Return the organization's cooperatives by name, each with members, contributions and fees."""
    coops = db.session.execute(
        sa.select(Cooperative.id, Cooperative.name, Cooperative.registration_number, Cooperative.is_active)
        .where(Cooperative.parent_organization_id == organization_id)
        .order_by(Cooperative.name, Cooperative.id)
    ).all()
    ids = [c.id for c in coops]
    members = _grouped(User.cooperative_id, sa.func.count(User.id), ids, User.role == Role.MEMBER, User.is_active)
    saved = _grouped(Contribution.cooperative_id, sum_kobo(Contribution.amount_kobo), ids)
    fees = _fees_by_cooperative(ids)
    return [
        {
            "id": c.id,
            "name": c.name,
            "registration_number": c.registration_number,
            "is_active": c.is_active,
            "members_count": members.get(c.id, 0),
            "contributions_total_kobo": saved.get(c.id, 0),
            "fees_total_kobo": fees.get(c.id, (0, 0))[0],
            "fees_count": fees.get(c.id, (0, 0))[1],
        }
        for c in coops
    ]


def organization_overview(organization_id: int) -> dict[str, int]:
    """Cooperatives, members, registration fees of its cooperatives and the organization's allocation earned."""
    coops = organization_cooperatives(organization_id)
    share = earned(Recipient.PARENT_ORGANIZATION, parent_organization_id=organization_id)
    return {
        "cooperatives_count": len(coops),
        "members_count": sum(c["members_count"] for c in coops),
        "fees_total_kobo": sum(c["fees_total_kobo"] for c in coops),
        "fees_count": sum(c["fees_count"] for c in coops),
        "organization_allocation_kobo": share["amount_kobo"],
        "organization_allocation_count": share["count"],
    }


def unattributed_leader_shares() -> dict[str, int]:
    """Return the LEADER shares that name no leader (fees paid before anyone led the cooperative): sum and rows."""
    row = db.session.execute(
        sa.select(sum_kobo(Allocation.amount_kobo), sa.func.count(Allocation.id)).where(
            Allocation.recipient == Recipient.LEADER, Allocation.leader_user_id.is_(None)
        )
    ).one()
    return {"amount_kobo": int(row[0]), "count": int(row[1])}


def cooperative_loans(cooperative_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """Return the cooperative's loans, newest first: member, amount, status, repaid and outstanding."""
    rows = db.session.execute(
        sa.select(Loan, User.first_name, User.last_name)
        .join(User, User.id == Loan.user_id)
        .where(Loan.cooperative_id == cooperative_id)
        .order_by(Loan.created_at.desc(), Loan.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": loan.id,
            "member": f"{first} {last}".strip(),
            "amount_kobo": int(loan.amount_kobo),
            "repaid_kobo": int(loan.repaid_kobo or 0),
            "outstanding_kobo": (loan.remaining_kobo if loan.status in OUTSTANDING_LOAN_STATUSES else 0),
            "status": loan.status,
            "applied_at": loan.created_at,
        }
        for loan, first, last in rows
    ]
