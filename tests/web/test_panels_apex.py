"""Apex panels: platform overview, fees in force, all loans with their next statuses, shared distribution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import LoanStatus, Role, Setting, TxStatus, WithdrawalStatus
from nogalss_app.services.stats import compute
from nogalss_app.services.stats.queries_platform import full_name, next_statuses
from nogalss_app.services.stats.registry import dashboard_panels
from nogalss_app.services.stats.scope import Scope
from tests import factories
from tests.factories import ContributionFactory, FeeFactory, LoanFactory
from tests.support.bad_inputs import ESCAPED, XSS
from tests.support.queries import build_counting


@pytest.fixture
def dataset():
    """52 loans (so two fall outside the 50 newest), two contributions and a failed fee."""
    now = datetime.now(UTC)
    _, _, ada, bola = factories.two_cooperatives()
    db.session.add(Setting(key="fees", value={"member_fee_kobo": 7_500_00, "cooperative_fee_kobo": 60_000_00}))
    for member, amount, status, age, purpose in [
        (ada, 9_000_00, LoanStatus.REJECTED, timedelta(days=10), "Oldest loan"),
        *[(ada, 100_00, LoanStatus.ACTIVE, timedelta(days=5, minutes=i), "Filler") for i in range(48)],
        (ada, 40_000_00, LoanStatus.APPROVED, timedelta(days=3), "Kiln"),
        (ada, 15_000_00, LoanStatus.PENDING, timedelta(days=1), "Sewing machine"),
        (bola, 2_500_50, LoanStatus.PENDING, timedelta(hours=2), XSS),
    ]:
        LoanFactory(user=member, amount_kobo=amount, status=status, created_at=now - age, purpose=purpose)
    this_month = compute.last_months(now, 1)[0].start + timedelta(minutes=30)
    ContributionFactory(user=ada, amount_kobo=10_000_00, created_at=this_month)
    ContributionFactory(user=bola, amount_kobo=5_000_00, created_at=this_month)
    FeeFactory(amount_kobo=7_500_00, status=TxStatus.FAILED, created_at=now, reference="APX-FAILED")
    return {"now": now}


def test_overview_figures(dataset, client, login_as):
    login_as("APEX")
    data = client.get("/api/apex/dashboard-stats").get_json()["overview"]
    assert data == {
        "users": 3,  # ada, bola, the apex user
        "cooperatives": 2,
        "transactions": 3,  # two contribution lines and the failed fee: every ledger line counts here
        "pending_loans": 2,
        "pending_loans_kobo": 1_750_050,  # 15,000 + 2,500.50 naira
        "contributions_kobo": 1_500_000,  # 10,000 + 5,000 naira
        "contributions_count": 2,
        "loans_disbursed_kobo": 4_480_000,  # APPROVED 40,000 + 48 ACTIVE × 100; PENDING and REJECTED excluded
    }
    html = client.get("/dashboard/apex/panels/overview").get_data(as_text=True)
    assert "₦17,500.50" in html and "₦15,000.00" in html and "₦44,800.00" in html


def test_member_fee_shows_the_fees_in_force(dataset, client, login_as):
    login_as("APEX")
    data = client.get("/api/apex/dashboard-stats").get_json()["member_fee"]
    assert data == {"member_fee_kobo": 750_000, "cooperative_fee_kobo": 6_000_000}
    html = client.get("/dashboard/apex/panels/member_fee").get_data(as_text=True)
    assert "₦7,500.00" in html and "₦60,000.00" in html


def test_loans_lists_the_50_newest_with_allowed_next_statuses(dataset, client, login_as):
    login_as("APEX")
    data = client.get("/api/apex/dashboard-stats").get_json()["loans"]
    assert (len(data["items"]), data["total"]) == (50, 52)
    first, second, third = data["items"][:3]
    assert (first["member"], first["cooperative"], first["amount_kobo"], first["status"]) == (
        f"{XSS} Ade",
        XSS,
        250_050,
        "PENDING",
    )
    assert first["next_statuses"] == ["APPROVED", "REJECTED"]
    assert (second["purpose"], third["status"], third["next_statuses"]) == ("Sewing machine", "APPROVED", ["ACTIVE"])
    assert data["items"][3]["next_statuses"] == ["COMPLETED"]
    assert "Oldest loan" not in [item["purpose"] for item in data["items"]]
    html = client.get("/dashboard/apex/panels/loans").get_data(as_text=True)
    assert "can become Approved or Rejected" in html and "can become Active" in html and "can become Completed" in html
    assert "₦2,500.50" in html and "Oldest loan" not in html and "the 50 newest of 52" in html
    assert XSS not in html and ESCAPED in html


def test_final_loans_say_so(client, login_as):
    login_as("APEX")
    LoanFactory(amount_kobo=1_000_00, status=LoanStatus.COMPLETED)
    html = client.get("/dashboard/apex/panels/loans").get_data(as_text=True)
    assert "final" in html and "can become" not in html


def test_distribution_is_the_super_admins_panel_under_the_apex_url(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    query = "?period=month&group=cooperative"
    mine = client.get(f"/api/apex/dashboard-stats{query}").get_json()["distribution"]
    admin = client.get(f"/api/admin/dashboard-stats{query}").get_json()["distribution"]
    assert mine == admin
    assert [(r["label"], r["amount_kobo"]) for r in mine["rows"]] == [("Ikeja Artisans", 1_000_000), (XSS, 500_000)]
    html = client.get(f"/dashboard/apex/panels/distribution{query}").get_data(as_text=True)
    assert 'hx-get="/dashboard/apex/panels/distribution"' in html and '<option value="month" selected>' in html
    assert "₦15,000.00" in html and XSS not in html and ESCAPED in html


def test_empty_states(client, login_as):
    login_as("APEX")
    assert 'class="empty"' in client.get("/dashboard/apex/panels/loans").get_data(as_text=True)
    assert 'class="empty"' in client.get("/dashboard/apex/panels/distribution").get_data(as_text=True)


def test_other_roles_are_refused(client, login_as):
    login_as("FINANCE")
    assert client.get("/api/apex/dashboard-stats").status_code == 403
    assert client.get("/dashboard/apex/panels/loans").status_code == 403


def test_registry_declares_the_spec_panels_and_topics():
    panels = {p.name: p for p in dashboard_panels()["apex"]}
    assert list(panels) == ["overview", "member_fee", "loans", "distribution"]
    assert panels["member_fee"].topics == ("settings",) and panels["loans"].topics == ("loans",)
    assert panels["distribution"].build is {p.name: p for p in dashboard_panels()["super_admin"]}["distribution"].build


def test_each_panel_runs_a_small_fixed_number_of_queries(dataset):
    # member_fee is get_settings(): one SELECT of the settings table.
    # loans: the count, the page of loans and their instalments (outstanding and days past due).
    expected = {"overview": 1, "member_fee": 1, "loans": 3, "distribution": 1}
    for panel in dashboard_panels()["apex"]:
        _, seen = build_counting(
            panel, Scope(1, Role.APEX, now=dataset["now"], params={"period": "all", "group": "cooperative"})
        )
        assert len(seen) == expected[panel.name], (panel.name, seen)


def test_next_statuses_follow_the_state_machines_in_declaration_order():
    assert next_statuses(LoanStatus.PENDING) == [LoanStatus.APPROVED, LoanStatus.REJECTED]
    assert next_statuses(LoanStatus.ACTIVE) == [LoanStatus.COMPLETED]
    assert next_statuses(LoanStatus.REJECTED) == []
    assert next_statuses(WithdrawalStatus.APPROVED) == [WithdrawalStatus.PROCESSED]


def test_full_name_handles_missing_parts():
    assert (full_name("Ada", "Obi"), full_name("Ada", None), full_name(None, None)) == ("Ada Obi", "Ada", "—")
