"""The member dashboard's `actions` panel forms: contribute with a fee preview, apply for a loan, withdraw."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Loan, LoanStatus, Payment, PaymentStatus, Role, Withdrawal
from nogalss_app.services import balances, settings
from tests import factories
from tests.factories import LoanFactory, saver
from tests.support.bad_inputs import BAD_NAIRA_TEXT
from tests.support.client import post_form, sign_in
from tests.support.records import interest_free_loans, last_v, only_change
from tests.support.snapshot import assert_nothing_changed, table_counts


@pytest.fixture(autouse=True)
def _no_interest(_app_context):
    """These tests are about limits and states without interest; interest has its own tests (test_money_safety)."""
    interest_free_loans()


XSS = "<script>alert(1)</script>"
PREVIEW = "/dashboard/member/actions/preview"
CONTRIBUTE = "/dashboard/member/actions/contribute"
LOANS = "/dashboard/member/actions/loans"
WITHDRAWALS = "/dashboard/member/actions/withdrawals"
FORMS = {
    CONTRIBUTE: ("amount", {}),
    LOANS: ("loan_amount", {"purpose": "Sewing machine", "duration_months": "6"}),
    WITHDRAWALS: ("withdrawal_amount", {"reason": "School fees"}),
}
FORM_IDS = {CONTRIBUTE: "contribute", LOANS: "loan", WITHDRAWALS: "withdrawal"}  # the form's id prefix


@pytest.fixture
def member(client):
    """A signed-in member who saved ₦10,000 long ago (may borrow up to ₦60,000 and withdraw ₦10,000)."""
    user = saver(10_000_00, first_name="Ada", last_name="Obi")
    sign_in(client, user)
    return user


def panel_html(response) -> str:
    """Return a panel response's HTML."""
    return response.get_data(as_text=True)


def test_the_panel_offers_the_three_forms_with_the_loan_maximum(client, member):
    html = panel_html(client.get("/dashboard/member/panels/actions", headers={"HX-Request": "true"}))

    assert 'name="amount"' in html and f'hx-get="{PREVIEW}"' in html
    assert f'hx-post="{LOANS}"' in html and "You can borrow up to <strong>₦60,000.00</strong>" in html
    assert f'hx-post="{WITHDRAWALS}"' in html and "csrf_token" not in html  # the page's hx-headers carry it


def test_the_preview_shows_what_the_member_will_pay_and_a_pay_button(client, member):
    before = table_counts()

    response = client.get(f"{PREVIEW}?amount=2,500", headers={"HX-Request": "true"})

    html = panel_html(response)
    assert response.status_code == 200
    assert "gateway fee ₦0.00 (no fee)" in html and "You will pay <strong>₦2,500.00</strong>" in html
    assert f'hx-post="{CONTRIBUTE}"' in html and 'type="hidden" name="amount" value="2,500"' in html
    assert "Pay ₦2,500.00" in html
    assert_nothing_changed(before)


@pytest.mark.parametrize(("text", "message"), [row for row in BAD_NAIRA_TEXT if row[0] is not None], ids=repr)
def test_the_preview_of_a_bad_amount_explains_it_next_to_the_field(client, member, text, message):
    response = client.get(PREVIEW, query_string={"amount": text}, headers={"HX-Request": "true"})

    html = panel_html(response)
    assert response.status_code == 422
    assert 'id="contribute-amount-error"' in html and message in html and "You will pay" not in html


def test_the_preview_without_an_amount_is_the_plain_panel(client, member):
    response = client.get(PREVIEW, headers={"HX-Request": "true"})

    assert response.status_code == 200 and 'name="amount"' in panel_html(response)
    assert "You will pay" not in panel_html(response) and "amount-error" not in panel_html(response)


def test_contributing_from_the_panel_sends_htmx_to_the_checkout(client, member):
    response = post_form(client, CONTRIBUTE, {"amount": "2,500.50"})

    assert response.status_code == 204
    target = response.headers["HX-Redirect"]
    reference = target.rsplit("/", 1)[1]
    assert target == f"http://localhost/sandbox/checkout/{reference}"
    pending = db.session.scalar(sa.select(Payment).where(Payment.reference == reference))
    assert (pending.amount_kobo, pending.status, pending.user_id) == (2_500_50, PaymentStatus.PENDING, member.id)


def test_contributing_without_htmx_redirects_the_browser(client, member):
    response = client.post(CONTRIBUTE, data={"amount": "1,000", "csrf_token": client.csrf_token})

    assert response.status_code == 303 and "/sandbox/checkout/NGS-CON-" in response.headers["Location"]


def test_an_eligible_member_applies_for_a_loan_from_the_panel(client, member):
    v = last_v()

    response = post_form(client, LOANS, {"loan_amount": "30,000", "purpose": "Sewing machine", "duration_months": "6"})

    assert response.status_code == 200
    assert "Your loan application for ₦30,000.00 was sent to your cooperative leader." in panel_html(response)
    loan = db.session.scalar(sa.select(Loan).where(Loan.user_id == member.id))
    assert (loan.amount_kobo, loan.duration_months, loan.status) == (30_000_00, 6, LoanStatus.PENDING)
    only_change(v, "loan.applied")


def test_a_member_requests_a_withdrawal_from_the_panel(client, member):
    v = last_v()

    response = post_form(client, WITHDRAWALS, {"withdrawal_amount": "4,000", "reason": "School fees"})

    assert response.status_code == 200
    html = panel_html(response)
    assert "Your withdrawal request for ₦4,000.00 was sent to finance." in html
    assert "Withdrawable now: <strong>₦6,000.00</strong>" in html
    assert db.session.scalar(sa.select(Withdrawal.amount_kobo).where(Withdrawal.user_id == member.id)) == 4_000_00
    only_change(v, "withdrawal.requested")


@pytest.mark.parametrize("url", list(FORMS))
@pytest.mark.parametrize(("text", "message"), BAD_NAIRA_TEXT, ids=repr)
def test_a_bad_naira_amount_is_refused_inline_and_writes_nothing(client, member, url, text, message):
    field, others = FORMS[url]
    data = dict(others) | ({} if text is None else {field: text})
    before = table_counts()

    response = post_form(client, url, data)

    html = panel_html(response)
    assert response.status_code == 422
    assert f'id="{FORM_IDS[url]}-{field}-error"' in html and message in html and 'aria-invalid="true"' in html
    assert_nothing_changed(before)


def test_a_refused_loan_keeps_what_was_typed_and_escapes_it(client, member):
    before = table_counts()

    response = post_form(client, LOANS, {"loan_amount": "90,000", "purpose": XSS, "duration_months": "6"})

    html = panel_html(response)
    assert response.status_code == 422
    assert "must not exceed ₦60,000.00" in html and 'id="loan-loan_amount-error"' in html
    assert 'value="90,000"' in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert_nothing_changed(before)


def test_a_refused_loan_of_an_ineligible_member_says_why(client, member):
    LoanFactory(user=member, amount_kobo=1_000_00)
    before = table_counts()

    response = post_form(client, LOANS, {"loan_amount": "1,000", "purpose": "Stock", "duration_months": "3"})

    html = panel_html(response)
    assert response.status_code == 422 and "You are not eligible for a loan." in html
    assert "You cannot apply for a loan now." in html and f"<li>{balances.REASON_PENDING}</li>" in html
    assert_nothing_changed(before)


@pytest.mark.parametrize("months", ["0", "61", "six", "６", "1.5", ""])
def test_a_bad_loan_duration_is_refused_inline(client, member, months):
    before = table_counts()

    response = post_form(client, LOANS, {"loan_amount": "1,000", "purpose": "Stock", "duration_months": months})

    assert response.status_code == 422 and 'id="loan-duration_months-error"' in panel_html(response)
    assert_nothing_changed(before)


def test_withdrawals_turned_off_hide_the_form_and_refuse_a_post(client, member):
    settings.update_withdrawals({"MEMBER": False}, actor_id=None)
    before = table_counts()

    response = post_form(client, WITHDRAWALS, {"withdrawal_amount": "1,000", "reason": "Rent"})

    html = panel_html(response)
    assert response.status_code == 403 and "withdrawals are disabled for your role" in html
    assert "Withdrawals are currently turned off for members." in html and f'hx-post="{WITHDRAWALS}"' not in html
    assert_nothing_changed(before)


def test_fields_slipped_into_a_form_are_ignored(client, member):
    other = factories.user(role=Role.MEMBER)
    data = {"loan_amount": "1,000", "purpose": "Stock", "duration_months": "3", "status": "APPROVED"}
    data |= {"user_id": str(other.id), "cooperative_id": str(other.cooperative_id), "role": "SUPER_ADMIN"}

    assert post_form(client, LOANS, data).status_code == 200

    loan = db.session.scalar(sa.select(Loan).order_by(Loan.id.desc()))
    assert (loan.user_id, loan.cooperative_id, loan.status) == (member.id, member.cooperative_id, LoanStatus.PENDING)
    db.session.refresh(member)
    assert member.role is Role.MEMBER


@pytest.mark.parametrize("url", list(FORMS))
def test_a_form_post_without_the_csrf_token_is_refused(client, member, url):
    field, others = FORMS[url]
    before = table_counts()

    response = post_form(client, url, {field: "1,000", **others}, csrf=False)

    assert response.status_code == 400
    assert_nothing_changed(before)


@pytest.mark.parametrize("url", list(FORMS))
@pytest.mark.parametrize("role", ["FINANCE", "APEX", "LEADER"])
def test_other_roles_may_not_post_the_member_forms(client, login_as, url, role):
    login_as(role)
    field, others = FORMS[url]
    before = table_counts()

    assert post_form(client, url, {field: "1,000", **others}).status_code == 403
    assert_nothing_changed(before)


def test_a_super_admin_viewing_a_member_sees_no_forms_and_cannot_act_for_them(client, login_as, member):
    login_as("SUPER_ADMIN")

    html = panel_html(client.get(f"/dashboard/member/panels/actions?member={member.id}"))  # audited: view as
    before = table_counts()
    refused = post_form(client, f"{LOANS}?member={member.id}", {"loan_amount": "1,000", "purpose": "x" * 5})

    assert "only the member can contribute, borrow or withdraw" in html and 'name="amount"' not in html
    assert refused.status_code == 403
    assert_nothing_changed(before)
