"""Apex Funds and Nogalss Funds panels: fees, each fund's share from its Allocation rows, months, split."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import Recipient, Setting, TxCategory, TxStatus, TxType
from nogalss_app.services.stats import compute
from nogalss_app.services.stats.panels import funds
from nogalss_app.services.stats.registry import dashboard_panels
from nogalss_app.services.stats.scope import Scope
from tests import factories
from tests.factories import FeeFactory, TransactionFactory
from tests.support.bad_inputs import XSS
from tests.support.panels import dashboard_stats, panel_fragment
from tests.support.queries import build_counting

# Recipient → bp of an old split (used for F2) and of the split in force for the other fees.
OLD = {"APEX_FUNDS": 3000, "NOGALSS_FUNDS": 2500, "COOPERATIVE": 2000, "LEADER": 1500, "PARENT_ORGANIZATION": 1000}
NOW_SPLIT = {"APEX_FUNDS": 4000, "NOGALSS_FUNDS": 2000, "COOPERATIVE": 2000, "LEADER": 1500, "PARENT_ORGANIZATION": 500}


def split_of(amount: int, bps: dict[str, int], apex: int, nogalss: int) -> dict[str, tuple[int, int]]:
    """Return explicit shares: the two funds as given, the rest lumped into the other recipients."""
    rest = amount - apex - nogalss
    return {
        "APEX_FUNDS": (bps["APEX_FUNDS"], apex),
        "NOGALSS_FUNDS": (bps["NOGALSS_FUNDS"], nogalss),
        "COOPERATIVE": (bps["COOPERATIVE"], rest),
        "LEADER": (bps["LEADER"], 0),
        "PARENT_ORGANIZATION": (bps["PARENT_ORGANIZATION"], 0),
    }


@pytest.fixture
def dataset():
    """Four paid fees (one at an old split, one 13 months ago), plus rows that must not count."""
    now = datetime.now(UTC)
    months = compute.last_months(now, 12)
    cur, prev = months[-1], months[-2]
    coop = factories.cooperative(name="Ikeja Artisans")
    ada = factories.user("MEMBER", first_name="Ada", last_name="Obi", cooperative_id=coop.id)
    contact = factories.user("COOPERATIVE", first_name="Chinedu", last_name="Eze", cooperative_id=coop.id)
    bola = factories.user("MEMBER", first_name="Bola", last_name="Ade", cooperative_id=coop.id)
    old = factories.user("MEMBER", first_name="Olu", last_name="Old", cooperative_id=coop.id)
    # F1: 30 min after the local month began, i.e. still the previous day in UTC: this month in Nigeria.
    f1 = FeeFactory(
        user=ada,
        amount_kobo=500000,
        created_at=cur.start + timedelta(minutes=30),
        shares=split_of(500000, NOW_SPLIT, 200000, 100000),
    )
    # F2: a cooperative fee paid last month at the OLD split (30 % / 25 %), which must stay as it was.
    f2 = FeeFactory(
        user=contact,
        amount_kobo=5000000,
        created_at=prev.start + timedelta(days=1),
        shares=split_of(5000000, OLD, 1500000, 1250000),
        category=TxCategory.COOPERATIVE_REGISTRATION,
    )
    # F3: 30 min before this local month began: last month in Nigeria.
    f3 = FeeFactory(
        user=bola,
        amount_kobo=500001,
        created_at=cur.start - timedelta(minutes=30),
        shares=split_of(500001, NOW_SPLIT, 200001, 100000),
    )
    # F4: 13 months ago, before the 12-month window (counts in the overview, not in the monthly table).
    f4 = FeeFactory(
        user=old,
        amount_kobo=500000,
        created_at=months[0].start - timedelta(hours=1),
        shares=split_of(500000, NOW_SPLIT, 200000, 100000),
    )
    # Excluded: a FAILED and a CANCELLED fee, and a contribution transaction.
    FeeFactory(user=ada, amount_kobo=999900, created_at=cur.start + timedelta(hours=2), status=TxStatus.FAILED)
    FeeFactory(user=ada, amount_kobo=888800, created_at=cur.start + timedelta(hours=3), status=TxStatus.CANCELLED)
    TransactionFactory(
        type=TxType.CONTRIBUTION, user=ada, amount_kobo=777700, created_at=cur.start + timedelta(hours=4)
    )
    # The split configured today differs from the historic one: 45 / 15 / 20 / 15 / 5.
    db.session.add(
        Setting(
            key="allocation",
            value={
                "apex_funds_bp": 4500,
                "nogalss_funds_bp": 1500,
                "cooperative_bp": 2000,
                "leader_bp": 1500,
                "parent_organization_bp": 500,
            },
        )
    )
    db.session.commit()
    return {"now": now, "cur": cur, "prev": prev, "fees": (f1, f2, f3, f4)}


def test_apex_funds_overview_counts_successful_fees_and_the_apex_rows(client, login_as, dataset):
    login_as("APEX_FUNDS")
    overview = dashboard_stats("apex-funds", client)["overview"]
    # Fees: 500000 + 5000000 + 500001 + 500000 (FAILED, CANCELLED and the contribution excluded).
    assert overview["fees_total_kobo"] == 6500001
    assert overview["fees_count"] == 4
    assert (overview["member_fees_count"], overview["cooperative_fees_count"]) == (3, 1)
    # Apex rows: 200000 + 1500000 (old 30 % split, not today's 45 %) + 200001 + 200000.
    assert overview["allocation_total_kobo"] == 2100001
    # 2100001 / 4 = 525000.25 → 525000.
    assert overview["average_allocation_kobo"] == 525000
    html = panel_fragment("apex-funds", client, "overview")
    for text in ("₦65,000.01", "₦21,000.01", "₦5,250.00", "Apex Fund share"):
        assert text in html
    assert "₦15,500.00" not in html  # the Nogalss Fund's total


def test_nogalss_funds_overview_reads_only_nogalss_rows(client, login_as, dataset):
    login_as("NOGALSS_FUNDS")
    overview = dashboard_stats("nogalss-funds", client)["overview"]
    assert overview["fees_total_kobo"] == 6500001
    # Nogalss rows: 100000 + 1250000 (old 25 %) + 100000 + 100000; average 1550000 / 4 = 387500.
    assert overview["allocation_total_kobo"] == 1550000
    assert overview["average_allocation_kobo"] == 387500
    html = panel_fragment("nogalss-funds", client, "overview")
    assert "₦15,500.00" in html and "₦3,875.00" in html and "₦21,000.01" not in html


def test_recent_lists_newest_allocations_with_payer_fee_share_and_reference(client, login_as, dataset):
    login_as("APEX_FUNDS")
    items = dashboard_stats("apex-funds", client)["recent"]["items"]
    f1, f2, f3, f4 = dataset["fees"]
    assert [i["reference"] for i in items] == [f1.reference, f3.reference, f2.reference, f4.reference]
    assert [i["payer"] for i in items] == ["Ada Obi", "Bola Ade", "Chinedu Eze", "Olu Old"]
    assert [i["share_kobo"] for i in items] == [200000, 200001, 1500000, 200000]
    assert [i["fee_kobo"] for i in items] == [500000, 500001, 5000000, 500000]
    assert items[2]["bp"] == 3000 and items[2]["kind"] == "Cooperative registration"
    html = panel_fragment("apex-funds", client, "recent")
    for text in ("Chinedu Eze", "₦50,000.00", "₦15,000.00", "30%", f2.reference, "Ikeja Artisans"):
        assert text in html
    assert "₦12,500.00" not in html  # Nogalss Fund's share of F2


def test_monthly_uses_nigerian_month_boundaries(client, login_as, dataset):
    login_as("APEX_FUNDS")
    monthly = dashboard_stats("apex-funds", client)["monthly"]
    months = monthly["months"]
    assert len(months) == 12 and months[-1]["key"] == dataset["cur"].key
    # This month: F1 only (00:30 on the 1st in Lagos, the previous day in UTC).
    assert (months[-1]["fees_count"], months[-1]["fees_kobo"], months[-1]["share_kobo"]) == (1, 500000, 200000)
    # Last month: F2 + F3 (23:30 on the last day in Lagos): 5000000 + 500001 fees, 1500000 + 200001 share.
    assert (months[-2]["fees_count"], months[-2]["fees_kobo"], months[-2]["share_kobo"]) == (2, 5500001, 1700001)
    assert all(m["share_kobo"] == 0 for m in months[:-2])
    # F4 is 13 months old: outside the window.
    assert (monthly["total_fees_count"], monthly["total_share_kobo"]) == (3, 1900001)
    assert len(monthly["bars"]) == 12 and monthly["bars"][-2]["value"] == 1700001
    html = panel_fragment("apex-funds", client, "monthly")
    assert dataset["prev"].label in html and "₦17,000.01" in html and "₦19,000.01" in html
    assert "<svg" in html


def test_split_comes_from_settings_with_this_fund_highlighted(client, login_as, dataset):
    login_as("NOGALSS_FUNDS")
    split = dashboard_stats("nogalss-funds", client)["split"]
    rows = {r["recipient"]: r for r in split["rows"]}
    assert [r["recipient"] for r in split["rows"]] == list(NOW_SPLIT)
    assert rows["APEX_FUNDS"]["bp"] == 4500 and rows["NOGALSS_FUNDS"]["bp"] == 1500
    assert [r["recipient"] for r in split["rows"] if r["is_this_fund"]] == ["NOGALSS_FUNDS"]
    # 15 % of the default member fee (500000) and cooperative fee (5000000).
    assert rows["NOGALSS_FUNDS"]["member_fee_share_kobo"] == 75000
    assert rows["NOGALSS_FUNDS"]["cooperative_fee_share_kobo"] == 750000
    assert split["total_bp"] == 10000
    html = panel_fragment("nogalss-funds", client, "split")
    assert html.count("this fund") == 1 and "<strong>15%</strong>" in html and "45%" in html
    assert "₦750.00" in html and "₦7,500.00" in html


def test_empty_database_shows_empty_states(client, login_as):
    login_as("APEX_FUNDS")
    data = dashboard_stats("apex-funds", client)
    assert data["overview"]["fees_total_kobo"] == 0 and data["overview"]["average_allocation_kobo"] == 0
    assert "No registration fees have been allocated" in panel_fragment("apex-funds", client, "recent")
    assert "No data for this period yet." in panel_fragment("apex-funds", client, "monthly")
    # The default split: 40 % for the Apex Fund.
    assert "<strong>40%</strong>" in panel_fragment("apex-funds", client, "split")


def test_super_admin_may_open_both_fund_dashboards(client, login_as, dataset):
    login_as("SUPER_ADMIN")
    assert dashboard_stats("apex-funds", client)["overview"]["allocation_total_kobo"] == 2100001
    assert dashboard_stats("nogalss-funds", client)["overview"]["allocation_total_kobo"] == 1550000


def test_other_roles_get_403(client, login_as):
    login_as("APEX_FUNDS")
    assert client.get("/api/nogalss-funds/dashboard-stats").status_code == 403
    assert client.get("/dashboard/nogalss-funds/panels/overview").status_code == 403


def test_payer_and_cooperative_names_are_escaped(client, login_as):
    coop = factories.cooperative(name=XSS)
    payer = factories.user("MEMBER", first_name=XSS, cooperative_id=coop.id)
    FeeFactory(user=payer, amount_kobo=500000, shares=split_of(500000, NOW_SPLIT, 200000, 100000))
    login_as("APEX_FUNDS")
    html = panel_fragment("apex-funds", client, "recent")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("dashboard", ["apex_funds", "nogalss_funds"])
def test_each_panel_runs_a_small_fixed_number_of_queries(dataset, dashboard):
    expected = {"overview": 1, "recent": 1, "monthly": 1, "split": 1}
    for panel in dashboard_panels()[dashboard]:
        _, seen = build_counting(panel, Scope(1, "SUPER_ADMIN", now=dataset["now"]))
        assert len(seen) == expected[panel.name], (panel.name, seen)


def test_split_rows_marks_the_fund_and_splits_each_fee_exactly():
    shares = [
        ("apex_funds", 4000),
        ("nogalss_funds", 2000),
        ("cooperative", 2000),
        ("leader", 1500),
        ("parent_organization", 500),
    ]
    rows = funds.split_rows(shares, Recipient.APEX_FUNDS, {"member_fee": 100001})
    assert [r["is_this_fund"] for r in rows] == [True, False, False, False, False]
    assert sum(r["member_fee_share_kobo"] for r in rows) == 100001
    # 40000.4 → 40000 plus the one leftover kobo (largest remainder: 0.4 of a kobo).
    assert rows[0]["member_fee_share_kobo"] == 40001 and rows[0]["label"] == "Apex Fund"


def test_split_rows_shows_no_parts_when_the_stored_split_does_not_total_100_percent():
    rows = funds.split_rows([("apex_funds", 4000), ("nogalss_funds", 2000)], Recipient.NOGALSS_FUNDS, {"x": 100})
    assert [r["x_share_kobo"] for r in rows] == [None, None]
    assert rows[1]["is_this_fund"]
