"""Registration: a sign-up waits in a PENDING payment; the account exists only once the fee is paid."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import (
    AuditLog,
    ChangeLog,
    Cooperative,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Role,
    Transaction,
    User,
)
from nogalss_app.services import registration, settings
from nogalss_app.services.errors import Conflict, ValidationFailed
from nogalss_app.services.passwords import verify_password
from nogalss_app.services.payments import confirm_payment
from tests import factories
from tests.support.sign_ups import PASSWORD, cooperative_data, member_data

COUNTED = (User, Cooperative, Payment, Transaction, ChangeLog, AuditLog)


def row_counts() -> dict[str, int]:
    """Count the rows of every table a registration could write to."""
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in COUNTED}


def pay(payment: Payment) -> Payment:
    """Let the gateway report that the expected amount was paid."""
    return confirm_payment(payment.reference, amount_kobo=payment.amount_kobo, currency="NGN", gateway_status="success")


def test_a_member_sign_up_opens_a_pending_fee_payment_and_creates_no_account_yet():
    coop = factories.cooperative()
    settings.update_fees({"member_fee_kobo": 7_500_00}, actor_id=None)

    payment = registration.start_member_registration(member_data(coop, email="  Ada.Obi@Example.TEST "))

    assert (payment.status, payment.purpose, payment.amount_kobo) == (
        PaymentStatus.PENDING,
        PaymentPurpose.MEMBER_REGISTRATION,
        7_500_00,
    )
    assert payment.email == "ada.obi@example.test" and payment.cooperative_id == coop.id
    assert payment.details["cooperative_id"] == coop.id and payment.details["phone"] == "+234 803 123 4567"
    assert verify_password(payment.details["password_hash"], PASSWORD)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_the_plain_password_is_never_written_anywhere():
    coop = factories.cooperative()
    parent = factories.parent_org()
    pay(registration.start_member_registration(member_data(coop)))
    pay(registration.start_cooperative_registration(cooperative_data(parent.id)))
    registration.start_member_registration(member_data(coop, email="pending@example.test"))

    for table in ("payments", "users", "audit_logs", "change_log"):
        dump = repr(db.session.execute(sa.text(f"SELECT * FROM {table}")).all())
        assert PASSWORD not in dump, table


def test_paying_the_fee_creates_a_verified_member_who_can_sign_in_and_drops_the_waiting_hash():
    coop = factories.cooperative()

    payment = pay(registration.start_member_registration(member_data(coop)))

    member = db.session.get(User, payment.user_id)
    assert (member.role, member.is_active, member.is_verified, member.cooperative_id) == (
        Role.MEMBER,
        True,
        True,
        coop.id,
    )
    assert (member.first_name, member.last_name, member.email) == ("Ada", "Obi", "ada.obi@example.test")
    assert verify_password(member.password_hash, PASSWORD)
    assert payment.status is PaymentStatus.SUCCESSFUL and "password_hash" not in payment.details


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": None}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"first_name": 42}, "first_name"),
        ({"last_name": "O" * 101}, "last_name"),
        ({"email": "ada.example.test"}, "email"),
        ({"email": "ada@localhost"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"password": "short"}, "password"),
        ({"password": None}, "password"),
        ({"cooperative_code": "NO-SUCH-COOP"}, "cooperative_code"),
        ({"cooperative_code": ""}, "cooperative_code"),
    ],
)
def test_an_invalid_member_sign_up_is_refused_and_writes_nothing(overrides, field):
    coop = factories.cooperative()
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        registration.start_member_registration(member_data(coop, **overrides))

    assert refused.value.status == 422 and field in refused.value.fields
    assert row_counts() == before


def test_the_code_of_an_inactive_cooperative_is_refused():
    coop = factories.cooperative(is_active=False)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        registration.start_member_registration(member_data(coop))

    assert refused.value.fields == {"cooperative_code": "no active cooperative has this code"}
    assert row_counts() == before


def test_an_email_already_in_use_is_a_conflict_even_with_other_case_and_spaces():
    coop = factories.cooperative()
    factories.user(role=Role.MEMBER, email="ada.obi@example.test")
    before = row_counts()

    with pytest.raises(Conflict) as refused:
        registration.start_member_registration(member_data(coop, email="  ADA.Obi@example.test  "))

    assert refused.value.status == 409 and refused.value.message == "email already in use"
    assert row_counts() == before


def test_a_slipped_in_role_cooperative_or_status_is_ignored():
    coop = factories.cooperative()
    other = factories.cooperative()
    data = member_data(coop, role="SUPER_ADMIN", cooperative_id=other.id, is_active=False, is_verified=False)

    payment = pay(registration.start_member_registration(data))

    member = db.session.get(User, payment.user_id)
    assert (member.role, member.cooperative_id, member.is_active, member.is_verified) == (
        Role.MEMBER,
        coop.id,
        True,
        True,
    )


def test_two_pending_sign_ups_with_one_email_are_fine_but_only_the_first_paid_one_completes():
    coop = factories.cooperative()
    first = registration.start_member_registration(member_data(coop))
    second = registration.start_member_registration(member_data(coop, email="ADA.OBI@example.test"))

    pay(second)
    late = pay(first)

    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert late.status is PaymentStatus.FAILED and "email already in use" in late.failure_reason
    assert late.transaction_id is None and db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == 1


def test_a_cooperative_sign_up_creates_the_cooperative_and_its_contact_account_once_paid():
    parent = factories.parent_org()
    pending = registration.start_cooperative_registration(cooperative_data(parent.id))
    assert (pending.purpose, pending.amount_kobo, pending.email) == (
        PaymentPurpose.COOPERATIVE_REGISTRATION,
        50_000_00,
        "chidi@ikeja-artisans.example",
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cooperative)) == 0

    payment = pay(pending)

    coop = db.session.get(Cooperative, payment.cooperative_id)
    contact = db.session.get(User, payment.user_id)
    assert (coop.name, coop.registration_number, coop.bank_account_number, coop.parent_organization_id) == (
        "Ikeja Artisans Cooperative",
        "LAG-IKJ-0042",
        "0123456789",
        parent.id,
    )
    assert (contact.role, contact.cooperative_id, contact.email) == (
        Role.COOPERATIVE,
        coop.id,
        "chidi@ikeja-artisans.example",
    )
    assert verify_password(contact.password_hash, PASSWORD)


def test_without_a_contact_email_the_contact_signs_in_with_the_cooperative_email():
    parent = factories.parent_org()
    data = cooperative_data(parent.id)
    del data["contact_email"]

    payment = pay(registration.start_cooperative_registration(data))

    assert db.session.get(User, payment.user_id).email == "office@ikeja-artisans.example"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bank_account_number": "12345"}, "bank_account_number"),
        ({"bank_account_number": "01234567890"}, "bank_account_number"),
        ({"bank_account_number": "01234x6789"}, "bank_account_number"),
        ({"bank_account_number": 123456789}, "bank_account_number"),
        ({"parent_organization_id": None}, "parent_organization_id"),
        ({"parent_organization_id": "1"}, "parent_organization_id"),
        ({"parent_organization_id": 999_999}, "parent_organization_id"),
        ({"registration_number": ""}, "registration_number"),
        ({"registration_number": "<script>"}, "registration_number"),
        ({"name": "N" * 201}, "name"),
        ({"state": None}, "state"),
        ({"email": "office@"}, "email"),
        ({"contact_email": "chidi"}, "contact_email"),
        ({"first_name": ""}, "first_name"),
        ({"password": "123"}, "password"),
    ],
)
def test_an_invalid_cooperative_sign_up_is_refused_and_writes_nothing(overrides, field):
    parent = factories.parent_org()
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        registration.start_cooperative_registration(cooperative_data(parent.id, **overrides))

    assert field in refused.value.fields
    assert row_counts() == before


def test_an_inactive_parent_organization_is_refused():
    parent = factories.parent_org(is_active=False)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        registration.start_cooperative_registration(cooperative_data(parent.id))

    assert "parent_organization_id" in refused.value.fields
    assert row_counts() == before


def test_a_registration_number_or_contact_email_in_use_is_a_conflict():
    parent = factories.parent_org()
    factories.cooperative(registration_number="LAG-IKJ-0042")
    factories.user(role=Role.FINANCE, email="taken@example.test")
    before = row_counts()

    with pytest.raises(Conflict) as same_number:
        registration.start_cooperative_registration(cooperative_data(parent.id, registration_number="lag-ikj-0042"))
    with pytest.raises(Conflict) as same_email:
        registration.start_cooperative_registration(
            cooperative_data(parent.id, registration_number="LAG-IKJ-0043", contact_email=" Taken@Example.test")
        )

    assert "registration_number" in same_number.value.fields
    assert same_email.value.fields == {"contact_email": "email already in use"}
    assert row_counts() == before


def test_of_two_pending_cooperatives_with_one_registration_number_only_the_first_paid_one_is_created():
    parent = factories.parent_org()
    first = registration.start_cooperative_registration(cooperative_data(parent.id))
    second = registration.start_cooperative_registration(
        cooperative_data(parent.id, contact_email="b@example.test", leader_email="c@example.test")
    )

    pay(first)
    late = pay(second)

    assert late.status is PaymentStatus.FAILED and "registration number" in late.failure_reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cooperative)) == 1
    # the first cooperative's own login and its leader; nobody of the second
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_a_sign_up_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationFailed):
        registration.start_member_registration(["not", "an", "object"])  # type: ignore[arg-type]

    assert row_counts()["payments"] == 0
