"""The super admin's record pages (transactions, cooperatives) and the expense decisions of the expenses panel."""

from __future__ import annotations

import itertools
import re

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import (
    Cooperative,
    Expense,
    ExpenseStatus,
    Transaction,
    TxStatus,
)
from tests import factories
from tests.factories import ContributionFactory, ExpenseFactory, TransactionFactory
from tests.support.client import submit, text
from tests.support.records import signals
from tests.support.snapshot import assert_nothing_changed, table_counts

BASE = "/dashboard/super-admin"
_refs = itertools.count(1)
XSS = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
SQL = "x'); DROP TABLE users;--"


@pytest.fixture
def admin(login_as):
    """A signed-in super admin."""
    return login_as("SUPER_ADMIN")


# Transactions page --------------------------------------------------------------------------------------------


def test_the_ledger_page_lists_sorts_and_pages(client, admin):
    member = factories.user(role="MEMBER", email="saver@coop.test")
    for n in range(3):
        TransactionFactory(
            status=TxStatus.PENDING,
            reference=f"REF-{n}",
            amount_kobo=(n + 1) * 100_00,
            user=member,
            description=f"Line {n}",
        )

    page = text(client.get(f"{BASE}/transactions", query_string={"per_page": 2, "sort": "amount_kobo", "order": "asc"}))

    assert "REF-0" in page and "REF-1" in page and "REF-2" not in page
    assert "₦100.00" in page and "saver@coop.test" in page
    assert "Page 1 of 2" in page and 'rel="next"' in page
    assert 'aria-sort="ascending"' in page
    assert "order=desc" in page and "sort=amount_kobo" in page  # the active column's header flips the order
    assert "{% block" not in page and 'id="adjustment"' in page


def test_the_ledger_page_searches_and_filters(client, admin):
    TransactionFactory(status=TxStatus.PENDING, reference="FIND-ME", description="Refund of charge")
    TransactionFactory(status=TxStatus.SUCCESSFUL, reference="SKIP-ME")

    page = text(client.get(f"{BASE}/transactions", query_string={"q": "refund", "status": "PENDING"}))

    assert "FIND-ME" in page and "SKIP-ME" not in page


@pytest.mark.parametrize("args", [{"sort": "nope"}, {"page": "-1"}, {"date_from": "yesterday"}, {"type": "X"}])
def test_bad_list_arguments_give_a_422_page(client, admin, args):
    response = client.get(f"{BASE}/transactions", query_string=args)

    assert response.status_code == 422
    assert "Traceback" not in text(response)


def test_a_pending_line_offers_a_status_change_and_a_cancel_behind_a_confirm_step(client, admin):
    pending = TransactionFactory(status=TxStatus.PENDING, reference="PENDING-1")
    TransactionFactory(status=TxStatus.SUCCESSFUL, reference="DONE-1")

    page = text(client.get(f"{BASE}/transactions"))

    row = re.search(rf'<tr id="tx-{pending.id}">.*?</tr>', page, re.S).group(0)
    assert "<details" in row and "Confirm status change" in row and "Confirm cancel" in row
    assert 'name="csrf_token"' in row
    assert "Confirm" not in re.search(r'<tr id="tx-\d+">(?:(?!</tr>).)*DONE-1.*?</tr>', page, re.S).group(0)


def test_the_adjustment_form_records_a_line_and_comes_back_with_a_notice(client, admin):
    member = factories.user(role="MEMBER", email="ada@coop.test")

    response = submit(
        client,
        f"{BASE}/transactions",
        {
            "user": " ADA@coop.test ",
            "amount": "1,500.50",
            "direction": "debit",
            "reason": "Duplicate fee",
            "status": "PENDING",
        },
    )

    assert response.status_code == 303
    tx = db.session.scalars(sa.select(Transaction)).one()
    assert (tx.user_id, tx.amount_kobo, tx.is_debit, tx.status, tx.reason) == (
        member.id,
        1_500_50,
        True,
        TxStatus.PENDING,
        "Duplicate fee",
    )
    assert len(signals("transaction.created")) == 1
    page = text(client.get(response.headers["Location"]))
    assert f"Adjustment {tx.reference} of ₦1,500.50 recorded." in page


def test_the_adjustment_form_posted_twice_from_one_render_records_one_line(client, admin):
    """A plain form has no live.js: its Idempotency-Key is a hidden field rendered with the page (issue 14)."""
    member = factories.user(role="MEMBER", email="twice@coop.test")
    keys = [
        re.search(
            r'<input type="hidden" name="idempotency_key" value="([^"]+)">', text(client.get(f"{BASE}/transactions"))
        )
        for _ in range(2)
    ]
    assert all(keys) and keys[0].group(1) != keys[1].group(1)  # every render brings a new key
    fields = {"user": str(member.id), "amount": "700", "direction": "credit", "reason": "Double click test"}

    first = submit(client, f"{BASE}/transactions", {**fields, "idempotency_key": keys[0].group(1)})
    again = submit(client, f"{BASE}/transactions", {**fields, "idempotency_key": keys[0].group(1)})

    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(db.session.scalars(sa.select(Transaction).where(Transaction.user_id == member.id)).all()) == 1
    other = submit(client, f"{BASE}/transactions", {**fields, "idempotency_key": keys[1].group(1)})
    assert other.status_code == 303 and other.headers.get("Idempotent-Replayed") is None
    assert len(db.session.scalars(sa.select(Transaction).where(Transaction.user_id == member.id)).all()) == 2


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"amount": "1e3"}, "amount", "use only the digits"),
        ({"amount": "100.005"}, "amount", "at most 2 decimal places"),
        ({"amount": "１２３"}, "amount", "use only the digits"),
        ({"amount": "-5000"}, "amount", "without a + or - sign"),
        ({"amount": "0"}, "amount", "greater than zero"),
        ({"amount": ""}, "amount", "enter an amount"),
        ({"user": "nobody@nowhere.test"}, "user", "existing user"),
        ({"reason": "abc"}, "reason", "5 to 500"),
        ({"direction": "sideways"}, "direction", "credit, debit"),
    ],
)
def test_a_bad_adjustment_form_is_shown_again_with_the_field_error_and_the_typed_values(
    client, admin, form, field, message
):
    factories.user(role="MEMBER", email="ada@coop.test")
    typed = {"user": "ada@coop.test", "amount": "2,000", "direction": "credit", "reason": "A fair reason"} | form
    before = table_counts()

    response = submit(client, f"{BASE}/transactions", typed)

    assert response.status_code == 422
    page = text(response)
    assert f'id="adjustment-{field}-error"' in page and message in page
    assert 'value="ada@coop.test"' in page or field == "user"
    assert_nothing_changed(before)


def test_the_confirmed_status_change_and_cancel_forms_move_pending_lines(client, admin):
    settled = TransactionFactory(status=TxStatus.PENDING, reference="SETTLE-ME")
    dropped = TransactionFactory(status=TxStatus.PENDING, reference="DROP-ME")

    moved = submit(
        client, f"{BASE}/transactions/{settled.id}/status?status=PENDING", {"status": "FAILED", "notes": "Bounced"}
    )
    cancelled = submit(client, f"{BASE}/transactions/{dropped.id}/cancel")

    assert moved.status_code == cancelled.status_code == 303
    assert moved.headers["Location"].endswith("/transactions?status=PENDING")  # back to the same list
    db.session.expire_all()
    assert db.session.get(Transaction, settled.id).status is TxStatus.FAILED
    assert db.session.get(Transaction, dropped.id).status is TxStatus.CANCELLED
    assert len(signals("transaction.failed")) == len(signals("transaction.cancelled")) == 1


def test_a_refused_status_change_shows_the_page_with_the_message(client, admin):
    done = TransactionFactory(status=TxStatus.SUCCESSFUL)
    before = table_counts()

    response = submit(client, f"{BASE}/transactions/{done.id}/cancel")
    unknown = submit(client, f"{BASE}/transactions/999999/status", {"status": "FAILED"})

    assert response.status_code == 409 and "cannot become CANCELLED" in text(response)
    assert unknown.status_code == 404
    assert_nothing_changed(before)


def test_forms_without_the_csrf_token_are_refused(client, admin):
    member = factories.user(role="MEMBER")
    pending = TransactionFactory(status=TxStatus.PENDING)
    coop = factories.cooperative()
    before = table_counts()

    for url, data in [
        (f"{BASE}/transactions", {"user": str(member.id), "amount": "10", "reason": "No token here"}),
        (f"{BASE}/transactions/{pending.id}/cancel", {}),
        (f"{BASE}/cooperatives", {"name": "No token", "registration_number": "NT-1"}),
        (f"{BASE}/cooperatives/{coop.id}/delete", {}),
        (f"{BASE}/cooperatives/{coop.id}/active", {"active": "0"}),
    ]:
        assert client.post(url, data=data).status_code == 400

    assert_nothing_changed(before)


# Cooperatives pages -------------------------------------------------------------------------------------------


def test_the_cooperatives_page_shows_member_counts_leaders_and_the_create_form(client, admin):
    coop = factories.cooperative(name="Kano Weavers", registration_number="KN-1")
    factories.user(role="LEADER", cooperative_id=coop.id, first_name="Amina", last_name="Bello")
    factories.user(role="MEMBER", cooperative_id=coop.id)
    factories.user(role="MEMBER", cooperative_id=coop.id)

    page = text(client.get(f"{BASE}/cooperatives"))

    row = re.search(rf'<tr id="coop-{coop.id}">.*?</tr>', page, re.S).group(0)
    assert "Kano Weavers" in row and "KN-1" in row and "Amina Bello" in row and '<td class="num">2</td>' in row
    assert 'id="new-cooperative"' in page and 'name="parent_organization_id"' in page


def test_a_cooperative_is_created_from_the_form(client, admin):
    org = factories.parent_org(name="Artisans Union")

    response = submit(
        client,
        f"{BASE}/cooperatives",
        {"name": "Jos Potters", "registration_number": "PL-7", "parent_organization_id": str(org.id), "city": "Jos"},
    )

    assert response.status_code == 303
    coop = db.session.scalars(sa.select(Cooperative)).one()
    assert (coop.name, coop.registration_number, coop.city, coop.is_active) == ("Jos Potters", "PL-7", "Jos", True)
    assert "Cooperative Jos Potters (PL-7) created." in text(client.get(response.headers["Location"]))


def test_a_bad_cooperative_form_keeps_the_values_and_shows_field_errors(client, admin):
    org = factories.parent_org()
    factories.cooperative(registration_number="TAKEN-1")
    before = table_counts()

    invalid = submit(
        client,
        f"{BASE}/cooperatives",
        {
            "name": "N" * 10_000,
            "registration_number": "OK-1",
            "parent_organization_id": "",
            "bank_account_number": "12",
        },
    )
    taken = submit(
        client,
        f"{BASE}/cooperatives",
        {"name": "Twin", "registration_number": "taken-1", "parent_organization_id": str(org.id)},
    )

    assert invalid.status_code == 422
    page = text(invalid)
    for field in ("name", "parent_organization_id", "bank_account_number"):
        assert f'id="new-cooperative-{field}-error"' in page
    assert 'value="OK-1"' in page
    assert taken.status_code == 409 and "already in use" in text(taken) and 'value="Twin"' in text(taken)
    assert_nothing_changed(before)


@pytest.mark.parametrize("name", [XSS, SCRIPT, SQL])
def test_hostile_cooperative_names_are_shown_escaped_on_the_pages_and_in_panels(client, admin, name):
    org = factories.parent_org()
    response = submit(
        client,
        f"{BASE}/cooperatives",
        {"name": name, "registration_number": "HOST-1", "parent_organization_id": str(org.id)},
    )
    coop = db.session.scalars(sa.select(Cooperative)).one()
    member = factories.user(role="MEMBER", cooperative_id=coop.id)
    ContributionFactory(user=member, amount_kobo=5_000_00)

    pages = [
        text(client.get(response.headers["Location"])),
        text(client.get(f"{BASE}/cooperatives/{coop.id}")),
        text(client.get(f"{BASE}/panels/distribution")),
    ]

    assert coop.name == name
    escaped = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    escaped = escaped.replace("'", "&#39;")
    for page in pages:
        assert escaped in page and name not in page


def test_the_edit_page_saves_every_field(client, admin):
    org = factories.parent_org()
    coop = factories.cooperative(name="Old Name", registration_number="ED-1", parent_organization_id=org.id)

    page = text(client.get(f"{BASE}/cooperatives/{coop.id}"))
    saved = submit(
        client,
        f"{BASE}/cooperatives/{coop.id}",
        {"name": "New Name", "registration_number": "ED-1", "parent_organization_id": str(org.id), "state": "Oyo"},
    )

    assert 'value="Old Name"' in page and "Confirm delete" in page and "<details" in page
    assert saved.status_code == 303
    db.session.expire_all()
    stored = db.session.get(Cooperative, coop.id)
    assert (stored.name, stored.state, stored.is_active) == ("New Name", "Oyo", True)
    assert "Cooperative New Name saved." in text(client.get(saved.headers["Location"]))


def test_a_bad_edit_is_shown_again_with_its_errors(client, admin):
    org = factories.parent_org()
    coop = factories.cooperative(name="Stay", parent_organization_id=org.id)
    before = table_counts()

    response = submit(client, f"{BASE}/cooperatives/{coop.id}", {"name": "", "registration_number": "R-1"})

    assert response.status_code == 422 and 'id="cooperative-name-error"' in text(response)
    assert_nothing_changed(before)


def test_deactivate_and_activate_from_the_edit_page(client, admin):
    coop = factories.cooperative()

    off = submit(client, f"{BASE}/cooperatives/{coop.id}/active", {"active": "0"})
    db.session.expire_all()
    assert db.session.get(Cooperative, coop.id).is_active is False
    assert "Activate" in text(client.get(off.headers["Location"]))
    submit(client, f"{BASE}/cooperatives/{coop.id}/active", {"active": "1"})

    db.session.expire_all()
    assert db.session.get(Cooperative, coop.id).is_active is True
    assert len(signals("cooperative.deactivated")) == len(signals("cooperative.activated")) == 1


def test_delete_removes_an_unused_cooperative_and_refuses_one_with_members(client, admin):
    empty, busy = factories.cooperative(name="Empty"), factories.cooperative(name="Busy")
    factories.user(role="MEMBER", cooperative_id=busy.id)
    before = table_counts()

    refused = submit(client, f"{BASE}/cooperatives/{busy.id}/delete")
    assert refused.status_code == 409 and "deactivate it instead" in text(refused)
    assert_nothing_changed(before)

    empty_id = empty.id
    deleted = submit(client, f"{BASE}/cooperatives/{empty_id}/delete")
    assert deleted.status_code == 303 and "Cooperative deleted." in text(client.get(deleted.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Cooperative, empty_id) is None


def test_unknown_cooperatives_are_not_found(client, admin):
    for url in (f"{BASE}/cooperatives/999999", f"{BASE}/cooperatives/abc"):
        assert client.get(url).status_code == 404
    assert submit(client, f"{BASE}/cooperatives/999999/delete").status_code == 404


# The expenses panel -------------------------------------------------------------------------------------------


def test_the_expenses_panel_offers_the_next_decisions_only(client, admin):
    pending = ExpenseFactory(title="Pending one")
    approved = ExpenseFactory(status=ExpenseStatus.APPROVED, title="Approved one")
    ExpenseFactory(status=ExpenseStatus.PAID, title="Paid one")

    panel = text(client.get(f"{BASE}/panels/expenses"))

    pending_row = re.search(rf'<tr id="expense-{pending.id}">.*?</tr>', panel, re.S).group(0)
    approved_row = re.search(rf'<tr id="expense-{approved.id}">.*?</tr>', panel, re.S).group(0)
    assert 'value="APPROVED"' in pending_row and "Confirm reject" in pending_row and 'value="PAID"' not in pending_row
    assert 'value="PAID"' in approved_row and 'value="APPROVED"' not in approved_row
    assert 'hx-target="closest .panel"' in pending_row and 'hx-swap="innerMorph"' in pending_row


def test_approving_then_paying_from_the_panel_answers_the_re_rendered_panel(client, admin):
    expense = ExpenseFactory(title=SCRIPT)
    url = f"{BASE}/expenses/{expense.id}/status"

    approved = submit(client, url, {"status": "APPROVED"}, headers={"HX-Request": "true"})
    paid = submit(client, url, {"status": "PAID"}, headers={"HX-Request": "true"})

    assert approved.status_code == paid.status_code == 200
    assert "Expense approved." in text(approved) and "Expense marked as paid." in text(paid)
    assert 'class="panel-header"' in text(paid) and "<html" not in text(paid)
    assert SCRIPT not in text(paid) and "&lt;script&gt;" in text(paid)
    db.session.expire_all()
    assert db.session.get(Expense, expense.id).status is ExpenseStatus.PAID
    assert len(signals("expense.approved")) == len(signals("expense.paid")) == 1


def test_an_illegal_decision_from_the_panel_shows_the_refusal_in_place(client, admin):
    expense = ExpenseFactory()
    before = table_counts()

    response = submit(
        client, f"{BASE}/expenses/{expense.id}/status", {"status": "PAID"}, headers={"HX-Request": "true"}
    )
    unknown = submit(client, f"{BASE}/expenses/{expense.id}/status", {"status": "LOST"}, headers={"HX-Request": "true"})

    assert response.status_code == 409 and "cannot become PAID" in text(response)
    assert unknown.status_code == 422 and 'class="form-error"' in text(unknown)
    assert_nothing_changed(before)


# Who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["FINANCE", "APEX", "LEADER", "MEMBER"])
def test_other_roles_get_403_on_the_record_pages_and_forms(client, login_as, role):
    coop = factories.cooperative()
    expense = ExpenseFactory()
    pending = TransactionFactory(status=TxStatus.PENDING)
    login_as(role)
    before = table_counts()

    for url in (f"{BASE}/transactions", f"{BASE}/cooperatives", f"{BASE}/cooperatives/{coop.id}"):
        assert client.get(url).status_code == 403
    assert submit(client, f"{BASE}/transactions/{pending.id}/cancel").status_code == 403
    assert submit(client, f"{BASE}/cooperatives/{coop.id}/delete").status_code == 403
    assert submit(client, f"{BASE}/expenses/{expense.id}/status", {"status": "APPROVED"}).status_code == 403
    assert_nothing_changed(before)
