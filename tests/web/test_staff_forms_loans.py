"""Apex panel forms (member fee, loan status changes) and the leader's loan decisions: htmx posts, panel replies."""

from __future__ import annotations

import pytest

from nogalss_app.models import LoanStatus
from nogalss_app.services import settings
from tests.factories import LoanFactory, cooperative_with_saver, saver
from tests.support.bad_inputs import BAD_NAIRA
from tests.support.client import post_form, text
from tests.support.records import last_v, only_change, refresh
from tests.support.snapshot import assert_nothing_changed, table_counts

# Apex: member registration fee ------------------------------------------------------------------------------


def test_apex_changes_the_member_fee_in_naira_text(client, login_as):
    login_as("APEX")
    v = last_v()

    response = post_form(client, "/dashboard/apex/member-fee", {"form_id": "member-fee", "member_fee": "7,500.50"})

    assert response.status_code == 200
    assert "The member registration fee is now ₦7,500.50." in text(response)
    assert 'value="7,500.50"' in text(response)
    fees = settings.get_settings()
    assert (fees.member_fee_kobo, fees.cooperative_fee_kobo) == (7_500_50, 50_000_00)
    topics, rooms = only_change(v, "settings.fees_updated")
    assert {"settings", "fees"} <= set(topics) and rooms == ["everyone"]


@pytest.mark.parametrize(("amount", "message"), BAD_NAIRA)
def test_bad_member_fee_text_is_refused_and_kept(client, login_as, amount, message):
    login_as("APEX")
    before = table_counts()

    response = post_form(client, "/dashboard/apex/member-fee", {"form_id": "member-fee", "member_fee": amount})

    assert response.status_code == 422
    page = text(response)
    assert '<p class="field-error" id="member-fee-member_fee-error">' in page and message in page
    assert f'name="member_fee" value="{amount}"' in page
    assert_nothing_changed(before)
    assert settings.get_settings().member_fee_kobo == 5_000_00


def test_a_member_fee_above_the_maximum_is_refused(client, login_as):
    login_as("APEX")
    before = table_counts()

    response = post_form(client, "/dashboard/apex/member-fee", {"form_id": "member-fee", "member_fee": "10,000,001"})

    assert response.status_code == 422 and "must not exceed" in text(response)
    assert_nothing_changed(before)


@pytest.mark.parametrize("role", ["MEMBER", "LEADER", "FINANCE"])
def test_only_apex_and_super_admins_post_apex_forms(client, login_as, role):
    login_as(role)
    loan = LoanFactory(user=saver(10_000_00), amount_kobo=20_000_00)
    before = table_counts()

    assert post_form(client, "/dashboard/apex/member-fee", {"member_fee": "1,000"}).status_code == 403
    assert post_form(client, f"/dashboard/apex/loans/{loan.id}", {"status": "APPROVED"}).status_code == 403
    assert_nothing_changed(before)


def test_apex_forms_without_csrf_are_refused(client, login_as):
    login_as("APEX")
    loan = LoanFactory(user=saver(10_000_00), amount_kobo=20_000_00)
    before = table_counts()

    assert post_form(client, "/dashboard/apex/member-fee", {"member_fee": "1,000"}, csrf=False).status_code == 400
    assert post_form(client, f"/dashboard/apex/loans/{loan.id}", {"status": "APPROVED"}, csrf=False).status_code == 400
    assert_nothing_changed(before)


# Apex: loan status changes ------------------------------------------------------------------------------------


def test_the_apex_loans_panel_offers_only_the_allowed_next_states(client, login_as):
    login_as("APEX")
    member = saver(10_000_00)
    pending = LoanFactory(user=member, amount_kobo=1_000_00)
    approved = LoanFactory(user=member, amount_kobo=2_000_00, status=LoanStatus.APPROVED)
    active = LoanFactory(user=member, amount_kobo=3_000_00, status=LoanStatus.ACTIVE)
    rejected = LoanFactory(user=member, amount_kobo=4_000_00, status=LoanStatus.REJECTED)

    page = text(client.get("/dashboard/apex/panels/loans"))

    def row(loan) -> str:
        start = page.index(f'<tr id="loan-{loan.id}">')
        return page[start : page.index("</tr>", start)]

    assert 'value="APPROVED">Confirm: approve ₦1,000.00' in row(pending) and 'value="REJECTED">Reject' in row(pending)
    assert "ACTIVE" not in row(pending)
    assert 'value="ACTIVE">Confirm: mark disbursed ₦2,000.00' in row(approved) and "Confirm: approve" not in row(
        approved
    )
    assert "<form" not in row(active) and "completes with the last repayment" in row(active)
    assert "<form" not in row(rejected) and "final" in row(rejected)


def test_apex_approves_from_the_panel(client, login_as):
    apex = login_as("APEX")
    _leader, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=20_000_00)
    v = last_v()

    response = post_form(
        client, f"/dashboard/apex/loans/{loan.id}", {"form_id": f"loan-{loan.id}", "status": "APPROVED", "notes": "OK"}
    )

    assert response.status_code == 200 and "The ₦20,000.00 loan was approved" in text(response)
    assert (refresh(loan).status, refresh(loan).decided_by_id, refresh(loan).notes) == (
        LoanStatus.APPROVED,
        apex.id,
        "OK",
    )
    topics, rooms = only_change(v, "loan.approved")
    assert "loans" in topics and f"coop:{member.cooperative_id}" in rooms


def test_apex_marks_a_loan_disbursed_from_the_panel(client, login_as):
    login_as("APEX")
    loan = LoanFactory(user=saver(10_000_00), amount_kobo=20_000_00, status=LoanStatus.APPROVED)

    response = post_form(client, f"/dashboard/apex/loans/{loan.id}", {"status": "ACTIVE"})

    assert response.status_code == 200 and "marked as disbursed" in text(response)
    assert refresh(loan).status is LoanStatus.ACTIVE


@pytest.mark.parametrize(
    ("start", "status", "code"),
    [
        (LoanStatus.REJECTED, "APPROVED", 409),
        (LoanStatus.ACTIVE, "COMPLETED", 409),
        (LoanStatus.PENDING, "ACTIVE", 409),
        (LoanStatus.PENDING, "FINISHED", 422),
        (LoanStatus.PENDING, "", 422),
    ],
)
def test_a_refused_apex_change_is_shown_in_the_panel(client, login_as, start, status, code):
    login_as("APEX")
    loan = LoanFactory(user=saver(10_000_00), amount_kobo=20_000_00, status=start)
    before = table_counts()

    response = post_form(client, f"/dashboard/apex/loans/{loan.id}", {"form_id": f"loan-{loan.id}", "status": status})

    assert response.status_code == code and 'class="form-error"' in text(response)
    assert_nothing_changed(before)
    assert refresh(loan).status is start


# Leader: pending applications ---------------------------------------------------------------------------------


def test_the_leader_approves_an_application_from_the_panel(client, login_as):
    leader = login_as("LEADER")
    member = saver(10_000_00, cooperative_id=leader.cooperative_id, first_name="Ada", last_name="Obi")
    loan = LoanFactory(user=member, amount_kobo=20_000_00)
    assert "Approve" in text(client.get("/dashboard/leader/panels/loans"))
    v = last_v()

    response = post_form(client, f"/dashboard/leader/loans/{loan.id}", {"decision": "approve", "notes": ""})

    assert response.status_code == 200
    assert "Ada Obi&#39;s ₦20,000.00 loan was approved." in text(response)
    assert "No loan applications are waiting for a decision." in text(response)
    stored = refresh(loan)
    assert (stored.status, stored.decided_by_id, stored.notes) == (LoanStatus.APPROVED, leader.id, None)
    topics, rooms = only_change(v, "loan.approved")
    assert {"loans", "transactions"} <= set(topics) and f"user:{member.id}" in rooms


def test_the_leader_rejects_with_notes(client, login_as):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00)

    response = post_form(client, f"/dashboard/leader/loans/{loan.id}", {"decision": "reject", "notes": "Too large"})

    assert response.status_code == 200 and "loan was rejected" in text(response)
    assert (refresh(loan).status, refresh(loan).notes) == (LoanStatus.REJECTED, "Too large")


def test_a_leader_acting_on_another_cooperatives_loan_gets_404_like_a_missing_one(client, login_as):
    login_as("LEADER")
    _other_leader, other_member = cooperative_with_saver()
    foreign = LoanFactory(user=other_member, amount_kobo=20_000_00)
    before = table_counts()

    response = post_form(client, f"/dashboard/leader/loans/{foreign.id}", {"decision": "approve"})
    missing = post_form(client, f"/dashboard/leader/loans/{foreign.id + 1000}", {"decision": "approve"})

    assert response.status_code == missing.status_code == 404
    assert "Loan not found." in text(response) and "Loan not found." in text(missing)
    assert f"/dashboard/leader/loans/{foreign.id}" not in text(client.get("/dashboard/leader/panels/loans"))
    assert_nothing_changed(before)
    assert refresh(foreign).status is LoanStatus.PENDING


def test_a_leaders_own_application_has_no_buttons_and_cannot_be_decided(client, login_as):
    leader = login_as("LEADER")
    own = LoanFactory(user=leader, amount_kobo=20_000_00)
    before = table_counts()

    panel = text(client.get("/dashboard/leader/panels/loans"))
    response = post_form(client, f"/dashboard/leader/loans/{own.id}", {"decision": "approve"})

    assert "your own application" in panel and f"/dashboard/leader/loans/{own.id}" not in panel
    assert response.status_code == 403 and "cannot decide your own loan" in text(response)
    assert_nothing_changed(before)


@pytest.mark.parametrize("decision", [None, "", "APPROVED", "activate", "approve "])
def test_an_unknown_decision_is_refused(client, login_as, decision):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00)
    before = table_counts()
    data = {"form_id": f"loan-{loan.id}"} | ({} if decision is None else {"decision": decision})

    response = post_form(client, f"/dashboard/leader/loans/{loan.id}", data)

    assert response.status_code == 422 and "must be approve or reject" in text(response)
    assert_nothing_changed(before)


def test_a_super_admin_viewing_a_cooperative_decides_and_sees_that_cooperative(client, login_as):
    leader, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=20_000_00)
    login_as("SUPER_ADMIN")
    url = f"/dashboard/leader/loans/{loan.id}?cooperative={leader.cooperative_id}"
    assert url in text(client.get(f"/dashboard/leader/panels/loans?cooperative={leader.cooperative_id}"))

    response = post_form(client, url, {"decision": "approve"})

    assert response.status_code == 200 and "loan was approved" in text(response)
    assert refresh(loan).status is LoanStatus.APPROVED


@pytest.mark.parametrize("role", ["MEMBER", "APEX", "FINANCE"])
def test_other_roles_cannot_post_leader_forms(client, login_as, role):
    _leader, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=20_000_00)
    login_as(role)
    before = table_counts()

    assert post_form(client, f"/dashboard/leader/loans/{loan.id}", {"decision": "approve"}).status_code == 403
    assert_nothing_changed(before)


def test_leader_forms_without_csrf_are_refused(client, login_as):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00)
    before = table_counts()

    assert (
        post_form(client, f"/dashboard/leader/loans/{loan.id}", {"decision": "approve"}, csrf=False).status_code == 400
    )
    assert_nothing_changed(before)
