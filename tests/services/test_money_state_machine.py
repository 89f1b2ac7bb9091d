"""Random sequences of money steps by the right roles; after every step the money rules of SPEC §3 still hold.

Hypothesis drives contributions, loan applications, approvals and rejections, repayments (offline and through the
gateway), withdrawal requests, approvals and processing (four eyes), and savings adjustments. A refused step is
fine (that is the product saying no); after every step, for every member O ≤ 6 × (S − W) and no balance is
negative, every loan's repaid ≤ total due (COMPLETED exactly when fully repaid), and the dashboard figures equal
the sums of their ledger rows. Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from nogalss_app.extensions import db
from nogalss_app.models import Loan, LoanStatus, Role, Transaction, TxStatus, TxType, Withdrawal
from nogalss_app.models.enums import OUTSTANDING_LOAN_STATUSES
from nogalss_app.services import balances, contributions, loans, repayments, transactions, withdrawals
from nogalss_app.services.actor import Actor
from nogalss_app.services.errors import ServiceError
from nogalss_app.services.payments import core
from nogalss_app.services.stats.panels import finance as finance_panels
from nogalss_app.services.stats.panels import member as member_panels
from nogalss_app.services.stats.scope import Scope
from tests import factories
from tests.factories import ContributionFactory
from tests.support.clock import LONG_AGO

MEMBERS = 3
amounts = st.integers(min_value=1, max_value=400_000_00)
small = st.integers(min_value=1, max_value=40_000_00)
who = st.integers(min_value=0, max_value=MEMBERS - 1)
who_of_two = st.integers(min_value=0, max_value=1)


def empty_tables() -> None:
    """Delete every row, so each example starts from an empty database."""
    db.session.remove()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


def ledger_sum(*where) -> int:
    """Return the sum of SUCCESSFUL ledger lines matching `where`."""
    total = sa.func.coalesce(sa.func.sum(Transaction.amount_kobo), 0)
    return int(db.session.scalar(sa.select(total).where(Transaction.status == TxStatus.SUCCESSFUL, *where)))


def refused_or_done(step) -> object:
    """Run a step; a refusal (ServiceError) is an allowed outcome, anything else would fail the test."""
    try:
        return step()
    except ServiceError:
        return None


class MoneyMachine(RuleBasedStateMachine):
    """One cooperative, three savers, a leader, two finance officers, an apex officer and a super admin."""

    loan_ids = Bundle("loans")
    withdrawal_ids = Bundle("withdrawals")

    def __init__(self) -> None:
        super().__init__()
        empty_tables()
        leader = factories.user(Role.LEADER)
        self.leader = Actor.of(leader)
        self.apex = Actor.of(factories.user(Role.APEX))
        self.finance = [Actor.of(factories.user(Role.FINANCE)), Actor.of(factories.user(Role.FINANCE))]
        self.admin = Actor.of(factories.user(Role.SUPER_ADMIN))
        self.members = []
        for n in range(MEMBERS):
            member = factories.user(Role.MEMBER, cooperative_id=leader.cooperative_id)
            ContributionFactory(user=member, amount_kobo=20_000_00 * (n + 1), created_at=LONG_AGO)
            self.members.append(member.id)

    # Savings ---------------------------------------------------------------------------------------------------

    @rule(member=who, amount=small)
    def contribute(self, member, amount):
        payment = contributions.start_contribution(self.members[member], amount)
        core.confirm_payment(payment.reference, amount_kobo=amount, currency="NGN", gateway_status="success")

    @rule(member=who, amount=small, debit=st.booleans())
    def adjust(self, member, amount, debit):
        body = {"type": "ADJUSTMENT", "user_id": self.members[member], "amount_kobo": amount, "reason": "Correction"}
        body["direction"] = "debit" if debit else "credit"
        refused_or_done(lambda: transactions.create_adjustment(body, actor_id=self.admin.id))

    # Loans -----------------------------------------------------------------------------------------------------

    @rule(target=loan_ids, member=who, amount=amounts, months=st.integers(min_value=1, max_value=12))
    def apply(self, member, amount, months):
        application = {"amount_kobo": amount, "purpose": "Trade", "duration_months": months}
        loan = refused_or_done(lambda: loans.apply_for_loan(self.members[member], application))
        return loan.id if loan else 0

    @rule(loan_id=loan_ids, approve=st.booleans(), by_apex=st.booleans())
    def decide_loan(self, loan_id, approve, by_apex):
        actor = self.apex if by_apex else self.leader
        status = "APPROVED" if approve else "REJECTED"
        refused_or_done(lambda: loans.decide_loan(loan_id, status, actor=actor))

    @rule(loan_id=loan_ids, amount=small, reference=st.integers(min_value=1, max_value=30))
    def repay_offline(self, loan_id, amount, reference):
        data = {"amount_kobo": amount, "reference": f"TELLER-{reference}", "paid_on": "2026-01-02"}
        refused_or_done(lambda: repayments.record_offline_repayment(loan_id, data, actor=self.finance[0]))

    @rule(loan_id=loan_ids, amount=small, everything=st.booleans())
    def repay_through_the_gateway(self, loan_id, amount, everything):
        loan = db.session.get(Loan, loan_id)
        if loan is None:
            return
        amount = loan.remaining_kobo if everything and loan.remaining_kobo > 0 else amount
        payment = refused_or_done(lambda: repayments.start_repayment(loan.user_id, loan_id, amount, gateway="sandbox"))
        if payment is not None:
            core.confirm_payment(payment.reference, amount_kobo=amount, currency="NGN", gateway_status="success")

    # Withdrawals -----------------------------------------------------------------------------------------------

    @rule(target=withdrawal_ids, member=who, amount=small)
    def request_withdrawal(self, member, amount):
        request = {"amount_kobo": amount, "reason": "School fees"}
        withdrawal = refused_or_done(lambda: withdrawals.request_withdrawal(self.members[member], request))
        return withdrawal.id if withdrawal else 0

    @rule(
        withdrawal_id=withdrawal_ids,
        status=st.sampled_from(["APPROVED", "REJECTED", "PROCESSED"]),
        by=st.integers(0, 1),
    )
    def decide_withdrawal(self, withdrawal_id, status, by):
        refused_or_done(lambda: withdrawals.decide_withdrawal(withdrawal_id, status, actor=self.finance[by]))

    # After every step ------------------------------------------------------------------------------------------

    @invariant()
    def every_member_keeps_the_invariant(self):
        db.session.rollback()
        for member_id in self.members:
            pos = balances.position(member_id)
            assert pos.savings_kobo >= 0 and pos.committed_kobo >= 0, pos
            assert pos.outstanding_kobo <= 6 * (pos.savings_kobo - pos.committed_kobo), pos

    @invariant()
    def no_loan_is_repaid_beyond_its_total_due(self):
        for loan in db.session.scalars(sa.select(Loan)):
            assert 0 <= loan.repaid_kobo <= loan.total_due_kobo
            assert (loan.status is LoanStatus.COMPLETED) == (loan.repaid_kobo == loan.total_due_kobo > 0)
            repaid = ledger_sum(Transaction.type == TxType.REPAYMENT, Transaction.loan_id == loan.id)
            assert repaid == loan.repaid_kobo

    @invariant()
    def figures_equal_the_sums_of_their_ledger_rows(self):
        scope = Scope(self.finance[0].id, Role.FINANCE)
        overview = finance_panels.overview(scope)
        assert overview["repayments_kobo"] == ledger_sum(Transaction.type == TxType.REPAYMENT)
        assert overview["loans_disbursed_kobo"] == ledger_sum(Transaction.type == TxType.LOAN_DISBURSEMENT)
        assert overview["withdrawals_processed_kobo"] == ledger_sum(Transaction.type == TxType.WITHDRAWAL)
        assert overview["contributions_kobo"] == ledger_sum(Transaction.type == TxType.CONTRIBUTION)
        portfolio = finance_panels.loans(scope)
        outstanding = db.session.scalars(sa.select(Loan).where(Loan.status.in_(sorted(OUTSTANDING_LOAN_STATUSES))))
        assert portfolio["outstanding_kobo"] == sum(loan.remaining_kobo for loan in outstanding)
        for member_id in self.members:
            savings = member_panels.savings(Scope(member_id, Role.MEMBER, member_id=member_id))
            mine = Transaction.user_id == member_id
            debit = sa.and_(Transaction.type == TxType.ADJUSTMENT, Transaction.is_debit.is_(True))
            credit = sa.and_(Transaction.type == TxType.ADJUSTMENT, Transaction.is_debit.is_(False))
            expected = (
                ledger_sum(mine, Transaction.type == TxType.CONTRIBUTION)
                + ledger_sum(mine, credit)
                - ledger_sum(mine, debit)
                - ledger_sum(mine, Transaction.type == TxType.WITHDRAWAL)
            )
            assert savings["balance_kobo"] == expected
        processed = db.session.scalars(sa.select(Withdrawal).where(Withdrawal.transaction_id.is_not(None)))
        for withdrawal in processed:
            assert withdrawal.processed_by_id != withdrawal.decided_by_id  # four eyes (no super admin here)


def test_random_sequences_of_money_steps_keep_the_rules(app):
    postgres = db.engine.dialect.name == "postgresql"
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=5 if postgres else 20,  # a PostgreSQL step costs more: keep the run under about a minute
            stateful_step_count=25,
            phases=[Phase.explicit, Phase.generate] if os.environ.get("MONEY_SM_NO_SHRINK") else list(Phase),
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            derandomize=True,
        ),
    )
