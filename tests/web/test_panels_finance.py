"""Finance panels: ledger inflow/outflow/net, recent transactions, withdrawal queue, months, roles, own expenses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from nogalss_app.models import ExpenseStatus, LoanStatus, Role, TxCategory, TxStatus, TxType, WithdrawalStatus
from nogalss_app.services.stats import compute
from nogalss_app.services.stats.registry import dashboard_panels
from nogalss_app.services.stats.scope import Scope
from tests import factories
from tests.factories import ContributionFactory, ExpenseFactory, LoanFactory, TransactionFactory, WithdrawalFactory
from tests.support.bad_inputs import ESCAPED, XSS
from tests.support.panels import dashboard_stats, panel_fragment
from tests.support.queries import build_counting


@pytest.fixture
def dataset(login_as):
    """A ledger spread over the last six months, with lines that must not count, signed in as finance."""
    now = datetime.now(UTC)
    months = compute.last_months(now, 6)
    cur, prev, oldest = months[-1], months[-2], months[0]
    _, _, ada, bola = factories.two_cooperatives()
    other_finance = factories.user("FINANCE", first_name="Other", last_name="Clerk")
    fin = login_as("FINANCE", first_name="Funke", last_name="Cash")
    soon = cur.start + timedelta(minutes=30)  # local 00:30 on the 1st of this month

    line = TransactionFactory
    line(type=TxType.FEE, amount_kobo=5_000_00, created_at=soon, user=ada, reference="FEE-ADA")
    line(
        type=TxType.FEE,
        category=TxCategory.COOPERATIVE_REGISTRATION,
        amount_kobo=50_000_00,
        created_at=cur.start - timedelta(minutes=30),
    )
    line(type=TxType.FEE, amount_kobo=5_000_00, created_at=soon, status=TxStatus.FAILED)
    ContributionFactory(user=ada, amount_kobo=10_000_00, created_at=soon + timedelta(minutes=1))
    ContributionFactory(user=bola, amount_kobo=2_000_00, created_at=oldest.start - timedelta(minutes=30))  # too old
    line(type=TxType.CONTRIBUTION, amount_kobo=3_000_00, created_at=soon, status=TxStatus.PENDING)
    line(type=TxType.REPAYMENT, amount_kobo=1_500_00, created_at=soon)
    line(type=TxType.REPAYMENT, amount_kobo=700_00, created_at=soon, status=TxStatus.CANCELLED)
    line(type=TxType.LOAN_DISBURSEMENT, amount_kobo=20_000_00, created_at=soon)
    line(type=TxType.LOAN_DISBURSEMENT, amount_kobo=6_000_00, created_at=oldest.start + timedelta(hours=1))
    line(type=TxType.WITHDRAWAL, amount_kobo=3_000_00, created_at=soon)
    line(type=TxType.ADJUSTMENT, amount_kobo=250_00, created_at=soon, is_debit=False)
    line(type=TxType.ADJUSTMENT, amount_kobo=100_00, created_at=soon, is_debit=True)
    line(type=TxType.ADJUSTMENT, amount_kobo=999_00, created_at=soon, is_debit=True, status=TxStatus.FAILED)
    for i in range(8):  # old pending lines that only push the oldest out of the 20 newest
        line(
            type=TxType.CONTRIBUTION,
            amount_kobo=100_00,
            created_at=now - timedelta(days=300, minutes=i),
            status=TxStatus.PENDING,
            reference=f"OLD-{i}",
        )

    for amount, status in [
        (20_000_00, LoanStatus.APPROVED),
        (6_000_00, LoanStatus.COMPLETED),
        (9_000_00, LoanStatus.PENDING),
        (4_000_00, LoanStatus.REJECTED),
    ]:
        LoanFactory(user=ada, amount_kobo=amount, status=status, created_at=soon)
    for member, amount, status, days in [
        (ada, 3_000_00, WithdrawalStatus.PROCESSED, 9),
        (bola, 5_000_00, WithdrawalStatus.PENDING, 2),
        (ada, 2_500_00, WithdrawalStatus.APPROVED, 5),
        (bola, 800_00, WithdrawalStatus.REJECTED, 7),
    ]:
        WithdrawalFactory(user=member, amount_kobo=amount, status=status, created_at=now - timedelta(days=days))
    for who, title, amount, status, minutes in [
        (fin, "Printer ink", 1_000_00, ExpenseStatus.PENDING, 0),
        (fin, XSS, 2_000_00, ExpenseStatus.PAID, 5),
        (other_finance, "Someone else's taxi", 7_777_00, ExpenseStatus.PENDING, 9),
    ]:
        ExpenseFactory(
            created_by=who, title=title, amount_kobo=amount, status=status, created_at=now - timedelta(minutes=minutes)
        )
    return {"now": now, "cur": cur, "prev": prev, "oldest": oldest, "fin_id": fin.id}


stats = partial(dashboard_stats, "finance")
fragment = partial(panel_fragment, "finance")


def test_overview_follows_the_ledger_definitions(dataset, client):
    assert stats(client)["overview"] == {
        "fees_kobo": 5_500_000,  # 5,000 + 50,000 naira successful fees; the FAILED one is out
        "contributions_kobo": 1_200_000,  # Contribution rows 10,000 + 2,000; the PENDING line is no contribution
        "repayments_kobo": 150_000,  # the CANCELLED repayment is out
        "loans_disbursed_kobo": 2_600_000,  # APPROVED 20,000 + COMPLETED 6,000 loans
        "withdrawals_processed_kobo": 300_000,
        "inflow_kobo": 6_875_000,  # fees 55,000 + contributions 12,000 + repayment 1,500 + credit adjustment 250
        "outflow_kobo": 2_910_000,  # disbursements 26,000 + withdrawal 3,000 + debit adjustment 100
        "net_kobo": 3_965_000,
    }
    html = fragment(client, "overview")
    for text in ("₦68,750.00", "₦29,100.00", "₦39,650.00", "₦55,000.00", "₦1,500.00", "₦26,000.00"):
        assert text in html


def test_monthly_buckets_six_calendar_months_in_nigerian_time(dataset, client):
    data = stats(client)["monthly"]
    months = {m["key"]: m for m in data["months"]}
    assert len(data["months"]) == 6 and data["months"][-1]["key"] == dataset["cur"].key
    # This month: fee 5,000 + contribution 10,000 + repayment 1,500 + credit 250 in; 20,000 + 3,000 + 100 out.
    assert (months[dataset["cur"].key]["inflow_kobo"], months[dataset["cur"].key]["outflow_kobo"]) == (
        1_675_000,
        2_310_000,
    )
    assert months[dataset["cur"].key]["net_kobo"] == -635_000
    # The cooperative fee paid at 23:30 local on the last day of last month belongs to last month.
    assert (months[dataset["prev"].key]["inflow_kobo"], months[dataset["prev"].key]["outflow_kobo"]) == (5_000_000, 0)
    assert (months[dataset["oldest"].key]["inflow_kobo"], months[dataset["oldest"].key]["outflow_kobo"]) == (0, 600_000)
    # The 2,000 contribution half an hour before the window is not in any month.
    assert (data["inflow_kobo"], data["outflow_kobo"], data["net_kobo"]) == (6_675_000, 2_910_000, 3_765_000)
    html = fragment(client, "monthly")
    assert "-₦6,350.00" in html and "₦16,750.00" in html and dataset["cur"].label in html and "<svg" in html


def test_recent_shows_the_20_newest_and_filters_by_status(dataset, client):
    items = stats(client)["recent"]["items"]
    assert len(items) == 20
    refs = [item["reference"] for item in items]
    assert "OLD-5" in refs and "OLD-6" not in refs and "OLD-7" not in refs  # 22 lines, the two oldest drop out
    ada_fee = next(item for item in items if item["reference"] == "FEE-ADA")
    assert ada_fee == {
        **ada_fee,
        "type": "FEE",
        "category": "MEMBER_REGISTRATION",
        "user": "Ada Obi",
        "amount_kobo": 500_000,
        "status": "SUCCESSFUL",
    }
    failed = stats(client, "?status=FAILED")["recent"]
    assert failed["status"] == "FAILED"
    assert sorted(item["amount_kobo"] for item in failed["items"]) == [99_900, 500_000]
    html = fragment(client, "recent", "?status=CANCELLED")
    assert "₦700.00" in html and "FEE-ADA" not in html and '<option value="CANCELLED" selected>' in html
    html = fragment(client, "recent")
    assert "FEE-ADA" in html and "Ada Obi" in html and "₦5,000.00" in html and "badge-successful" in html


def test_recent_falls_back_to_all_for_an_unknown_status(dataset, client):
    assert stats(client, "?status=DROP%20TABLE")["recent"]["status"] == "all"
    html = fragment(client, "recent", "?status=bogus")
    assert '<option value="all" selected>' in html and 'hx-get="/dashboard/finance/panels/recent"' in html


def test_withdrawal_queue_lists_pending_and_approved_oldest_first_with_next_steps(dataset, client):
    data = stats(client)["withdrawals"]
    assert (data["count"], data["total_kobo"], data["pending"], data["approved"]) == (2, 750_000, 1, 1)
    assert [(w["status"], w["amount_kobo"], w["member"], w["next_statuses"]) for w in data["items"]] == [
        ("APPROVED", 250_000, "Ada Obi", ["PROCESSED"]),  # requested 5 days ago
        ("PENDING", 500_000, f"{XSS} Ade", ["APPROVED", "REJECTED"]),  # 2 days ago
    ]
    assert data["items"][0]["cooperative"] == "Ikeja Artisans"
    html = fragment(client, "withdrawals")
    assert "₦7,500.00" in html and "₦2,500.00" in html and "can become Approved or Rejected" in html
    assert "can become Processed" in html and "₦3,000.00" not in html and "₦800.00" not in html
    assert XSS not in html and ESCAPED in html


def test_users_by_role_lists_every_role(dataset, client):
    data = stats(client)["users_by_role"]
    counts = {row["role"]: row["count"] for row in data["by_role"]}
    assert list(counts) == [role.value for role in Role]
    assert counts == {**dict.fromkeys(counts, 0), "MEMBER": 2, "FINANCE": 2}
    assert data["total"] == 4
    html = fragment(client, "users_by_role")
    assert "Parent organization" in html and "Super admin" in html


def test_expenses_show_only_the_viewers_own(dataset, client):
    data = stats(client)["expenses"]
    assert [(e["title"], e["amount_kobo"], e["status"]) for e in data["items"]] == [
        ("Printer ink", 100_000, "PENDING"),
        (XSS, 200_000, "PAID"),  # newest first
    ]
    assert (data["total_count"], data["total_kobo"]) == (2, 300_000)  # the other clerk's 7,777 never counts
    html = fragment(client, "expenses")
    assert "₦3,000.00" in html and "Printer ink" in html and "taxi" not in html and "₦7,777.00" not in html
    assert XSS not in html and ESCAPED in html


def test_empty_states(client, login_as):
    login_as("FINANCE")
    assert 'class="empty"' in fragment(client, "withdrawals")
    assert 'class="empty"' in fragment(client, "recent")
    assert 'class="empty"' in fragment(client, "expenses")
    assert 'class="empty"' in fragment(client, "notifications")
    assert "₦0.00" in fragment(client, "overview")


def test_members_and_leaders_cannot_read_finance_figures(client, login_as):
    login_as("LEADER")
    assert client.get("/api/finance/dashboard-stats").status_code == 403
    assert client.get("/dashboard/finance/panels/overview").status_code == 403


def test_registry_declares_the_spec_panels_and_topics():
    panels = {p.name: p for p in dashboard_panels()["finance"]}
    assert list(panels) == [
        "overview",
        "recent",
        "withdrawals",
        "monthly",
        "users_by_role",
        "expenses",
        "loans",  # issue 10: the loan portfolio
        "notifications",
    ]
    assert set(panels["overview"].topics) == {"fees", "contributions", "transactions", "loans", "withdrawals"}
    assert panels["recent"].options["status"][0] == "all" and panels["monthly"].wide


def test_each_panel_runs_a_small_fixed_number_of_queries(dataset):
    expected = {
        "overview": 1,
        "recent": 1,
        "withdrawals": 1,
        "monthly": 1,
        "users_by_role": 1,
        "expenses": 2,
        "notifications": 2,
        "loans": 3,  # outstanding loans, their instalments, repaid this month
    }
    viewer = dataset["fin_id"]
    for panel in dashboard_panels()["finance"]:
        _, seen = build_counting(panel, Scope(viewer, Role.FINANCE, now=dataset["now"], params={"status": "all"}))
        assert len(seen) == expected[panel.name], (panel.name, seen)
