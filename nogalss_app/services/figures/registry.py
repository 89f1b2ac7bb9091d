"""Every drill-down figure: (dashboard, panel, key) → its rows, from which the total, count and pages are read.

Each figure's filter reuses the predicates the panel's own query uses (INFLOW, OUTFLOW, the disbursed loan
statuses, the panel's period), so a ledger kind added to those predicates appears in both without a change here.
A test walks every `data-figure` link of every dashboard and checks the figure shown equals this total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    Allocation,
    Contribution,
    Cooperative,
    Expense,
    ExpenseStatus,
    LeaderLink,
    Loan,
    LoanInstalment,
    LoanStatus,
    Recipient,
    Role,
    Transaction,
    TxStatus,
    TxType,
    User,
    Withdrawal,
    WithdrawalStatus,
)
from ...models.enums import DISBURSED_LOAN_STATUSES, OUTSTANDING_LOAN_STATUSES
from ..errors import NotFound, ValidationFailed
from ..fields import id_from_text
from ..periods import local_today
from ..stats import compute
from ..stats import queries_platform_finance as qf
from ..stats.panels.super_admin import distribution_months
from ..stats.queries_funds import REGISTRATION_CATEGORIES
from ..stats.queries_loans import PAR_DAYS
from ..stats.queries_platform import IS_FEE, SUCCESSFUL
from ..stats.scope import Scope
from . import sources

FINANCE_MONTHS = 6
FUND_MONTHS = 12

Rows = Callable[[Scope], sa.Select]


@dataclass(frozen=True)
class Figure:
    """One money figure of one panel and the rows that add up to it."""

    dashboard: str
    panel: str
    key: str
    label: str
    rows: Rows
    # Query parameters of the figure itself beyond the panel's options, e.g. `month` for one row of a table.
    extra: tuple[str, ...] = ()


def _coop(scope: Scope) -> int:
    """Return the cooperative in scope (leader figures never run without one)."""
    if scope.cooperative_id is None:
        raise ValueError("leader figures need a cooperative in scope")
    return scope.cooperative_id


def _member(scope: Scope) -> int:
    """Return the member in scope (member figures never run without one)."""
    if scope.member_id is None:
        raise ValueError("member figures need a member in scope")
    return scope.member_id


def _window(column, scope: Scope, months: int) -> sa.ColumnElement[bool]:
    """Return `column` inside the last `months` calendar months (Nigerian time), as the panels count them.

    With a `month` parameter (YYYY-MM, one of those months) only that month: one row of the panel's table.
    """
    span = compute.last_months(scope.now, months)
    chosen = scope.params.get("month")
    if chosen:
        found = [m for m in span if m.key == chosen]
        if not found:
            raise ValidationFailed("Check the month.", {"month": f"must be one of the last {months} months"})
        span = found
    return sa.and_(column >= span[0].start, column < span[-1].end)


def _union(*selects: sa.Select) -> sa.Select:
    """Combine sources with the same columns into one SELECT."""
    union = sa.union_all(*selects).subquery()
    return sa.select(*union.c)


# Shared definitions ---------------------------------------------------------------------------------------------

DISBURSED = Loan.status.in_(sorted(DISBURSED_LOAN_STATUSES))
PROCESSED = Withdrawal.status == WithdrawalStatus.PROCESSED
REGISTRATION_FEE = sa.and_(IS_FEE, Transaction.category.in_(REGISTRATION_CATEGORIES))


def _fees(scope: Scope) -> sa.Select:
    return sources.ledger(IS_FEE)


def _contributions(scope: Scope) -> sa.Select:
    return sources.contributions()


def _repayments(scope: Scope) -> sa.Select:
    return sources.ledger(SUCCESSFUL, Transaction.type == TxType.REPAYMENT)


def _disbursed(scope: Scope) -> sa.Select:
    return sources.loans(DISBURSED)


def _processed(scope: Scope) -> sa.Select:
    return sources.withdrawals(PROCESSED)


def _inflow(scope: Scope) -> sa.Select:
    return sources.ledger(qf.INFLOW)


def _outflow(scope: Scope) -> sa.Select:
    return sources.ledger(qf.OUTFLOW)


def _net(scope: Scope) -> sa.Select:
    return sources.ledger(sa.or_(qf.INFLOW, qf.OUTFLOW), negative=qf.OUTFLOW)


def _inflow_months(scope: Scope) -> sa.Select:
    return sources.ledger(qf.INFLOW, _window(Transaction.created_at, scope, FINANCE_MONTHS))


def _outflow_months(scope: Scope) -> sa.Select:
    return sources.ledger(qf.OUTFLOW, _window(Transaction.created_at, scope, FINANCE_MONTHS))


def _net_months(scope: Scope) -> sa.Select:
    inside = _window(Transaction.created_at, scope, FINANCE_MONTHS)
    return sources.ledger(sa.or_(qf.INFLOW, qf.OUTFLOW), inside, negative=qf.OUTFLOW)


def _queue(scope: Scope) -> sa.Select:
    return sources.withdrawals(Withdrawal.status.in_(sorted(qf.QUEUE_STATUSES)))


def _own_expenses(scope: Scope) -> sa.Select:
    return sources.expenses(Expense.created_by_id == scope.viewer_id)


def _all_expenses(scope: Scope) -> sa.Select:
    return sources.expenses()


def _distribution(scope: Scope) -> sa.Select:
    """Contributions of the distribution panel's period; with `row`, one row of its table (a month or cooperative)."""
    period = scope.params.get("period", "all")
    row = scope.params.get("row")
    created = Contribution.created_at
    if scope.params.get("group") == "month":
        months, earlier = distribution_months(period, scope.now)
        if row == "earlier" and earlier:
            return sources.contributions(created < months[0].start)
        if row:
            month = next((m for m in months if m.key == row), None)
            if month is None:
                raise ValidationFailed("Check the row.", {"row": "must be one of the panel's months"})
            return sources.contributions(created >= month.start, created < month.end)
        lower = None if earlier else months[0].start
        return sources.contributions(created < months[-1].end, *(() if lower is None else (created >= lower,)))
    since = compute.period_start(period, scope.now)
    where = () if since is None else (created >= since,)
    if row:
        coop_id = id_from_text(row)
        if coop_id is None:
            raise ValidationFailed("Check the row.", {"row": "must be a cooperative number"})
        where = (*where, Contribution.cooperative_id == coop_id)
    return sources.contributions(*where)


def _pending_loans(scope: Scope) -> sa.Select:
    return sources.loans(Loan.status == LoanStatus.PENDING)


def _fund(recipient: Recipient) -> tuple[Rows, Rows, Rows]:
    """Return a fund's fee, share and 12-month share row sources."""

    def fees(scope: Scope) -> sa.Select:
        return sources.ledger(REGISTRATION_FEE)

    def share(scope: Scope) -> sa.Select:
        return sources.allocations(Allocation.recipient == recipient)

    def share_months(scope: Scope) -> sa.Select:
        return sources.allocations(
            Allocation.recipient == recipient, _window(Allocation.created_at, scope, FUND_MONTHS)
        )

    return fees, share, share_months


def _coop_contributions(scope: Scope) -> sa.Select:
    return sources.contributions(Contribution.cooperative_id == _coop(scope))


def _coop_pending_loans(scope: Scope) -> sa.Select:
    return sources.loans(Loan.cooperative_id == _coop(scope), Loan.status == LoanStatus.PENDING)


def _leader_allocation(scope: Scope) -> sa.Select:
    coop_id = _coop(scope)
    leader_id = sa.select(LeaderLink.user_id).where(LeaderLink.cooperative_id == coop_id).scalar_subquery()
    return sources.allocations(
        Allocation.recipient == Recipient.LEADER,
        Allocation.cooperative_id == coop_id,
        Allocation.leader_user_id == leader_id,
    )


def _coop_member_balance(scope: Scope) -> sa.Select:
    """Savings movements of the cooperative's members; with `of`, of one of them (another's is a 404)."""
    coop_id = _coop(scope)
    members = sa.select(User.id).where(User.cooperative_id == coop_id, User.role == Role.MEMBER)
    raw = scope.params.get("of")
    if raw:
        member_id = id_from_text(raw)
        if member_id is None or db.session.scalar(members.where(User.id == member_id)) is None:
            raise NotFound("No such member in this cooperative.")
        members = sa.select(sa.literal(member_id))
    return _union(
        sources.contributions(Contribution.user_id.in_(members)),
        _adjustments(Transaction.user_id.in_(members)),
        sources.withdrawals(Withdrawal.user_id.in_(members), PROCESSED, negative=True),
    )


def _adjustments(*where: sa.ColumnElement[bool]) -> sa.Select:
    """Successful savings adjustments (services.balances): credits add to savings, debits take from them."""
    return sources.ledger(
        Transaction.type == TxType.ADJUSTMENT,
        Transaction.status == TxStatus.SUCCESSFUL,
        *where,
        negative=Transaction.is_debit.is_(True),
    )


def _member_balance(scope: Scope) -> sa.Select:
    """The member's savings: contributions ± successful adjustments − processed withdrawals."""
    user_id = _member(scope)
    return _union(
        sources.contributions(Contribution.user_id == user_id),
        _adjustments(Transaction.user_id == user_id),
        sources.withdrawals(Withdrawal.user_id == user_id, PROCESSED, negative=True),
    )


def _member_contributed(scope: Scope) -> sa.Select:
    return sources.contributions(Contribution.user_id == _member(scope))


def _member_this_month(scope: Scope) -> sa.Select:
    since = compute.period_start("month", scope.now)
    return sources.contributions(Contribution.user_id == _member(scope), Contribution.created_at >= since)


def _member_withdrawn(scope: Scope) -> sa.Select:
    return sources.withdrawals(Withdrawal.user_id == _member(scope), PROCESSED)


# Loans (money's schedule: loan_instalments covered in order by repaid_kobo, services.loan_terms.standing) -------

OUTSTANDING = Loan.status.in_(sorted(OUTSTANDING_LOAN_STATUSES))
REMAINING = Loan.total_due_kobo - Loan.repaid_kobo


def _due_before(day) -> sa.ScalarSelect:
    """Return Σ of the loan's instalments due before `day` (correlated to Loan)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(LoanInstalment.amount_kobo), 0))
        .where(LoanInstalment.loan_id == Loan.id, LoanInstalment.due_on < day)
        .correlate(Loan)
        .scalar_subquery()
    )


def arrears_kobo(today) -> sa.ColumnElement[int]:
    """Return a loan's arrears on `today` in SQL, as `loan_terms.standing` computes it.

    Instalments are covered in order and fall due in order, so the overdue ones are a prefix of the schedule and
    what is unpaid of them is max(0, Σ due before today − repaid).
    """
    due = _due_before(today)
    return sa.case((due > Loan.repaid_kobo, due - Loan.repaid_kobo), else_=0)


def more_days_past_due_than(days: int, today) -> sa.ColumnElement[bool]:
    """Return whether a loan's oldest unpaid instalment is more than `days` past due on `today`."""
    return _due_before(today - timedelta(days=days)) > Loan.repaid_kobo


def _outstanding_loans(*where: sa.ColumnElement[bool]) -> sa.Select:
    """APPROVED/ACTIVE loans, each with what is still owed (total due − repaid)."""
    return sources.loans(OUTSTANDING, *where, amount=REMAINING)


def _loans_in_arrears(scope: Scope, *where: sa.ColumnElement[bool]) -> sa.Select:
    """Outstanding loans in arrears today, each with its amount in arrears."""
    owed = arrears_kobo(local_today(scope.now))
    return sources.loans(OUTSTANDING, owed > 0, *where, amount=owed)


def _portfolio_outstanding(scope: Scope) -> sa.Select:
    return _outstanding_loans()


def _portfolio_arrears(scope: Scope) -> sa.Select:
    return _loans_in_arrears(scope)


def _portfolio_at_risk(scope: Scope) -> sa.Select:
    return _outstanding_loans(more_days_past_due_than(PAR_DAYS, local_today(scope.now)))


def _repaid_this_month(scope: Scope) -> sa.Select:
    month = compute.last_months(scope.now, 1)[0]
    return sources.ledger(
        SUCCESSFUL,
        Transaction.type == TxType.REPAYMENT,
        Transaction.created_at >= month.start,
        Transaction.created_at < month.end,
    )


def _coop_arrears(scope: Scope) -> sa.Select:
    return _loans_in_arrears(scope, Loan.cooperative_id == _coop(scope))


def _coop_outstanding(scope: Scope) -> sa.Select:
    return _outstanding_loans(Loan.cooperative_id == _coop(scope))


def _member_outstanding(scope: Scope) -> sa.Select:
    return _outstanding_loans(Loan.user_id == _member(scope))


def _one_loan(scope: Scope, *where: sa.ColumnElement[bool]) -> int:
    """Return the loan of the `loan` parameter when it matches `where` (else 404: not in this figure's scope)."""
    loan_id = id_from_text(scope.params.get("loan") or "")
    if loan_id is None:
        raise ValidationFailed("Check the loan.", {"loan": "must be a loan number"})
    if db.session.scalar(sa.select(Loan.id).where(Loan.id == loan_id, *where)) is None:
        raise NotFound("No such loan here.")
    return loan_id


def _loan_left(loan_id: int) -> sa.Select:
    """What is still owed on one outstanding loan: its total due (+) less each successful repayment (−)."""
    return _union(
        sources.loans(Loan.id == loan_id, OUTSTANDING, amount=Loan.total_due_kobo),
        sources.ledger(
            SUCCESSFUL,
            Transaction.type == TxType.REPAYMENT,
            Transaction.loan_id == loan_id,
            sa.exists().where(Loan.id == loan_id, OUTSTANDING),
            negative=sa.true(),
        ),
    )


def _loan_repaid(loan_id: int) -> sa.Select:
    """The successful repayment lines of one loan (their sum is its repaid amount)."""
    return sources.ledger(SUCCESSFUL, Transaction.type == TxType.REPAYMENT, Transaction.loan_id == loan_id)


def _member_loan_repaid(scope: Scope) -> sa.Select:
    return _loan_repaid(_one_loan(scope, Loan.user_id == _member(scope)))


def _member_loan_left(scope: Scope) -> sa.Select:
    return _loan_left(_one_loan(scope, Loan.user_id == _member(scope)))


def _coop_loan_repaid(scope: Scope) -> sa.Select:
    return _loan_repaid(_one_loan(scope, Loan.cooperative_id == _coop(scope)))


def _coop_loan_left(scope: Scope) -> sa.Select:
    return _loan_left(_one_loan(scope, Loan.cooperative_id == _coop(scope)))


def _unattributed_leader(scope: Scope) -> sa.Select:
    """LEADER shares of fees paid while nobody led the cooperative (they name no leader)."""
    return sources.allocations(Allocation.recipient == Recipient.LEADER, Allocation.leader_user_id.is_(None))


def _any_loan_left(scope: Scope) -> sa.Select:
    return _loan_left(_one_loan(scope))


# Cooperative and parent-organization dashboards -------------------------------------------------------------------


def _coop_allocation(scope: Scope) -> sa.Select:
    return sources.allocations(Allocation.recipient == Recipient.COOPERATIVE, Allocation.cooperative_id == _coop(scope))


def _organization(scope: Scope) -> int:
    """Return the parent organization in scope (its figures never run without one)."""
    if scope.organization_id is None:
        raise ValueError("parent organization figures need an organization in scope")
    return scope.organization_id


def _organization_coops(scope: Scope) -> sa.Select:
    """The cooperatives of the organization; with `row`, only that one (another's is a 404)."""
    coops = sa.select(Cooperative.id).where(Cooperative.parent_organization_id == _organization(scope))
    raw = scope.params.get("row")
    if raw:
        coop_id = id_from_text(raw)
        if coop_id is None or db.session.scalar(coops.where(Cooperative.id == coop_id)) is None:
            raise NotFound("No such cooperative in this organization.")
        coops = sa.select(sa.literal(coop_id))
    return coops


def _organization_fees(scope: Scope) -> sa.Select:
    """Successful registration fees (member and cooperative) of the organization's cooperatives."""
    return sources.ledger(
        Transaction.type == TxType.FEE,
        Transaction.status == TxStatus.SUCCESSFUL,
        Transaction.cooperative_id.in_(_organization_coops(scope)),
    )


def _organization_contributions(scope: Scope) -> sa.Select:
    return sources.contributions(Contribution.cooperative_id.in_(_organization_coops(scope)))


def _organization_allocation(scope: Scope) -> sa.Select:
    return sources.allocations(
        Allocation.recipient == Recipient.PARENT_ORGANIZATION,
        Allocation.parent_organization_id == _organization(scope),
    )


_APEX_FEES, _APEX_SHARE, _APEX_MONTHS = _fund(Recipient.APEX_FUNDS)
_NOGALSS_FEES, _NOGALSS_SHARE, _NOGALSS_MONTHS = _fund(Recipient.NOGALSS_FUNDS)

FIGURES: list[Figure] = [
    Figure("super_admin", "overview", "registration_fees", "Registration fees paid", _fees),
    Figure("super_admin", "loans", "disbursed", "Total disbursed", _disbursed),
    Figure("super_admin", "money", "contributions", "Total contributions", _contributions),
    Figure("super_admin", "money", "loans_disbursed", "Loans disbursed", _disbursed),
    Figure("super_admin", "money", "withdrawals_processed", "Withdrawals processed", _processed),
    Figure("super_admin", "distribution", "total", "Contributions", _distribution, ("row",)),
    Figure("super_admin", "expenses", "total", "All expenses", _all_expenses),
    Figure("finance", "overview", "fees", "Registration fees", _fees),
    Figure("finance", "overview", "contributions", "Contributions", _contributions),
    Figure("finance", "overview", "repayments", "Repayments", _repayments),
    Figure("finance", "overview", "loans_disbursed", "Loans disbursed", _disbursed),
    Figure("finance", "overview", "withdrawals_processed", "Withdrawals processed", _processed),
    Figure("finance", "overview", "inflow", "Total inflow", _inflow),
    Figure("finance", "overview", "outflow", "Total outflow", _outflow),
    Figure("finance", "overview", "net", "Net", _net),
    Figure("finance", "monthly", "inflow", "Inflow", _inflow_months, ("month",)),
    Figure("finance", "monthly", "outflow", "Outflow", _outflow_months, ("month",)),
    Figure("finance", "monthly", "net", "Net", _net_months, ("month",)),
    Figure("finance", "withdrawals", "waiting", "Withdrawals waiting", _queue),
    Figure("finance", "expenses", "total", "My expenses", _own_expenses),
    Figure("apex_funds", "overview", "fees", "Registration fees", _APEX_FEES),
    Figure("apex_funds", "overview", "share", "Apex Fund share", _APEX_SHARE),
    Figure("apex_funds", "monthly", "share", "Apex Fund share", _APEX_MONTHS, ("month",)),
    Figure("nogalss_funds", "overview", "fees", "Registration fees", _NOGALSS_FEES),
    Figure("nogalss_funds", "overview", "share", "Nogalss Fund share", _NOGALSS_SHARE),
    Figure("nogalss_funds", "monthly", "share", "Nogalss Fund share", _NOGALSS_MONTHS, ("month",)),
    Figure("apex", "overview", "pending_loans", "Pending loans requested", _pending_loans),
    Figure("apex", "overview", "contributions", "Contributions", _contributions),
    Figure("apex", "overview", "loans_disbursed", "Loans disbursed", _disbursed),
    Figure("apex", "distribution", "total", "Contributions", _distribution, ("row",)),
    Figure("leader", "overview", "contributions", "Contributions", _coop_contributions),
    Figure("leader", "overview", "leader_allocation", "Leader allocation earned", _leader_allocation),
    Figure("leader", "overview", "pending_loans", "Pending loan applications", _coop_pending_loans),
    Figure("leader", "members", "balance", "Savings balance", _coop_member_balance, ("of",)),
    Figure("member", "savings", "balance", "Savings balance", _member_balance),
    Figure("member", "savings", "this_month", "Saved this month", _member_this_month),
    Figure("member", "savings", "contributed", "Contributed in all", _member_contributed),
    Figure("member", "savings", "withdrawn", "Paid out in withdrawals", _member_withdrawn),
    Figure("member", "loans", "outstanding", "Loans outstanding", _member_outstanding),
    Figure("member", "loans", "repaid", "Repaid on this loan", _member_loan_repaid, ("loan",)),
    Figure("member", "loans", "left", "Left to repay on this loan", _member_loan_left, ("loan",)),
    Figure("finance", "loans", "outstanding", "Loans outstanding", _portfolio_outstanding),
    Figure("finance", "loans", "repaid_this_month", "Repaid this month", _repaid_this_month),
    Figure("finance", "loans", "arrears", "In arrears", _portfolio_arrears),
    Figure("finance", "loans", "at_risk", "More than 30 days past due", _portfolio_at_risk),
    Figure("leader", "repayments", "arrears", "In arrears", _coop_arrears),
    Figure("leader", "repayments", "outstanding", "Outstanding in the cooperative", _coop_outstanding),
    Figure("finance", "loans", "left", "Outstanding on this loan", _any_loan_left, ("loan",)),
    Figure("leader", "repayments", "left", "Left to repay on this loan", _coop_loan_left, ("loan",)),
    Figure("super_admin", "overview", "unattributed_leader", "Leader shares unattributed", _unattributed_leader),
    Figure("apex", "loans", "left", "Outstanding on this loan", _any_loan_left, ("loan",)),
    Figure("cooperative", "overview", "contributions", "Contributions", _coop_contributions),
    Figure("cooperative", "overview", "loans_outstanding", "Loans outstanding", _coop_outstanding),
    Figure("cooperative", "overview", "allocation", "Cooperative allocation earned", _coop_allocation),
    Figure("cooperative", "members", "balance", "Savings balance", _coop_member_balance, ("of",)),
    Figure("cooperative", "loans", "repaid", "Repaid on this loan", _coop_loan_repaid, ("loan",)),
    Figure("cooperative", "loans", "left", "Outstanding on this loan", _coop_loan_left, ("loan",)),
    Figure("parent_org", "overview", "fees", "Registration fees of its cooperatives", _organization_fees),
    Figure("parent_org", "overview", "allocation", "Parent organization allocation earned", _organization_allocation),
    Figure("parent_org", "cooperatives", "contributions", "Contributions", _organization_contributions, ("row",)),
    Figure("parent_org", "cooperatives", "fees", "Registration fees", _organization_fees, ("row",)),
]


def _loans_of(status: LoanStatus) -> Rows:
    """Return the row source of loans of one status."""
    return lambda scope: sources.loans(Loan.status == status)


def _expenses_of(status: ExpenseStatus, own: bool) -> Rows:
    """Return the row source of expenses of one status (only the viewer's own when `own`)."""

    def rows(scope: Scope) -> sa.Select:
        mine = (Expense.created_by_id == scope.viewer_id,) if own else ()
        return sources.expenses(Expense.status == status, *mine)

    return rows


# Per-status sums shown beside the totals: one figure per status.
FIGURES += [Figure("super_admin", "loans", s.value.lower(), f"{s.label} loans", _loans_of(s)) for s in LoanStatus]
FIGURES += [
    Figure(dashboard, "expenses", s.value.lower(), f"{s.label} expenses", _expenses_of(s, own=dashboard == "finance"))
    for dashboard in ("super_admin", "finance")
    for s in ExpenseStatus
]

_BY_KEY = {(f.dashboard, f.panel, f.key): f for f in FIGURES}


def find_figure(dashboard: str, panel: str, key: str) -> Figure | None:
    """Return the figure of a dashboard's panel by key, or None."""
    return _BY_KEY.get((dashboard, panel, key))
