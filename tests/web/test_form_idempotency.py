"""`Idempotency-Key` on the panel forms that create money records (issue 14 item 1, SPEC §5): live.js sends a key
with every panel form post and rotates it once an answer arrived, so a double click or a retry after a lost
answer reuses it. The same post twice with one key creates one record and answers the same (status, body and the
headers the page acts on); another key is another request and creates a second record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Expense, Loan, Payment, Role, Transaction, TxType, Withdrawal
from nogalss_app.services import loans
from nogalss_app.services.actor import Actor
from tests import factories
from tests.factories import cooperative_with_saver, saver
from tests.support.client import sign_in
from tests.support.concurrency import run_together
from tests.support.records import interest_free_loans
from tests.support.snapshot import assert_nothing_changed, table_counts

KEY, OTHER_KEY = "form-3b1f8e0c-5a2d-4c7e-9f10-2a3b4c5d6e7f", "form-9c2e7d1b-0f3a-4b6c-8d5e-1f2a3b4c5d6e"
REPLAYED = ("Content-Type", "X-Live-V", "HX-Redirect", "Location")


@dataclass(frozen=True)
class Form:
    """One create form: who posts it, where, what (and what a second, distinct request sends), what it creates."""

    poster: Callable[[], tuple[Any, dict[str, Any]]]  # → (user, url arguments)
    url: str
    fields: dict[str, str]
    second: dict[str, str]  # the fields of another request (a record may not be created twice from the same)
    count: Callable[[], int]
    htmx: bool = True
    # What the service says to a second, distinct request when it allows one at a time (None: it creates one).
    only_one: str | None = None


def _count(model, *where) -> Callable[[], int]:
    def count() -> int:
        db.session.rollback()
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    return count


def _member():
    return saver(10_000_00), {}


def _borrower():
    """A member with a ₦12,000 loan the leader approved (disbursed): it can be repaid."""
    leader, member = cooperative_with_saver(10_000_00)
    loan = loans.apply_for_loan(member.id, {"amount_kobo": 12_000_00, "purpose": "Sewing", "duration_months": 6})
    loans.decide_loan(loan.id, "APPROVED", actor=Actor.of(leader))
    return member, {"loan_id": loan.id}


def _finance_with_loan():
    _, args = _borrower()
    return factories.user(Role.FINANCE), args


def _finance():
    return factories.user(Role.FINANCE), {}


def _admin_and_member():
    member = saver(10_000_00)
    return factories.user(Role.SUPER_ADMIN), {"member_id": member.id}


TODAY = date.today().isoformat()
FORMS = {
    "contribute": Form(
        _member, "/dashboard/member/actions/contribute", {"amount": "2,500"}, {"amount": "2,500"}, _count(Payment)
    ),
    "loan application": Form(
        _member,
        "/dashboard/member/actions/loans",
        {"loan_amount": "5,000", "purpose": "Sewing machine", "duration_months": "6"},
        {"loan_amount": "5,000", "purpose": "Sewing machine", "duration_months": "6"},
        _count(Loan),
        only_one="You already have a loan application waiting for a decision.",
    ),
    "withdrawal request": Form(
        _member,
        "/dashboard/member/actions/withdrawals",
        {"withdrawal_amount": "1,000", "reason": "School fees"},
        {"withdrawal_amount": "1,000", "reason": "School fees"},
        _count(Withdrawal),
    ),
    "loan repay": Form(
        _borrower, "/dashboard/member/loans/{loan_id}/repay", {"amount": "2,100"}, {"amount": "2,100"}, _count(Payment)
    ),
    "finance repayment": Form(
        _finance_with_loan,
        "/dashboard/finance/loans/repayments",
        {"form_id": "repayment", "loan_id": "{loan_id}", "amount": "2,100", "reference": "TELLER-1", "paid_on": TODAY},
        {"form_id": "repayment", "loan_id": "{loan_id}", "amount": "2,100", "reference": "TELLER-2", "paid_on": TODAY},
        _count(Transaction, Transaction.type == TxType.REPAYMENT),
    ),
    "finance expense": Form(
        _finance,
        "/dashboard/finance/expenses",
        {"title": "Diesel", "category": "Fuel", "amount": "25,000"},
        {"title": "Diesel", "category": "Fuel", "amount": "25,000"},
        _count(Expense),
    ),
    "super admin adjustment": Form(
        _admin_and_member,
        "/dashboard/super-admin/transactions",
        {"user": "{member_id}", "amount": "500", "reason": "Correction", "direction": "CREDIT"},
        {"user": "{member_id}", "amount": "500", "reason": "Correction", "direction": "CREDIT"},
        _count(Transaction, Transaction.type == TxType.ADJUSTMENT),
        htmx=False,
    ),
}


@pytest.fixture(autouse=True)
def _no_interest(_app_context):
    """Amounts here are about keys, not interest: loans repay their principal."""
    interest_free_loans()


def prepared(app, form: Form):
    """Sign the form's poster in; return (client, url, fields, second fields) with the url arguments filled in."""
    user, args = form.poster()
    client = sign_in(app.test_client(), user)
    fill = {name: str(value) for name, value in args.items()}
    url = form.url.format(**fill)
    fields = {name: value.format(**fill) for name, value in form.fields.items()}
    second = {name: value.format(**fill) for name, value in form.second.items()}
    return client, url, fields, second


def post(client, url: str, fields: dict[str, str], key: str, *, htmx: bool = True):
    """Post the form as live.js does: the fields, the hidden CSRF token and the form's Idempotency-Key."""
    headers = {"Idempotency-Key": key} | ({"HX-Request": "true"} if htmx else {})
    return client.post(url, data={**fields, "csrf_token": client.csrf_token}, headers=headers)


def answer(response) -> tuple:
    """Return what a client sees of an answer: status, body and the headers it acts on."""
    return response.status_code, response.get_data(as_text=True), {h: response.headers.get(h) for h in REPLAYED}


@pytest.mark.parametrize("name", FORMS)
def test_the_same_post_twice_with_one_key_creates_one_record_and_answers_the_same(app, name):
    form = FORMS[name]
    client, url, fields, _ = prepared(app, form)
    before_count = form.count()

    first = post(client, url, fields, KEY, htmx=form.htmx)
    assert first.status_code in (200, 204, 303), first.get_data(as_text=True)[:500]
    assert form.count() == before_count + 1
    before = table_counts()

    again = post(client, url, fields, KEY, htmx=form.htmx)

    assert answer(again) == answer(first) and again.headers["Idempotent-Replayed"] == "true"
    assert_nothing_changed(before)


@pytest.mark.parametrize("name", FORMS)
def test_another_key_is_another_request_and_creates_a_second_record(app, name):
    form = FORMS[name]
    client, url, fields, second = prepared(app, form)
    before_count = form.count()

    first = post(client, url, fields, KEY, htmx=form.htmx)
    other = post(client, url, second, OTHER_KEY, htmx=form.htmx)

    assert first.status_code < 400 and "Idempotent-Replayed" not in other.headers
    if form.only_one is None:
        assert other.status_code == first.status_code and form.count() == before_count + 2
    else:  # the second request reached the service, which allows one at a time: its own refusal, not a replay
        assert other.status_code == 422 and form.only_one in other.get_data(as_text=True)
        assert form.count() == before_count + 1


def test_the_replayed_panel_keeps_the_first_notice_and_its_live_version(app):
    client, url, fields, _ = prepared(app, FORMS["withdrawal request"])
    first = post(client, url, fields, KEY)

    again = post(client, url, fields, KEY)

    assert "Your withdrawal request for ₦1,000.00 was sent to finance." in again.get_data(as_text=True)
    assert again.headers["X-Live-V"] == first.headers["X-Live-V"]
    assert again.headers["Content-Type"].startswith("text/html")


def test_the_same_key_with_other_fields_is_refused_and_creates_nothing(app):
    client, url, fields, _ = prepared(app, FORMS["withdrawal request"])
    assert post(client, url, fields, KEY).status_code == 200
    before = table_counts()

    other = post(client, url, {**fields, "withdrawal_amount": "2,000"}, KEY)

    assert other.status_code == 422
    assert_nothing_changed(before)


def test_a_refused_form_leaves_its_key_free_for_the_corrected_post(app):
    form = FORMS["withdrawal request"]
    client, url, fields, _ = prepared(app, form)

    refused = post(client, url, {**fields, "withdrawal_amount": "999,999"}, KEY)
    corrected = post(client, url, fields, KEY)

    assert (refused.status_code, corrected.status_code) == (422, 200)
    assert "Idempotent-Replayed" not in corrected.headers and form.count() == 1


def test_the_csrf_token_is_not_part_of_the_request(app):
    """A retry may carry a rotated CSRF token: it is still the same request."""
    form = FORMS["loan application"]
    client, url, fields, _ = prepared(app, form)
    first = post(client, url, fields, KEY)
    headers = {"Idempotency-Key": KEY, "HX-Request": "true", "X-CSRFToken": client.csrf_token}

    again = client.post(url, data=fields, headers=headers)  # the token in a header this time, not a field

    assert again.status_code == first.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert form.count() == 1


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
@pytest.mark.parametrize("name", ["withdrawal request", "finance repayment", "finance expense"])
def test_simultaneous_posts_of_one_form_with_one_key_create_one_record(app, name):
    form = FORMS[name]
    client, url, fields, _ = prepared(app, form)
    cookie = client.get_cookie("session").value
    before_count = form.count()

    def attempt(_: int):
        other = app.test_client()
        other.set_cookie("session", cookie)
        other.csrf_token = client.csrf_token
        return answer(post(other, url, fields, KEY, htmx=form.htmx))

    outcomes = run_together(app, 6, attempt)

    statuses = [outcome[0] if isinstance(outcome, tuple) else outcome for outcome in outcomes]
    assert statuses == [200] * 6 and len(set(map(repr, outcomes))) == 1, statuses
    assert form.count() == before_count + 1
