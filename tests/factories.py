"""factory_boy factories: consistent rows built directly (services are tested through their own calls).

Each factory fills in what a real row needs and derives the rest from what it is given: a member's cooperative
from the member, a contribution's successful CONTRIBUTION line from the contribution, an allocation's fee, payer
and cooperative from its fee line. Money is integer kobo. Every row is committed, as a request would see it.

    ada = factories.user("MEMBER", first_name="Ada")
    ContributionFactory(user=ada, amount_kobo=10_000_00, created_at=LONG_AGO)
    LoanFactory(user=ada, amount_kobo=20_000_00, status=LoanStatus.APPROVED)
"""

from __future__ import annotations

from datetime import datetime

import factory
from factory.alchemy import SQLAlchemyModelFactory

from nogalss_app.extensions import db
from nogalss_app.models import (
    Allocation,
    Contribution,
    Cooperative,
    EmergencyAlert,
    Expense,
    ExpenseStatus,
    LeaderLink,
    Loan,
    LoanStatus,
    Notification,
    ParentOrganization,
    Partner,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Recipient,
    Role,
    Severity,
    Transaction,
    TxCategory,
    TxStatus,
    TxType,
    User,
    Withdrawal,
    WithdrawalStatus,
)
from nogalss_app.models.types import utcnow
from nogalss_app.services.passwords import hash_password
from tests.support.bad_inputs import XSS
from tests.support.clock import LONG_AGO

PASSWORD = "correct-horse-battery"
# The category a ledger line of each type carries when nothing else is said.
CATEGORY_OF = {
    TxType.FEE: TxCategory.MEMBER_REGISTRATION,
    TxType.CONTRIBUTION: TxCategory.SAVINGS,
    TxType.LOAN_DISBURSEMENT: TxCategory.LOAN,
    TxType.REPAYMENT: TxCategory.LOAN,
    TxType.WITHDRAWAL: TxCategory.WITHDRAWAL,
    TxType.ADJUSTMENT: TxCategory.MANUAL,
}
IN_A_COOPERATIVE = (Role.MEMBER, Role.LEADER, Role.COOPERATIVE)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    """Hash once per password per run (argon2 is deliberately slow)."""
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


class _Factory(SQLAlchemyModelFactory):
    """Save through the app's session and commit, so that requests (other sessions) see the row."""

    class Meta:
        abstract = True
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "commit"


class ParentOrganizationFactory(_Factory):
    class Meta:
        model = ParentOrganization

    name = factory.Sequence(lambda n: f"Parent Org {n}")
    registration_number = factory.Sequence(lambda n: f"PO-{n:05d}")


class CooperativeFactory(_Factory):
    class Meta:
        model = Cooperative

    name = factory.Sequence(lambda n: f"Cooperative {n}")
    registration_number = factory.Sequence(lambda n: f"COOP-{n:05d}")
    parent_organization_id = factory.LazyFunction(lambda: ParentOrganizationFactory().id)


class UserFactory(_Factory):
    """An active, verified user; a MEMBER or LEADER gets a cooperative, and a LEADER leads it."""

    class Meta:
        model = User

    class Params:
        password = PASSWORD

    role = factory.Transformer(Role.MEMBER, transform=Role)
    email = factory.LazyAttributeSequence(lambda o, n: f"{o.role.value.lower()}{n}@example.test")
    first_name = factory.LazyAttribute(lambda o: o.role.label.split()[0])
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password_hash = factory.LazyAttribute(lambda o: _hash(o.password))
    is_verified = True
    cooperative_id = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role in IN_A_COOPERATIVE),
        yes_declaration=factory.LazyFunction(lambda: CooperativeFactory().id),
        no_declaration=None,
    )
    parent_organization_id = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role is Role.PARENT_ORGANIZATION),
        yes_declaration=factory.LazyFunction(lambda: ParentOrganizationFactory().id),
        no_declaration=None,
    )

    @factory.post_generation
    def leads(person: User, create: bool, extracted, **_kwargs) -> None:
        """Make a LEADER the leader of their cooperative (one leader per cooperative)."""
        if create and person.role is Role.LEADER and person.cooperative_id:
            db.session.add(LeaderLink(cooperative_id=person.cooperative_id, user_id=person.id))
            db.session.commit()


class _MaybeOwned(_Factory):
    """A row that may belong to a user (nobody unless told), and then to the user's cooperative too."""

    class Meta:
        abstract = True

    class Params:
        user = None

    user_id = factory.LazyAttribute(lambda o: o.user.id if o.user else None)
    cooperative_id = factory.LazyAttribute(lambda o: o.user.cooperative_id if o.user else None)


class TransactionFactory(_MaybeOwned):
    """One ledger line (SUCCESSFUL unless told), its category following its type."""

    class Meta:
        model = Transaction

    reference = factory.Sequence(lambda n: f"TEST-TX-{n:05d}")
    type = TxType.ADJUSTMENT
    category = factory.LazyAttribute(lambda o: CATEGORY_OF[o.type])
    status = TxStatus.SUCCESSFUL
    amount_kobo = 1_000_00
    created_at = factory.LazyFunction(utcnow)


class _OwnedBy(_Factory):
    """A row that belongs to a user (a member unless told) and to the user's cooperative."""

    class Meta:
        abstract = True

    class Params:
        user = factory.SubFactory(UserFactory)

    user_id = factory.SelfAttribute("user.id")
    cooperative_id = factory.SelfAttribute("user.cooperative_id")
    created_at = factory.LazyFunction(utcnow)


class ContributionFactory(_OwnedBy):
    """A saving with the successful CONTRIBUTION line behind it (same amount, member, cooperative and moment)."""

    class Meta:
        model = Contribution

    class Params:
        transaction = factory.SubFactory(
            TransactionFactory,
            type=TxType.CONTRIBUTION,
            status=TxStatus.SUCCESSFUL,
            user=factory.SelfAttribute("..user"),
            cooperative_id=factory.SelfAttribute("..cooperative_id"),
            amount_kobo=factory.SelfAttribute("..amount_kobo"),
            created_at=factory.SelfAttribute("..created_at"),
        )

    amount_kobo = 1_000_00
    transaction_id = factory.SelfAttribute("transaction.id")


class LoanFactory(_OwnedBy):
    class Meta:
        model = Loan

    amount_kobo = 20_000_00
    repaid_kobo = 0
    purpose = "Sewing machine"
    duration_months = 12
    status = LoanStatus.PENDING


class WithdrawalFactory(_OwnedBy):
    class Meta:
        model = Withdrawal

    amount_kobo = 4_000_00
    reason = "School fees"
    status = WithdrawalStatus.PENDING


class NotificationFactory(_OwnedBy):
    class Meta:
        model = Notification
        exclude = ("cooperative_id",)

    title = "Hello"
    body = factory.LazyAttribute(lambda o: f"{o.title} body")
    is_read = False


class ExpenseFactory(_Factory):
    """A platform expense recorded by a finance officer (a new one unless told)."""

    class Meta:
        model = Expense

    class Params:
        created_by = factory.SubFactory(UserFactory, role=Role.FINANCE)

    title = "Fuel"
    category = "Transport"
    amount_kobo = 10_000_00
    status = ExpenseStatus.PENDING
    created_by_id = factory.SelfAttribute("created_by.id")
    created_at = factory.LazyFunction(utcnow)


class AllocationFactory(_Factory):
    """One recipient's share of a fee line: fee, payer, cooperative and moment come from the line."""

    class Meta:
        model = Allocation

    class Params:
        transaction = factory.SubFactory(TransactionFactory, type=TxType.FEE, amount_kobo=5_000_00)

    transaction_id = factory.SelfAttribute("transaction.id")
    recipient = factory.Transformer(Recipient.APEX_FUNDS, transform=Recipient)
    bp = 4000
    fee_kobo = factory.SelfAttribute("transaction.amount_kobo")
    amount_kobo = factory.LazyAttribute(lambda o: o.fee_kobo * o.bp // 10_000)
    payer_user_id = factory.SelfAttribute("transaction.user_id")
    cooperative_id = factory.SelfAttribute("transaction.cooperative_id")
    created_at = factory.SelfAttribute("transaction.created_at")


class FeeFactory(TransactionFactory):
    """A registration fee line and, with `shares={recipient: (bp, amount_kobo)}`, its allocation rows."""

    type = TxType.FEE
    amount_kobo = 5_000_00

    @factory.post_generation
    def shares(fee: Transaction, create: bool, extracted, **_kwargs) -> None:
        """Add one allocation row per recipient given."""
        for recipient, (bp, amount_kobo) in (extracted or {}).items():
            AllocationFactory(transaction=fee, recipient=recipient, bp=bp, amount_kobo=amount_kobo)


class PaymentFactory(_MaybeOwned):
    """A gateway payment (PENDING unless told) of the sandbox gateway."""

    class Meta:
        model = Payment

    reference = factory.Sequence(lambda n: f"TEST-PAY-{n:05d}")
    purpose = PaymentPurpose.CONTRIBUTION
    status = PaymentStatus.PENDING
    amount_kobo = 2_500_00
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "payer@example.test")
    gateway = "sandbox"


class EmergencyAlertFactory(_Factory):
    class Meta:
        model = EmergencyAlert

    title = "Heads up"
    message = "Read me"
    severity = Severity.INFO
    is_active = True


class PartnerFactory(_Factory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")


# Short forms for the people and places every test starts from ----------------------------------------------

parent_org = ParentOrganizationFactory
cooperative = CooperativeFactory


def user(role: str | Role = Role.MEMBER, password: str = PASSWORD, **fields) -> User:
    """Create an active user of the role (see UserFactory)."""
    return UserFactory(role=role, password=password, **fields)


def two_cooperatives() -> tuple[Cooperative, Cooperative, User, User]:
    """Return (coop_a, coop_b, ada, bola): Ada Obi of Ikeja Artisans, and a member and a cooperative named XSS."""
    coop_a, coop_b = cooperative(name="Ikeja Artisans"), cooperative(name=XSS)
    ada = user(Role.MEMBER, first_name="Ada", last_name="Obi", cooperative_id=coop_a.id)
    bola = user(Role.MEMBER, first_name=XSS, last_name="Ade", cooperative_id=coop_b.id)
    return coop_a, coop_b, ada, bola


def saver(amount_kobo: int = 100_000_00, since: datetime = LONG_AGO, **fields) -> User:
    """Create a member (or `role=...`) who saved `amount_kobo` at `since`, long enough ago to borrow."""
    member = user(fields.pop("role", Role.MEMBER), **fields)
    ContributionFactory(user=member, amount_kobo=amount_kobo, created_at=since)
    return member


def cooperative_with_saver(savings_kobo: int = 10_000_00) -> tuple[User, User]:
    """Return (leader, borrower) of one cooperative; the borrower saved long enough to borrow."""
    leader = user(Role.LEADER, first_name="Chidi", last_name="Okafor")
    member = saver(savings_kobo, cooperative_id=leader.cooperative_id, first_name="Ada", last_name="Obi")
    return leader, member
