"""Public registration: the JSON API and the HTML pages; the account exists only once the fee is paid."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Allocation, Cooperative, Payment, PaymentPurpose, PaymentStatus, Recipient, Role, User
from nogalss_app.services import settings
from tests import factories
from tests.support.client import send
from tests.support.payments import press
from tests.support.records import last_v, only_change
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

PASSWORD = "a-long-enough-password"


@pytest.fixture
def anonymous(client):
    """A signed-out visitor holding a CSRF token (from GET /api/auth/register)."""
    client.csrf_token = client.get("/api/auth/register").get_json()["csrf_token"]
    return client


@pytest.fixture
def coop():
    """An active cooperative members can join by its code."""
    return factories.cooperative(name="Lagos Tailors Cooperative", registration_number="NGS-COOP-001")


def member_sign_up(coop, **changes) -> dict:
    """Return a valid member registration body."""
    body = {
        "kind": "member",
        "first_name": "Ada",
        "last_name": "Obi",
        "email": "ada.obi@example.test",
        "phone": "08031234567",
        "password": PASSWORD,
        "cooperative_code": coop.registration_number,
    }
    return body | changes


def cooperative_sign_up(parent_id: int, **changes) -> dict:
    """Return a valid cooperative registration body."""
    body = {
        "kind": "cooperative",
        "name": "Kano Leatherworkers Cooperative",
        "registration_number": "KN/2026/014",
        "address": "12 Bello Road",
        "city": "Kano",
        "state": "Kano",
        "phone": "+2348031234567",
        "email": "office@kano-leather.example.test",
        "bank_name": "First Bank",
        "bank_account_number": "0123456789",
        "bank_account_name": "Kano Leatherworkers Cooperative",
        "parent_organization_id": parent_id,
        "first_name": "Sani",
        "last_name": "Danjuma",
        "password": PASSWORD,
        "leader_first_name": "Kemi",
        "leader_last_name": "Alabi",
        "leader_email": "kemi@kano-leather.example.test",
        "leader_phone": "08031112222",
        "leader_password": PASSWORD + "-leader",
    }
    return body | changes


def user_by_email(email: str) -> User | None:
    """Return the user with this email, if any."""
    db.session.rollback()
    return db.session.scalar(sa.select(User).where(User.email == email))


def pay(client, reference: str):
    """Pay at the sandbox checkout and follow the callback; return the callback's answer."""
    return client.get(press(client, reference, "pay").headers["Location"])


def test_the_registration_info_gives_the_fees_and_a_csrf_token(client):
    settings.update_fees({"member_fee_kobo": 6_000_00}, actor_id=None)

    body = client.get("/api/auth/register").get_json()

    assert (body["member_fee_kobo"], body["cooperative_fee_kobo"]) == (6_000_00, 50_000_00)
    assert body["csrf_token"] and body["kinds"] == ["member", "cooperative"]


def test_a_member_registers_pays_and_only_then_has_an_account(anonymous, coop):
    v = last_v()

    response = send(anonymous, "POST", "/api/auth/register", member_sign_up(coop))

    assert response.status_code == 201
    started = response.get_json()
    assert started["kind"] == "member" and started["amount_kobo"] == 5_000_00
    assert started["authorization_url"] == f"http://localhost/sandbox/checkout/{started['reference']}"
    pending = db.session.scalar(sa.select(Payment).where(Payment.reference == started["reference"]))
    assert (pending.purpose, pending.status) == (PaymentPurpose.MEMBER_REGISTRATION, PaymentStatus.PENDING)
    assert PASSWORD not in str(pending.details) and user_by_email("ada.obi@example.test") is None
    topics, rooms = only_change(v, "payment.started")
    assert topics == ["activity"] and rooms == ["role:SUPER_ADMIN"]
    login = anonymous.post("/api/auth/login", json={"email": "ada.obi@example.test", "password": PASSWORD})
    assert login.status_code == 401

    pay(anonymous, started["reference"])

    member = user_by_email("ada.obi@example.test")
    assert (member.role, member.cooperative_id, member.is_active, member.is_verified) == (
        Role.MEMBER,
        coop.id,
        True,
        True,
    )
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.amount_kobo))) == 5_000_00
    only_change(v, "payment.succeeded")
    login = anonymous.post("/api/auth/login", json={"email": "ada.obi@example.test", "password": PASSWORD})
    assert login.status_code == 200


def test_role_and_other_fields_slipped_into_a_sign_up_are_never_applied(anonymous, coop):
    other = factories.cooperative()
    body = member_sign_up(coop, role="SUPER_ADMIN", is_active=False, cooperative_id=other.id, is_verified=False)

    pay(anonymous, send(anonymous, "POST", "/api/auth/register", body).get_json()["reference"])

    member = user_by_email("ada.obi@example.test")
    assert (member.role, member.cooperative_id, member.is_active) == (Role.MEMBER, coop.id, True)


def test_a_cooperative_registers_and_exists_once_its_fee_is_paid(anonymous):
    parent = factories.parent_org(name="Artisans Guild of Nigeria")

    response = send(anonymous, "POST", "/api/auth/register", cooperative_sign_up(parent.id))

    assert response.status_code == 201 and response.get_json()["amount_kobo"] == 50_000_00
    assert db.session.scalar(sa.select(Cooperative).where(Cooperative.registration_number == "KN/2026/014")) is None
    pay(anonymous, response.get_json()["reference"])
    db.session.rollback()
    created = db.session.scalar(sa.select(Cooperative).where(Cooperative.registration_number == "KN/2026/014"))
    contact = user_by_email("office@kano-leather.example.test")
    assert created.parent_organization_id == parent.id and created.is_active
    assert (contact.role, contact.cooperative_id) == (Role.COOPERATIVE, created.id)
    leader = user_by_email("kemi@kano-leather.example.test")
    assert (leader.role, leader.cooperative_id, leader.full_name) == (Role.LEADER, created.id, "Kemi Alabi")
    assert created.leader_link.user_id == leader.id
    shares = db.session.scalars(sa.select(Allocation).where(Allocation.cooperative_id == created.id)).all()
    assert len(shares) == 5 and {share.leader_user_id for share in shares} == {leader.id}
    leader_share = next(share for share in shares if share.recipient is Recipient.LEADER)
    assert leader_share.amount_kobo == 7_500_00
    payment = db.session.scalar(sa.select(Payment).where(Payment.cooperative_id == created.id))
    assert not any(key.endswith("password_hash") for key in payment.details)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"leader_email": None}, "leader_email"),
        ({"leader_email": "office@kano-leather.example.test"}, "leader_email"),
        ({"leader_first_name": ""}, "leader_first_name"),
        ({"leader_phone": "call me"}, "leader_phone"),
        ({"leader_password": "short"}, "leader_password"),
    ],
)
def test_a_cooperative_sign_up_needs_its_leaders_own_details(anonymous, change, field):
    parent = factories.parent_org()
    before = table_counts()
    response = send(anonymous, "POST", "/api/auth/register", cooperative_sign_up(parent.id, **change))
    assert field in assert_error_shape(response, 422)["fields"]
    assert_nothing_changed(before)


def test_a_leader_email_already_in_use_is_409(anonymous):
    parent = factories.parent_org()
    factories.user("MEMBER", email="kemi@kano-leather.example.test")
    response = send(anonymous, "POST", "/api/auth/register", cooperative_sign_up(parent.id))
    assert "leader_email" in assert_error_shape(response, 409)["fields"]


def test_a_declined_registration_fee_creates_nothing(anonymous, coop):
    reference = send(anonymous, "POST", "/api/auth/register", member_sign_up(coop)).get_json()["reference"]

    back = anonymous.get(press(anonymous, reference, "decline").headers["Location"])
    page = anonymous.get(back.headers["Location"]).get_data(as_text=True)

    assert "Registration not completed" in page and "declined at the checkout" in page
    assert user_by_email("ada.obi@example.test") is None


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"kind": "admin"}, 422, "kind"),
        ({"kind": None}, 422, "kind"),
        ({"email": "not-an-email"}, 422, "email"),
        ({"first_name": ""}, 422, "first_name"),
        ({"first_name": "x" * 10_000}, 422, "first_name"),
        ({"phone": "call me"}, 422, "phone"),
        ({"password": "short"}, 422, "password"),
        ({"cooperative_code": "NO-SUCH-COOP"}, 422, "cooperative_code"),
        ({"email": "  Taken@Example.test "}, 409, "email"),
    ],
)
def test_an_invalid_member_sign_up_is_refused_and_writes_nothing(anonymous, coop, change, status, field):
    factories.user(role=Role.MEMBER, email="taken@example.test")
    before = table_counts()

    response = send(anonymous, "POST", "/api/auth/register", member_sign_up(coop, **change))

    assert field in assert_error_shape(response, status)["fields"]
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parent_organization_id": 999_999}, "parent_organization_id"),
        ({"parent_organization_id": "1"}, "parent_organization_id"),
        ({"bank_account_number": "12345"}, "bank_account_number"),
        ({"registration_number": "<script>"}, "registration_number"),
        ({"name": ""}, "name"),
    ],
)
def test_an_invalid_cooperative_sign_up_is_refused_and_writes_nothing(anonymous, change, field):
    parent = factories.parent_org()
    before = table_counts()

    response = send(anonymous, "POST", "/api/auth/register", cooperative_sign_up(parent.id, **change))

    assert field in assert_error_shape(response, 422, "validation_error")["fields"]
    assert_nothing_changed(before)


def test_a_malformed_or_unprotected_registration_is_refused(anonymous, coop):
    before = table_counts()

    assert_error_shape(send(anonymous, "POST", "/api/auth/register", ["member"]), 400, "bad_request")
    assert_error_shape(send(anonymous, "POST", "/api/auth/register", member_sign_up(coop), csrf=False), 400)
    assert_error_shape(anonymous.post("/api/auth/register", data="kind=member"), 400)
    assert_nothing_changed(before)


# HTML pages ---------------------------------------------------------------------------------------------------


def csrf_of(html: str) -> str:
    """Return the CSRF token of a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_choice_page_shows_both_fees_from_the_settings(client):
    settings.update_fees({"member_fee_kobo": 7_500_50}, actor_id=None)

    html = client.get("/register").get_data(as_text=True)

    assert "₦7,500.50" in html and "₦50,000.00" in html
    assert 'href="/register/member"' in html and 'href="/register/cooperative"' in html


def test_a_visitor_registers_as_a_member_through_the_pages_and_then_signs_in(client, coop):
    form = client.get("/register/member").get_data(as_text=True)
    assert "₦5,000.00" in form and 'name="cooperative_code"' in form
    fields = {k: v for k, v in member_sign_up(coop).items() if k != "kind"} | {"csrf_token": csrf_of(form)}

    to_checkout = client.post("/register/member", data=fields)

    assert to_checkout.status_code == 303 and "/sandbox/checkout/NGS-FEE-" in to_checkout.headers["Location"]
    checkout = client.get(to_checkout.headers["Location"]).get_data(as_text=True)
    assert "₦5,000.00" in checkout and "Member registration" in checkout and "ada.obi@example.test" in checkout
    reference = to_checkout.headers["Location"].rsplit("/", 1)[1]
    client.csrf_token = csrf_of(checkout)
    complete = client.get(pay(client, reference).headers["Location"]).get_data(as_text=True)
    assert "Registration complete" in complete and 'href="/login"' in complete
    assert (
        client.post("/api/auth/login", json={"email": "ada.obi@example.test", "password": PASSWORD}).status_code == 200
    )


def test_an_invalid_member_form_comes_back_with_inline_errors_and_the_typed_values(client, coop):
    form = client.get("/register/member").get_data(as_text=True)
    fields = {k: v for k, v in member_sign_up(coop).items() if k != "kind"}
    fields |= {"email": "nope", "first_name": "<script>alert(1)</script>", "csrf_token": csrf_of(form)}
    before = table_counts()

    response = client.post("/register/member", data=fields)

    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Check the registration details." in html
    assert 'id="email-error"' in html and "must be an email address" in html
    assert 'value="nope"' in html and PASSWORD not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert_nothing_changed(before)


def test_the_cooperative_form_lists_parent_organizations_and_starts_the_fee(client):
    parent = factories.parent_org(name="Community Literacy Network")
    form = client.get("/register/cooperative").get_data(as_text=True)
    assert f'<option value="{parent.id}">Community Literacy Network</option>' in form and "₦50,000.00" in form
    fields = {k: v for k, v in cooperative_sign_up(parent.id).items() if k != "kind"}
    fields |= {"parent_organization_id": str(parent.id), "contact_email": "", "csrf_token": csrf_of(form)}

    response = client.post("/register/cooperative", data=fields)

    assert response.status_code == 303 and "/sandbox/checkout/NGS-FEE-" in response.headers["Location"]


def test_an_invalid_cooperative_form_marks_each_wrong_field(client):
    form = client.get("/register/cooperative").get_data(as_text=True)
    before = table_counts()

    response = client.post(
        "/register/cooperative", data={"name": "Kano", "parent_organization_id": "abc", "csrf_token": csrf_of(form)}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field in ("registration_number", "parent_organization_id", "bank_account_number", "password"):
        assert f'id="{field}-error"' in html
    assert 'value="Kano"' in html
    assert_nothing_changed(before)


def test_a_registration_form_without_the_csrf_token_is_refused(client, coop):
    before = table_counts()

    response = client.post("/register/member", data={k: v for k, v in member_sign_up(coop).items() if k != "kind"})

    assert response.status_code == 400
    assert_nothing_changed(before)


def test_the_complete_page_knows_only_registration_payments(client, login_as):
    login_as("MEMBER")
    contribution = send(client, "POST", "/api/member/contribute", {"amount_kobo": 1_000_00}).get_json()

    assert client.get(f"/register/complete?reference={contribution['reference']}").status_code == 404
    assert client.get("/register/complete?reference=NGS-FEE-0000000000000000").status_code == 404
    assert client.get("/register/complete").status_code == 404
