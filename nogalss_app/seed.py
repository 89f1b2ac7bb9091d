"""`flask seed-demo`: twelve months of demo history, built through the services in time order."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import click
import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .models import Cooperative, LoanStatus, Role, Severity, User, WithdrawalStatus
from .models.types import utcnow
from .services import accounts, alerts, contributions, expenses, loans, passwords, payments, registration, withdrawals
from .services.actor import Actor

DEMO_DOMAIN = "demo.nogalss.ng"
STAFF = [
    ("super-admin", Role.SUPER_ADMIN, "Amina", "Bello"),
    ("finance", Role.FINANCE, "Chinedu", "Okeke"),
    ("apex", Role.APEX, "Ngozi", "Eze"),
    ("apex-funds", Role.APEX_FUNDS, "Tunde", "Adeyemi"),
    ("nogalss-funds", Role.NOGALSS_FUNDS, "Halima", "Musa"),
]
PARENTS = ["Artisans Guild of Nigeria", "Community Literacy Network"]
COOPERATIVES = [
    ("Lagos Tailors Cooperative", "Lagos", "Lagos", 0),
    ("Kano Leatherworkers Cooperative", "Kano", "Kano", 0),
    ("Enugu Women in Trade Cooperative", "Enugu", "Enugu", 1),
    ("Ibadan Literacy Circle Cooperative", "Ibadan", "Oyo", 1),
    ("Abuja Carpenters Cooperative", "Abuja", "FCT", 0),
]
LEADERS = [("Kemi", "Alabi"), ("Sani", "Danjuma"), ("Ifeoma", "Nwosu"), ("Bola", "Akande"), ("Emeka", "Obi")]
FIRST = [
    "Ada",
    "Bayo",
    "Chioma",
    "Dauda",
    "Efe",
    "Funmi",
    "Garba",
    "Hauwa",
    "Ikenna",
    "Jumoke",
    "Kelechi",
    "Lami",
    "Musa",
    "Nneka",
    "Olu",
    "Patience",
    "Rasheed",
    "Sade",
    "Tobi",
    "Uche",
    "Victoria",
    "Wale",
    "Yusuf",
    "Zainab",
    "Abike",
    "Bashir",
    "Comfort",
    "Dayo",
    "Ebere",
    "Fatima",
    "Gbenga",
    "Hadiza",
    "Ibrahim",
    "Joy",
    "Kunle",
]
LAST = [
    "Adebayo",
    "Balogun",
    "Chukwu",
    "Danladi",
    "Etim",
    "Fashola",
    "Gambo",
    "Haruna",
    "Idowu",
    "Jaja",
    "Kalu",
    "Lawal",
    "Mohammed",
    "Nnamdi",
    "Ojo",
    "Peters",
    "Quadri",
    "Raji",
    "Salami",
    "Tijani",
]
MEMBER_COUNT = 35
CONTRIBUTION_NAIRA = [2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000]


@dataclass
class Plan:
    """Seeding steps in time order, with what they create kept for later steps."""

    steps: list[tuple[datetime, int, str, Callable[[datetime], None]]] = field(default_factory=list)
    users: dict[str, int] = field(default_factory=dict)
    coops: list[int] = field(default_factory=list)
    loans: dict[str, int] = field(default_factory=dict)
    withdrawals: dict[str, int] = field(default_factory=dict)

    def at(self, when: datetime, label: str, action: Callable[[datetime], None]) -> None:
        """Schedule an action at a moment (ties keep insertion order)."""
        self.steps.append((when, len(self.steps), label, action))


def demo_email(local: str) -> str:
    """Return a demo account's email."""
    return f"{local}@{DEMO_DOMAIN}"


def _pay(payment, when: datetime) -> None:
    """Complete a payment through the same path the gateway callback uses."""
    payments.confirm_payment(
        payment.reference,
        amount_kobo=payment.amount_kobo,
        currency=payment.currency,
        gateway_status="success",
        now=when,
    )


def build_plan(password: str, now: datetime, rng: random.Random) -> Plan:
    """Lay out twelve months of history ending at `now`."""
    plan = Plan()
    start = now - timedelta(days=365)
    _plan_organisations(plan, password, start)
    _plan_members(plan, password, start, now, rng)
    _plan_loans_and_withdrawals(plan, start, now)
    _plan_back_office(plan, now)
    plan.steps.sort(key=lambda step: (step[0], step[1]))
    return plan


def _plan_organisations(plan: Plan, password: str, start: datetime) -> None:
    """Staff, parent organizations with their logins, cooperatives registered with their leaders (fee paid)."""
    for local, role, first, last in STAFF:
        plan.at(
            start,
            f"staff {local}",
            lambda when, local=local, role=role, first=first, last=last: plan.users.__setitem__(
                local,
                accounts.create_user(
                    email=demo_email(local), password=password, role=role, first_name=first, last_name=last, now=when
                ).id,
            ),
        )
    parents: list[int] = []
    for n, name in enumerate(PARENTS, start=1):
        plan.at(
            start,
            f"parent {name}",
            lambda when, n=n, name=name: _create_parent(plan, parents, n, name, password, when),
        )
    for n, (name, city, state, parent_index) in enumerate(COOPERATIVES, start=1):
        plan.at(
            start + timedelta(days=n),
            f"cooperative {n}",
            lambda when, n=n, name=name, city=city, state=state, parent_index=parent_index: _register_cooperative(
                plan, n, name, city, state, parents[parent_index], password, when
            ),
        )


def _create_parent(plan: Plan, parents: list[int], n: int, name: str, password: str, when: datetime) -> None:
    """Create a parent organization and its own login (orgN@)."""
    org = accounts.create_parent_organization(
        name=name,
        registration_number=f"NGS-ORG-{n:03d}",
        email=f"info@{name.split()[0].lower()}.org.ng",
        now=when,
    )
    parents.append(org.id)
    plan.users[f"org{n}"] = accounts.create_user(
        email=demo_email(f"org{n}"),
        password=password,
        role=Role.PARENT_ORGANIZATION,
        first_name=name.split()[0],
        last_name="Secretariat",
        parent_organization_id=org.id,
        now=when,
    ).id


def _register_cooperative(
    plan: Plan, n: int, name: str, city: str, state: str, parent_id: int, password: str, when: datetime
) -> None:
    """Register a cooperative with its leader (leaderN@) and pay its fee: the cooperative, its own login (coopN@)
    and its leader exist together, so the leader's share of that fee is the leader's."""
    first, last = LEADERS[n - 1]
    payment = registration.start_cooperative_registration(
        {
            "name": name,
            "registration_number": f"NGS-COOP-{n:03d}",
            "address": f"{n} Market Road",
            "city": city,
            "state": state,
            "phone": f"+23480300000{n:02d}",
            "email": demo_email(f"coop{n}"),
            "bank_name": "First Bank of Nigeria",
            "bank_account_number": f"30{n:08d}",
            "bank_account_name": name,
            "parent_organization_id": parent_id,
            "first_name": "Secretary",
            "last_name": f"Coop{n}",
            "contact_email": demo_email(f"coop{n}"),
            "password": password,
            "leader_first_name": first,
            "leader_last_name": last,
            "leader_email": demo_email(f"leader{n}"),
            "leader_phone": f"+23480310000{n:02d}",
            "leader_password": password,
        },
        now=when,
    )
    _pay(payment, when + timedelta(minutes=5))
    coop_id = db.session.scalar(sa.select(Cooperative.id).where(Cooperative.registration_number == f"NGS-COOP-{n:03d}"))
    plan.coops.append(coop_id)
    plan.users[f"coop{n}"] = db.session.scalar(sa.select(User.id).where(User.email == demo_email(f"coop{n}")))
    plan.users[f"leader{n}"] = db.session.scalar(sa.select(User.id).where(User.email == demo_email(f"leader{n}")))


def _plan_members(plan: Plan, password: str, start: datetime, now: datetime, rng: random.Random) -> None:
    """Members join over the year, pay the member fee, then save monthly."""
    for k in range(1, MEMBER_COUNT + 1):
        coop_index = (k - 1) % len(COOPERATIVES)
        joined = start + timedelta(days=8 + k * 9, hours=rng.randint(8, 17))
        first, last = FIRST[(k - 1) % len(FIRST)], LAST[(k * 7) % len(LAST)]
        plan.at(
            joined,
            f"member {k}",
            lambda when, k=k, coop_index=coop_index, first=first, last=last: _register_member(
                plan, k, coop_index, first, last, password, when
            ),
        )
        when = joined + timedelta(days=3)
        while when < now - timedelta(days=1):
            amount = rng.choice(CONTRIBUTION_NAIRA) * 100
            plan.at(
                when,
                f"contribution m{k}",
                lambda at, k=k, amount=amount: _pay(
                    contributions.start_contribution(plan.users[f"member{k}"], amount, now=at), at
                ),
            )
            when += timedelta(days=rng.randint(27, 33))


def _register_member(plan: Plan, k: int, coop_index: int, first: str, last: str, password: str, when: datetime) -> None:
    """Register a member with their cooperative code and pay the fee."""
    payment = registration.start_member_registration(
        {
            "first_name": first,
            "last_name": last,
            "email": demo_email(f"member{k}"),
            "phone": f"+2348030{k:06d}",
            "password": password,
            "cooperative_code": f"NGS-COOP-{coop_index + 1:03d}",
        },
        now=when,
    )
    _pay(payment, when + timedelta(minutes=3))
    plan.users[f"member{k}"] = db.session.scalar(sa.select(User.id).where(User.email == demo_email(f"member{k}")))


def _loan(plan: Plan, key: str, member: int, naira: int, when: datetime) -> None:
    """A member applies for a loan."""
    loan = loans.apply_for_loan(
        plan.users[f"member{member}"],
        {"amount_kobo": naira * 100, "purpose": "Working capital for the business", "duration_months": 6},
        now=when,
    )
    plan.loans[key] = loan.id


def _decide(plan: Plan, key: str, status: LoanStatus, by: str, when: datetime) -> None:
    """A leader or apex decides a loan."""
    loans.decide_loan(plan.loans[key], status, actor=Actor.of(db.session.get(User, plan.users[by])), now=when)


def _plan_loans_and_withdrawals(plan: Plan, start: datetime, now: datetime) -> None:
    """Loans and withdrawals in every status (members 1–5 are older than six months)."""
    d = lambda days: now - timedelta(days=days)  # noqa: E731
    # member1 (cooperative 1): a completed loan; member2 (coop 2): active, part repaid.
    plan.at(d(120), "loan completed", lambda w: _loan(plan, "completed", 1, 20_000, w))
    plan.at(d(118), "approve", lambda w: _decide(plan, "completed", LoanStatus.APPROVED, "leader1", w))
    plan.at(d(117), "activate", lambda w: _decide(plan, "completed", LoanStatus.ACTIVE, "apex", w))
    plan.at(
        d(60),
        "repay",
        lambda w: loans.record_repayment(plan.loans["completed"], 20_000 * 100, actor_id=plan.users["finance"], now=w),
    )
    plan.at(d(90), "loan active", lambda w: _loan(plan, "active", 2, 30_000, w))
    plan.at(d(88), "approve", lambda w: _decide(plan, "active", LoanStatus.APPROVED, "leader2", w))
    plan.at(d(87), "activate", lambda w: _decide(plan, "active", LoanStatus.ACTIVE, "apex", w))
    plan.at(
        d(30),
        "repay",
        lambda w: loans.record_repayment(plan.loans["active"], 10_000 * 100, actor_id=plan.users["finance"], now=w),
    )
    plan.at(d(20), "loan approved", lambda w: _loan(plan, "approved", 3, 15_000, w))
    plan.at(d(18), "approve", lambda w: _decide(plan, "approved", LoanStatus.APPROVED, "leader3", w))
    plan.at(d(15), "loan rejected", lambda w: _loan(plan, "rejected", 4, 25_000, w))
    plan.at(d(14), "reject", lambda w: _decide(plan, "rejected", LoanStatus.REJECTED, "leader4", w))
    plan.at(d(4), "loan pending", lambda w: _loan(plan, "pending-a", 6, 10_000, w))
    plan.at(d(2), "loan pending", lambda w: _loan(plan, "pending-b", 5, 12_000, w))
    for key, member, naira, status, days in [
        ("processed", 2, 5_000, WithdrawalStatus.PROCESSED, 40),
        ("approved", 3, 4_000, WithdrawalStatus.APPROVED, 10),
        ("rejected", 4, 3_000, WithdrawalStatus.REJECTED, 8),
        ("pending", 8, 2_500, WithdrawalStatus.PENDING, 1),
    ]:
        plan.at(
            d(days),
            f"withdrawal {key}",
            lambda w, key=key, member=member, naira=naira: plan.withdrawals.__setitem__(
                key,
                withdrawals.request_withdrawal(
                    plan.users[f"member{member}"], {"amount_kobo": naira * 100, "reason": "School fees"}, now=w
                ).id,
            ),
        )
        path = {
            WithdrawalStatus.PROCESSED: [WithdrawalStatus.APPROVED, WithdrawalStatus.PROCESSED],
            WithdrawalStatus.APPROVED: [WithdrawalStatus.APPROVED],
            WithdrawalStatus.REJECTED: [WithdrawalStatus.REJECTED],
            WithdrawalStatus.PENDING: [],
        }[status]
        for step, new in enumerate(path, start=1):
            plan.at(
                d(days) + timedelta(hours=step),
                f"withdrawal {key} {new.value}",
                lambda w, key=key, new=new: withdrawals.decide_withdrawal(
                    plan.withdrawals[key], new, actor_id=plan.users["finance"], now=w
                ),
            )


def _plan_back_office(plan: Plan, now: datetime) -> None:
    """Expenses in every status, partners, a declined payment and one active alert."""
    from .models import ExpenseStatus

    for n, (title, category, naira, path) in enumerate(
        [
            ("Office rent, Abuja secretariat", "Rent", 350_000, [ExpenseStatus.APPROVED, ExpenseStatus.PAID]),
            ("Field visits to Kano cooperatives", "Travel", 120_000, [ExpenseStatus.APPROVED]),
            ("New conference projector", "Equipment", 480_000, [ExpenseStatus.REJECTED]),
            ("Printing of member passbooks", "Printing", 65_000, []),
        ]
    ):
        when = now - timedelta(days=50 - n * 12)
        ids: list[int] = []
        plan.at(
            when,
            f"expense {n}",
            lambda w, title=title, category=category, naira=naira, ids=ids: ids.append(
                expenses.create_expense(
                    {
                        "title": title,
                        "category": category,
                        "amount_kobo": naira * 100,
                        "description": f"{title} ({category.lower()})",
                    },
                    actor_id=plan.users["finance"],
                    now=w,
                ).id
            ),
        )
        for step, new in enumerate(path, start=1):
            plan.at(
                when + timedelta(days=step),
                f"expense {n} {new.value}",
                lambda w, ids=ids, new=new: expenses.decide_expense(
                    ids[0], new, actor_id=plan.users["super-admin"], now=w
                ),
            )
    for name, site, text in [
        ("Bank of Industry", "https://www.boi.ng", "Development finance for small enterprises."),
        ("Cooperative Federation of Nigeria", "https://cfn.org.ng", "The national voice of cooperatives."),
        ("Literacy for All Initiative", "https://literacyforall.org.ng", "Adult literacy classes in 12 states."),
    ]:
        plan.at(
            now - timedelta(days=30),
            f"partner {name}",
            lambda w, name=name, site=site, text=text: alerts.create_partner(
                {"name": name, "website": site, "description": text}, actor_id=plan.users["super-admin"]
            ),
        )
    plan.at(
        now - timedelta(days=3),
        "declined payment",
        lambda w: payments.fail_payment(
            contributions.start_contribution(plan.users["member9"], 5_000 * 100, now=w).reference,
            reason="Declined by the card issuer",
            now=w,
        ),
    )
    plan.at(
        now - timedelta(hours=6),
        "alert",
        lambda w: alerts.raise_alert(
            {
                "title": "Scheduled maintenance",
                "message": "Payments may be slow on Saturday from 22:00 to 23:00.",
                "severity": Severity.WARNING.value,
            },
            actor_id=plan.users["super-admin"],
            now=w,
        ),
    )


def empty_database() -> None:
    """Delete every row of every table (used by --reset)."""
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


def mark_history_delivered() -> None:
    """Mark the seeded history's change signals as sent: they are the past, and no dashboard was open for them."""
    from .models import ChangeLog

    db.session.execute(sa.update(ChangeLog).where(ChangeLog.emitted_at.is_(None)).values(emitted_at=utcnow()))
    db.session.commit()


def has_data() -> bool:
    """Return True when any account exists."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 0


def print_logins(password: str) -> None:
    """Print who can sign in as what."""
    click.echo(f"\nDemo sign-ins (password: {password})")
    rows = [(demo_email(local), role.label) for local, role, _, _ in STAFF]
    rows += [(demo_email(f"leader{n}"), f"Leader of cooperative {n}") for n in range(1, len(COOPERATIVES) + 1)]
    rows += [(demo_email(f"coop{n}"), f"Cooperative {n}'s own login") for n in range(1, len(COOPERATIVES) + 1)]
    rows += [(demo_email(f"org{n}"), f"Parent organization {n}") for n in range(1, len(PARENTS) + 1)]
    rows += [
        (demo_email(f"member{k}"), f"Member of cooperative {(k - 1) % len(COOPERATIVES) + 1}") for k in range(1, 6)
    ]
    rows.append((f"member6@{DEMO_DOMAIN} … member{MEMBER_COUNT}@{DEMO_DOMAIN}", "Members"))
    width = max(len(email) for email, _ in rows)
    for email, what in rows:
        click.echo(f"  {email.ljust(width)}  {what}")


def seed_demo(reset: bool, if_empty: bool) -> None:
    """Create the demo data (refused in production, and on a non-empty database without --reset)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Refusing to seed demo data in production.")
    password = current_app.config["DEMO_PASSWORD"]
    if has_data() and not reset:
        if if_empty:
            click.echo("Demo data already present; not seeding again.")
            print_logins(password)
            return
        raise click.ClickException("The database is not empty. Use --reset to replace everything with demo data.")
    if reset:
        empty_database()
    plan = build_plan(password, utcnow(), random.Random(2026))
    bar = click.progressbar(plan.steps, label="Seeding demo data", item_show_func=lambda s: s and s[2])
    with passwords.reusing_hash_of(password), bar:
        for when, _, _, action in bar:
            action(when)
    mark_history_delivered()
    click.echo(f"Seeded {len(plan.steps)} steps: {len(plan.coops)} cooperatives, {MEMBER_COUNT} members.")
    print_logins(password)
