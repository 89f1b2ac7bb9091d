"""Super admin panels: platform counts, fees, loans per status, money, distribution, expenses, feeds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import (
    ChangeLog,
    ExpenseStatus,
    LoanStatus,
    Recipient,
    Setting,
    TxCategory,
    TxStatus,
    WithdrawalStatus,
)
from nogalss_app.services.stats import compute
from nogalss_app.services.stats.panels import super_admin
from nogalss_app.services.stats.registry import dashboard_panels
from nogalss_app.services.stats.scope import Scope
from tests import factories
from tests.factories import (
    AllocationFactory,
    ContributionFactory,
    ExpenseFactory,
    FeeFactory,
    LoanFactory,
    NotificationFactory,
    WithdrawalFactory,
)
from tests.support.bad_inputs import XSS
from tests.support.queries import build_counting


@pytest.fixture
def dataset():
    """Two cooperatives (one with a script-like name) and money rows, including rows that must not count."""
    now = datetime.now(UTC)
    cur = compute.last_months(now, 1)[0]
    year_start = compute.period_start("year", now)
    coop_a, coop_b, ada, bola = factories.two_cooperatives()
    fin = factories.user("FINANCE", first_name="Funke", last_name="Cash")
    db.session.add(Setting(key="fees", value={"member_fee_kobo": 6_000_00, "cooperative_fee_kobo": 75_000_00}))

    day = now - timedelta(days=3)
    for payer, category, amount, status in [
        (ada, TxCategory.MEMBER_REGISTRATION, 5_000_00, TxStatus.SUCCESSFUL),
        (bola, TxCategory.MEMBER_REGISTRATION, 4_000_00, TxStatus.SUCCESSFUL),
        (None, TxCategory.COOPERATIVE_REGISTRATION, 50_000_00, TxStatus.SUCCESSFUL),
        (None, TxCategory.MEMBER_REGISTRATION, 5_000_00, TxStatus.FAILED),
        (None, TxCategory.MEMBER_REGISTRATION, 5_000_00, TxStatus.PENDING),
        (None, TxCategory.COOPERATIVE_REGISTRATION, 50_000_00, TxStatus.CANCELLED),
    ]:
        FeeFactory(user=payer, category=category, amount_kobo=amount, status=status, created_at=day)

    for member, amount, at in [
        (ada, 10_000_00, cur.start + timedelta(minutes=30)),  # C1: this month (local 00:30 on the 1st)
        (ada, 2_500_50, cur.start - timedelta(minutes=30)),  # C2: last month (local 23:30)
        (bola, 7_000_00, cur.start + timedelta(hours=1)),  # C3: this month
        (bola, 1_234_56, now - timedelta(days=400)),  # C4: more than 12 months ago
        (ada, 300_00, year_start - timedelta(minutes=30)),  # C5: last year
    ]:
        ContributionFactory(user=member, amount_kobo=amount, created_at=at)

    for member, amount, status in [
        (ada, 100_000_00, LoanStatus.PENDING),
        (ada, 50_000_00, LoanStatus.APPROVED),
        (bola, 30_000_00, LoanStatus.ACTIVE),
        (ada, 20_000_00, LoanStatus.COMPLETED),
        (ada, 80_000_00, LoanStatus.REJECTED),
        (bola, 1_000_00, LoanStatus.PENDING),
    ]:
        LoanFactory(user=member, amount_kobo=amount, status=status, created_at=day)

    for member, amount, status in [
        (ada, 4_000_00, WithdrawalStatus.PROCESSED),
        (bola, 600_00, WithdrawalStatus.PROCESSED),
        (ada, 9_999_00, WithdrawalStatus.PENDING),
        (ada, 1_500_00, WithdrawalStatus.APPROVED),
        (bola, 2_000_00, WithdrawalStatus.REJECTED),
    ]:
        WithdrawalFactory(user=member, amount_kobo=amount, status=status, created_at=day)

    for minutes, (title, amount, status) in enumerate(
        [
            ("Oldest: office chairs", 1_000_00, ExpenseStatus.PENDING),
            ("Internet", 2_500_00, ExpenseStatus.APPROVED),
            ("Generator", 12_345_00, ExpenseStatus.PAID),
            ("Diesel", 655_00, ExpenseStatus.PAID),
            (XSS, 999_99, ExpenseStatus.REJECTED),
            ("Stamps", 1_00, ExpenseStatus.PENDING),
        ]
    ):
        ExpenseFactory(
            created_by=fin, title=title, amount_kobo=amount, status=status, created_at=day + timedelta(minutes=minutes)
        )
    return {"now": now, "cur": cur, "coop_a": coop_a, "coop_b": coop_b, "ada": ada}


def test_overview_counts_platform_rows_and_successful_fees_only(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    data = client.get("/api/admin/dashboard-stats").get_json()["overview"]
    assert data == {
        "users": 4,  # ada, bola, finance, the signed-in super admin
        "cooperatives": 2,
        "parent_organizations": 2,  # one per cooperative (factories)
        "transactions": 11,  # 6 fee lines of any status + 5 contribution lines
        "members_registered": 2,  # two SUCCESSFUL member fees; the FAILED and PENDING ones do not count
        "cooperatives_registered": 1,  # the CANCELLED cooperative fee does not count
        "registration_fees_kobo": 5_900_000,  # 5,000 + 4,000 + 50,000 naira
        "member_fee_kobo": 600_000,  # from settings, not the default
        "cooperative_fee_kobo": 7_500_000,
        "unattributed_leader": {"amount_kobo": 0, "count": 0},  # the factories' fees have no allocation rows
    }
    html = client.get("/dashboard/super-admin/panels/overview").get_data(as_text=True)
    for text in ("₦59,000.00", "₦6,000.00", "₦75,000.00", "Parent organizations"):
        assert text in html


def test_loans_lists_every_status_and_disburses_only_approved_active_completed(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    data = client.get("/api/admin/dashboard-stats").get_json()["loans"]
    assert data["by_status"] == [
        {"status": "PENDING", "count": 2, "amount_kobo": 10_100_000},  # 100,000 + 1,000 naira
        {"status": "APPROVED", "count": 1, "amount_kobo": 5_000_000},
        {"status": "REJECTED", "count": 1, "amount_kobo": 8_000_000},
        {"status": "ACTIVE", "count": 1, "amount_kobo": 3_000_000},
        {"status": "COMPLETED", "count": 1, "amount_kobo": 2_000_000},
    ]
    assert data["total"] == 6
    assert (data["disbursed_count"], data["disbursed_kobo"]) == (3, 10_000_000)  # 50,000 + 30,000 + 20,000
    html = client.get("/dashboard/super-admin/panels/loans").get_data(as_text=True)
    assert "₦100,000.00" in html and "₦101,000.00" in html and "badge-completed" in html


def test_loans_shows_all_five_statuses_when_there_are_none(client, login_as):
    login_as("SUPER_ADMIN")
    data = client.get("/api/admin/dashboard-stats").get_json()["loans"]
    assert [row["status"] for row in data["by_status"]] == ["PENDING", "APPROVED", "REJECTED", "ACTIVE", "COMPLETED"]
    assert all(row["count"] == 0 and row["amount_kobo"] == 0 for row in data["by_status"])
    html = client.get("/dashboard/super-admin/panels/loans").get_data(as_text=True)
    assert html.count("badge-") == 5 and "₦0.00" in html


def test_money_counts_contribution_rows_not_their_transactions(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    data = client.get("/api/admin/dashboard-stats").get_json()["money"]
    assert data == {
        "contributions_kobo": 2_103_506,  # 10,000 + 2,500.50 + 7,000 + 1,234.56 + 300 naira, counted once
        "contributions_count": 5,
        "loans_disbursed_kobo": 10_000_000,
        "loans_disbursed_count": 3,
        "withdrawals_processed_kobo": 460_000,  # 4,000 + 600; pending/approved/rejected excluded
        "withdrawals_processed_count": 2,
    }
    html = client.get("/dashboard/super-admin/panels/money").get_data(as_text=True)
    assert "₦21,035.06" in html and "₦100,000.00" in html and "₦4,600.00" in html


def test_distribution_by_cooperative_all_time(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    data = client.get("/api/admin/dashboard-stats").get_json()["distribution"]
    assert (data["period"], data["group"]) == ("all", "cooperative")
    assert [(r["label"], r["count"], r["amount_kobo"], r["share_bp"]) for r in data["rows"]] == [
        ("Ikeja Artisans", 3, 1_280_050, 6085),  # C1 + C2 + C5 = 12,800.50 naira, 60.85 %
        (XSS, 2, 823_456, 3915),  # C3 + C4 = 8,234.56 naira
    ]
    assert (data["total_kobo"], data["count"], data["groups"]) == (2_103_506, 5, 2)
    assert [bar["value"] for bar in data["bars"]] == [1_280_050, 823_456]
    html = client.get("/dashboard/super-admin/panels/distribution").get_data(as_text=True)
    assert "₦12,800.50" in html and "₦8,234.56" in html and "60.85%" in html and "<svg" in html


def test_distribution_this_month_and_this_year_respect_nigerian_month_boundaries(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    month = client.get("/api/admin/dashboard-stats?period=month").get_json()["distribution"]
    # C1 and C3 only: C2 at 23:30 local on the last day of last month stays out.
    assert [(r["label"], r["amount_kobo"]) for r in month["rows"]] == [("Ikeja Artisans", 1_000_000), (XSS, 700_000)]
    assert month["total_kobo"] == 1_700_000
    year = client.get("/api/admin/dashboard-stats?period=year").get_json()["distribution"]
    # This year: C1 + C3, plus C2 unless the current month is January; C5 (last year) and C4 never.
    expected = 1_700_000 + (250_050 if dataset["cur"].month != 1 else 0)
    assert year["total_kobo"] == expected
    html = client.get("/dashboard/super-admin/panels/distribution?period=month").get_data(as_text=True)
    assert "₦17,000.00" in html and '<option value="month" selected>' in html


def test_distribution_by_month_keeps_every_contribution_in_one_bucket(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    url = "/api/admin/dashboard-stats?group=month&period=month"
    one = client.get(url).get_json()["distribution"]
    assert [(r["key"], r["count"], r["amount_kobo"]) for r in one["rows"]] == [(dataset["cur"].key, 2, 1_700_000)]
    every = client.get("/api/admin/dashboard-stats?group=month&period=all").get_json()["distribution"]
    assert (every["total_kobo"], every["count"]) == (2_103_506, 5)
    assert sum(r["amount_kobo"] for r in every["rows"]) == 2_103_506
    assert every["rows"][0]["key"] == "earlier" and every["rows"][0]["amount_kobo"] >= 123_456  # C4
    assert every["rows"][-1]["amount_kobo"] == 1_700_000 and len(every["rows"]) == 13
    html = client.get("/dashboard/super-admin/panels/distribution?group=month&period=all").get_data(as_text=True)
    assert dataset["cur"].label in html and "Before " in html


def test_distribution_options_form_keeps_choices_and_falls_back_on_bad_values(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    html = client.get("/dashboard/super-admin/panels/distribution?period=bogus&group=month").get_data(as_text=True)
    assert 'hx-get="/dashboard/super-admin/panels/distribution"' in html
    assert '<option value="all" selected>' in html and '<option value="month" selected>' in html
    assert "?" not in html.split('hx-get="')[1].split('"')[0]


def test_expenses_totals_per_status_and_five_newest(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    data = client.get("/api/admin/dashboard-stats").get_json()["expenses"]
    assert (data["total_count"], data["total_kobo"]) == (6, 1_750_099)  # 1,000 + 2,500 + 12,345 + 655 + 999.99 + 1
    assert [(r["status"], r["count"], r["amount_kobo"]) for r in data["by_status"]] == [
        ("PENDING", 2, 100_100),
        ("APPROVED", 1, 250_000),
        ("PAID", 2, 1_300_000),
        ("REJECTED", 1, 99_999),
    ]
    assert [e["title"] for e in data["latest"]] == ["Stamps", XSS, "Diesel", "Generator", "Internet"]
    html = client.get("/dashboard/super-admin/panels/expenses").get_data(as_text=True)
    assert "₦17,500.99" in html and "₦13,000.00" in html and "Funke Cash" in html
    assert "Oldest: office chairs" not in html


def test_script_like_names_are_escaped_in_fragments(dataset, client, login_as):
    login_as("SUPER_ADMIN")
    for name in ("distribution", "expenses"):
        html = client.get(f"/dashboard/super-admin/panels/{name}").get_data(as_text=True)
        assert XSS not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_notifications_activity_and_live_show_own_items_and_empty_states(client, login_as):
    admin = login_as("SUPER_ADMIN", first_name="Sade", last_name="Admin")
    other = factories.user("FINANCE")
    empty = {
        n: client.get(f"/dashboard/super-admin/panels/{n}").get_data(as_text=True)
        for n in ("notifications", "activity", "live")
    }
    assert 'class="empty"' in empty["notifications"] and 'class="empty"' in empty["activity"]
    assert 'class="empty"' in empty["live"]
    now = datetime.now(UTC)
    NotificationFactory(user=admin, title="Loan waiting", body=XSS, created_at=now)
    NotificationFactory(user=admin, title="Old news", is_read=True, created_at=now - timedelta(hours=1))
    NotificationFactory(user=other, title="Not yours", created_at=now)
    db.session.add(
        ChangeLog(
            event="loan.approved",
            topics=["loans"],
            rooms=[],
            actor_id=admin.id,
            summary="Sade Admin approved a loan",
            created_at=now,
        )
    )
    db.session.commit()
    data = client.get("/api/admin/dashboard-stats").get_json()
    assert data["notifications"]["unread"] == 1
    assert [n["title"] for n in data["notifications"]["items"]] == ["Loan waiting", "Old news"]
    html = client.get("/dashboard/super-admin/panels/notifications").get_data(as_text=True)
    assert "1 unread" in html and "Not yours" not in html and XSS not in html
    feed = client.get("/dashboard/super-admin/panels/activity").get_data(as_text=True)
    assert "Sade Admin" in feed and "approved a loan" in feed and "Super admin" in feed


def test_other_roles_cannot_read_the_super_admin_panels(dataset, client, login_as):
    login_as("FINANCE")
    assert client.get("/api/admin/dashboard-stats").status_code == 403
    assert client.get("/dashboard/super-admin/panels/money").status_code == 403


def test_panel_registry_declares_the_spec_panels_and_topics():
    panels = {p.name: p for p in dashboard_panels()["super_admin"]}
    assert list(panels) == [
        "overview",
        "loans",
        "money",
        "distribution",
        "expenses",
        "notifications",
        "live",
        "activity",
    ]
    assert set(panels["money"].topics) >= {"contributions", "loans", "withdrawals"}
    assert "settings" in panels["overview"].topics and "fees" in panels["overview"].topics
    assert panels["live"].topics == ("connections",) and panels["activity"].topics == ("activity",)
    assert panels["distribution"].wide and panels["activity"].wide


def test_each_panel_runs_a_small_fixed_number_of_queries(dataset):
    # overview: 1 + get_settings(), which is one SELECT of the settings table, + the unattributed leader shares.
    expected = {
        "overview": 3,
        "loans": 1,
        "money": 1,
        "distribution": 1,
        "expenses": 2,
        "notifications": 2,
        "live": 0,
        "activity": 1,
    }
    for panel in dashboard_panels()["super_admin"]:
        for params in ({}, {"period": "year", "group": "month"}):
            _, seen = build_counting(panel, Scope(1, "SUPER_ADMIN", now=dataset["now"], params=params))
            assert len(seen) == expected[panel.name], (panel.name, seen)


def test_distribution_months_per_period():
    now = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # already 1 April in Lagos
    months, earlier = super_admin.distribution_months("year", now)
    assert [m.key for m in months] == ["2026-01", "2026-02", "2026-03", "2026-04"] and not earlier
    months, earlier = super_admin.distribution_months("month", now)
    assert [m.key for m in months] == ["2026-04"] and not earlier
    months, earlier = super_admin.distribution_months("all", now)
    assert (len(months), months[0].key, earlier) == (12, "2025-05", True)


def test_chart_series_uses_short_month_labels_and_the_largest_cooperatives():
    months = [
        {"label": "Before May 2025", "short": "Earlier", "amount_kobo": 5},
        {"label": "May 2025", "short": "May '25", "amount_kobo": 0},
    ]
    assert super_admin.chart_series("month", months) == [("Earlier", 5), ("May '25", 0)]
    coops = [{"label": f"Coop {i}", "amount_kobo": 100 - i} for i in range(12)]
    series = super_admin.chart_series("cooperative", coops)
    assert len(series) == super_admin.CHART_COOPERATIVES and series[0] == ("Coop 0", 100)


def test_leader_shares_that_name_no_leader_are_shown_as_unattributed_never_dropped(client, login_as):
    coop = factories.cooperative()
    AllocationFactory(recipient=Recipient.LEADER, amount_kobo=7_500_00, cooperative_id=coop.id, leader_user_id=None)
    AllocationFactory(recipient=Recipient.LEADER, amount_kobo=750_00, cooperative_id=coop.id, leader_user_id=None)
    login_as("SUPER_ADMIN")
    data = client.get("/api/admin/dashboard-stats").get_json()["overview"]
    assert data["unattributed_leader"] == {"amount_kobo": 8_250_00, "count": 2}
    html = client.get("/dashboard/super-admin/panels/overview").get_data(as_text=True)
    assert "Leader shares unattributed" in html and "₦8,250.00" in html and "2 fees paid while no leader" in html
