"""The loan panels of issue 10: member `loans`, leader `repayments`, finance `loans`, apex `loans` paged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nogalss_app.models import LoanStatus, Role
from nogalss_app.models.types import utcnow
from nogalss_app.services import loans
from nogalss_app.services.actor import Actor
from tests import factories
from tests.factories import LoanFactory, cooperative_with_saver
from tests.support.client import post_form, sign_in
from tests.support.panels import dashboard_stats, panel_fragment


@pytest.fixture
def late_loan(app):
    """A ₦12,000 loan (₦12,600 due in 6 × ₦2,100) disbursed 75 days ago: two instalments past due, none paid."""
    leader, member = cooperative_with_saver(10_000_00)
    when = utcnow() - timedelta(days=75)
    application = {"amount_kobo": 12_000_00, "purpose": "Sewing machine", "duration_months": 6}
    loan = loans.apply_for_loan(member.id, application, now=when)
    loans.decide_loan(loan.id, "APPROVED", actor=Actor.of(leader), now=when)
    clients = {
        "member": sign_in(app.test_client(), member),
        "leader": sign_in(app.test_client(), leader),
        "finance": sign_in(app.test_client(), factories.user(Role.FINANCE)),
    }
    return {"loan_id": loan.id, "member": member, "leader": leader, "clients": clients}


def test_the_member_sees_the_schedule_the_next_instalment_and_the_arrears(late_loan):
    client = late_loan["clients"]["member"]

    [item] = dashboard_stats("member", client)["loans"]["items"]

    assert (item["total_due_kobo"], item["remaining_kobo"], item["arrears_kobo"]) == (12_600_00, 12_600_00, 4_200_00)
    assert item["days_past_due"] >= 44 and item["next_amount_kobo"] == 2_100_00 and item["can_repay"] is True
    assert [i["in_arrears"] for i in item["instalments"]] == [True, True, False, False, False, False]
    html = panel_fragment("member", client, "loans")
    assert "In arrears: ₦4,200.00" in html and "Repay through the gateway" in html and "Schedule of 6" in html


def test_a_super_admin_viewing_the_member_gets_no_repay_form(late_loan, client, login_as):
    login_as("SUPER_ADMIN")
    query = f"?member={late_loan['member'].id}"

    [item] = dashboard_stats("member", client, query)["loans"]["items"]

    assert item["can_repay"] is False
    assert "Repay through the gateway" not in panel_fragment("member", client, "loans", query)


def test_leader_and_finance_see_the_arrears_and_an_offline_repayment_clears_them(late_loan):
    leader, finance = late_loan["clients"]["leader"], late_loan["clients"]["finance"]
    [late] = dashboard_stats("leader", leader)["repayments"]["items"]
    assert (late["member"], late["arrears_kobo"], late["days_past_due"] >= 44) == ("Ada Obi", 4_200_00, True)
    portfolio = dashboard_stats("finance", finance)["loans"]
    assert (portfolio["outstanding_kobo"], portfolio["arrears_count"], portfolio["arrears_kobo"]) == (
        12_600_00,
        1,
        4_200_00,
    )
    assert portfolio["par30_bp"] == 10_000 and portfolio["repaid_this_month_kobo"] == 0
    assert "Record an offline repayment" in panel_fragment("finance", finance, "loans")

    response = post_form(
        finance,
        "/dashboard/finance/loans/repayments",
        {
            "form_id": "repayment",
            "loan_id": str(late_loan["loan_id"]),
            "amount": "4,200",
            "reference": "TELLER-77",
            "paid_on": date.today().isoformat(),
        },
    )

    assert response.status_code == 200 and "Repayment of ₦4,200.00 recorded" in response.get_data(as_text=True)
    assert dashboard_stats("leader", leader)["repayments"]["items"] == []
    after = dashboard_stats("finance", finance)["loans"]
    assert (after["outstanding_kobo"], after["arrears_count"], after["par30_bp"]) == (8_400_00, 0, 0)
    assert after["repaid_this_month_kobo"] == 4_200_00


def test_the_finance_form_shows_a_refusal_next_to_the_form(late_loan):
    finance = late_loan["clients"]["finance"]
    fields = {"form_id": "repayment", "loan_id": str(late_loan["loan_id"]), "reference": "T-1", "paid_on": "2000-01-01"}

    refused = post_form(finance, "/dashboard/finance/loans/repayments", fields | {"amount": "99,999"})

    assert refused.status_code == 409 and "more than the ₦12,600.00 still owed" in refused.get_data(as_text=True)


def test_the_member_repay_form_goes_to_the_checkout(late_loan):
    client = late_loan["clients"]["member"]

    response = post_form(client, f"/dashboard/member/loans/{late_loan['loan_id']}/repay", {"amount": "2,100"})

    assert response.status_code == 204 and "/sandbox/checkout/NGS-RPY-" in response.headers["HX-Redirect"]


def test_apex_loans_are_paged_filtered_and_show_outstanding_and_days_past_due(late_loan, client, login_as):
    login_as("APEX")
    for _ in range(55):
        LoanFactory(user=late_loan["member"], amount_kobo=1_000_00, status=LoanStatus.REJECTED)

    first = dashboard_stats("apex", client)["loans"]
    second = dashboard_stats("apex", client, "?page=2")["loans"]
    approved = dashboard_stats("apex", client, "?status=APPROVED")["loans"]

    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (56, 2, 50, 6)
    [loan] = approved["items"]
    assert (loan["id"], loan["remaining_kobo"], loan["days_past_due"] >= 44) == (late_loan["loan_id"], 12_600_00, True)
    html = panel_fragment("apex", client, "loans", "?status=APPROVED")
    assert "Days past due" in html and "₦12,600.00" in html
