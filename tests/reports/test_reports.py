"""Reports (SPEC §10) over the demo data: totals are the sums of their rows and equal the dashboard figures for the
same period; CSV and XLSX parse back to the same numbers; the PDF carries the period, totals and page numbers."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest

from nogalss_app.models import TxType
from nogalss_app.models.types import utcnow
from nogalss_app.services.periods import add_years, local_today, preset
from nogalss_app.services.stats.compute import LOCAL_TZ
from tests import factories
from tests.support.demo import seed_demo_data, sign_in_demo
from tests.support.panels import dashboard_stats

REPORTS = ("cashflow", "fees", "loans", "contributions", "withdrawals", "expenses", "audit")


@pytest.fixture
def admin(app):
    seed_demo_data()
    client = app.test_client()
    sign_in_demo(client, "super-admin")
    return client


def periods() -> dict[str, tuple[str, str]]:
    """A month, a quarter, a year, a range crossing a month boundary, and everything (the demo's 12 months)."""
    now = utcnow()
    today = local_today(now)
    last_month = preset("last_month", now)
    crossing = (last_month.last - timedelta(days=3), today.replace(day=1) + timedelta(days=2))
    named = {name: preset(name, now) for name in ("this_month", "last_month", "this_quarter", "this_year")}
    out = {name: (p.first.isoformat(), p.last.isoformat()) for name, p in named.items()}
    out["crossing"] = (crossing[0].isoformat(), min(crossing[1], today).isoformat())
    out["all"] = ((add_years(today, -4)).isoformat(), today.isoformat())
    return out


def report_json(client, name: str, first: str, last: str, **extra) -> dict:
    query = "&".join(f"{k}={v}" for k, v in {"from": first, "to": last, **extra}.items())
    response = client.get(f"/api/reports/{name}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_totals_are_the_sums_of_the_rows_for_every_report_and_period(admin):
    for label, (first, last) in periods().items():
        for name in REPORTS:
            body = report_json(admin, name, first, last)
            assert (body["report"], body["from"], body["to"]) == (name, first, last)
            for key, total in body["totals"].items():
                if key in ("opening_kobo", "closing_kobo"):
                    continue
                assert total == sum(row[key] for row in body["rows"]), (label, name, key)
            if name == "cashflow":
                totals = body["totals"]
                assert totals["opening_kobo"] + totals["inflow_kobo"] - totals["outflow_kobo"] == totals["closing_kobo"]


def test_report_totals_equal_the_dashboard_figures(admin):
    every = periods()["all"]
    finance = dashboard_stats("finance", admin)
    cash = report_json(admin, "cashflow", *every)["totals"]
    assert cash["inflow_kobo"] == finance["overview"]["inflow_kobo"]
    assert cash["outflow_kobo"] == finance["overview"]["outflow_kobo"]
    assert cash["closing_kobo"] == finance["overview"]["net_kobo"]
    # month by month (the finance panel's last six months, Nigerian calendar months)
    for month in finance["monthly"]["months"]:
        year, number = map(int, month["key"].split("-"))
        first = date(year, number, 1)
        last = min((first + timedelta(days=32)).replace(day=1) - timedelta(days=1), local_today(utcnow()))
        totals = report_json(admin, "cashflow", first.isoformat(), last.isoformat())["totals"]
        assert (totals["inflow_kobo"], totals["outflow_kobo"]) == (month["inflow_kobo"], month["outflow_kobo"])
    admin_stats = dashboard_stats("admin", admin)
    assert report_json(admin, "fees", *every)["totals"]["fee_kobo"] == admin_stats["overview"]["registration_fees_kobo"]
    assert report_json(admin, "loans", *every)["totals"]["disbursed_kobo"] == admin_stats["loans"]["disbursed_kobo"]
    processed = report_json(admin, "withdrawals", *every)["totals"]["processed_kobo"]
    assert processed == admin_stats["money"]["withdrawals_processed_kobo"]
    assert report_json(admin, "expenses", *every)["totals"]["amount_kobo"] == admin_stats["expenses"]["total_kobo"]
    assert (
        report_json(admin, "contributions", *every)["totals"]["amount_kobo"]
        == admin_stats["money"]["contributions_kobo"]
    )
    year = periods()["this_year"]
    by_year = dashboard_stats("admin", admin, "?period=year")["distribution"]["total_kobo"]
    assert report_json(admin, "contributions", *year, group="cooperative")["totals"]["amount_kobo"] == by_year
    month = periods()["this_month"]
    by_month = dashboard_stats("admin", admin, "?period=month")["distribution"]["total_kobo"]
    assert report_json(admin, "contributions", *month)["totals"]["amount_kobo"] == by_month


ARREARS_KEYS = ("arrears_1_30_kobo", "arrears_31_60_kobo", "arrears_61_90_kobo", "arrears_over_90_kobo")


def test_the_loans_report_reads_moneys_schedule_and_equals_the_loan_panels(admin, app):
    every = periods()["all"]
    body = report_json(admin, "loans", *every)
    rows, totals = body["rows"], body["totals"]
    portfolio = dashboard_stats("finance", admin)["loans"]
    assert totals["outstanding_kobo"] == portfolio["outstanding_kobo"]
    assert sum(totals[key] for key in ARREARS_KEYS) == portfolio["arrears_kobo"] > 0
    late = [row for row in rows if any(row[key] for key in ARREARS_KEYS)]
    assert len(late) == portfolio["arrears_count"]
    at_risk = sum(row["outstanding_kobo"] for row in rows if row["days_past_due"] > 30)
    assert at_risk == portfolio["at_risk_kobo"] > 0
    # each loan's row agrees with its row on the panels (money's schedule, interest and total due)
    panel_late = {loan["id"]: loan for loan in portfolio["late"]}
    by_id = {row["id"]: row for row in rows}
    for loan_id, loan in panel_late.items():
        row = by_id[loan_id]
        assert row["days_past_due"] == loan["days_past_due"]
        assert row["outstanding_kobo"] == loan["remaining_kobo"] == row["total_due_kobo"] - row["repaid_kobo"]
        assert sum(row[key] for key in ARREARS_KEYS) == loan["arrears_kobo"]
    assert any(row["total_due_kobo"] > row["disbursed_kobo"] for row in rows), "the demo loans carry interest"
    # a leader's report on their cooperative equals their repayments panel
    leader = app.test_client()
    sign_in_demo(leader, "leader4")
    own = report_json(leader, "loans", *every)["totals"]
    panel = dashboard_stats("leader", leader)["repayments"]
    assert own["outstanding_kobo"] == panel["outstanding_kobo"]
    assert sum(own[key] for key in ARREARS_KEYS) == panel["arrears_kobo"] > 0


def test_a_fund_sees_its_own_share_equal_to_its_dashboard(app):
    seed_demo_data()
    client = app.test_client()
    sign_in_demo(client, "apex-funds")
    body = report_json(client, "fees", *periods()["all"])
    assert set(body["totals"]) == {"fee_kobo", "share_kobo"}
    stats = dashboard_stats("apex-funds", client)
    assert body["totals"]["share_kobo"] == stats["overview"]["allocation_total_kobo"]
    assert body["totals"]["fee_kobo"] == stats["overview"]["fees_total_kobo"]


def test_a_leader_reports_on_their_own_cooperative_only(app):
    seed_demo_data()
    client = app.test_client()
    leader = sign_in_demo(client, "leader1")
    body = report_json(client, "contributions", *periods()["all"], group="cooperative")
    assert {row["cooperative"] for row in body["rows"]} == {leader.cooperative.name}
    stats = dashboard_stats("leader", client)
    assert body["totals"]["amount_kobo"] == stats["overview"]["contributions_total_kobo"]
    assert client.get("/api/reports/cashflow?preset=this_month").status_code == 403
    assert client.get("/api/reports/nope?preset=this_month").status_code == 404


def test_the_nigerian_month_boundary_at_midnight(login_as, client):
    login_as("FINANCE")
    # 22:59:59 UTC on 31 January is 23:59:59 in Lagos (January); 23:00 UTC is midnight, 1 February.
    factories.TransactionFactory(
        type=TxType.FEE, amount_kobo=111, created_at=datetime(2026, 1, 31, 22, 59, 59, tzinfo=UTC)
    )
    factories.TransactionFactory(
        type=TxType.FEE, amount_kobo=222, created_at=datetime(2026, 1, 31, 23, 0, 0, tzinfo=UTC)
    )
    january = report_json(client, "cashflow", "2026-01-01", "2026-01-31")
    february = report_json(client, "cashflow", "2026-02-01", "2026-02-28")
    both = report_json(client, "cashflow", "2026-01-31", "2026-02-01")
    assert january["totals"]["inflow_kobo"] == 111
    assert february["totals"]["inflow_kobo"] == 222
    assert february["totals"]["opening_kobo"] == 111
    assert [(r["month"], r["inflow_kobo"]) for r in both["rows"]] == [("2026-01", 111), ("2026-02", 222)]
    assert datetime(2026, 1, 31, 23, 0, tzinfo=UTC).astimezone(LOCAL_TZ).day == 1


def test_csv_and_xlsx_parse_back_to_the_same_numbers(admin):
    first, last = periods()["this_year"]
    for name in ("cashflow", "fees", "loans", "withdrawals"):
        body = report_json(admin, name, first, last)
        response = admin.get(f"/api/reports/{name}?from={first}&to={last}&format=csv")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].endswith(f'{name}_{first}_{last}.csv"')
        lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        header, data = lines[0], lines[1 : 1 + len(body["rows"])]
        total_line = lines[1 + len(body["rows"])]
        for key, total in body["totals"].items():
            if key in ("opening_kobo", "closing_kobo"):
                continue
            index = _column_index(admin, name, key, header)
            as_kobo = (
                [_kobo(line[index]) for line in data] if key.endswith("_kobo") else [int(line[index]) for line in data]
            )
            assert as_kobo == [row[key] for row in body["rows"]], (name, key)
            assert (_kobo(total_line[index]) if key.endswith("_kobo") else int(total_line[index])) == total
        book = openpyxl.load_workbook(
            io.BytesIO(admin.get(f"/api/reports/{name}?from={first}&to={last}&format=xlsx").data)
        )
        sheet = book.active
        values = list(sheet.iter_rows(values_only=True))
        header_row = next(i for i, row in enumerate(values) if list(row[: len(header)]) == header)
        rows = values[header_row + 1 : header_row + 1 + len(body["rows"])]
        for key in (k for k in body["totals"] if k.endswith("_kobo") and k not in ("opening_kobo", "closing_kobo")):
            index = header.index(_title(admin, name, key))
            assert [round(float(row[index]) * 100) for row in rows] == [row[key] for row in body["rows"]], (name, key)


COLUMN_TITLES: dict[str, dict[str, str]] = {}


def _title(client, name: str, key: str) -> str:
    """Return the column title of a report's key (from the catalogue)."""
    from nogalss_app.models import Role
    from nogalss_app.services.periods import Period
    from nogalss_app.services.reports import REPORTS, Audience, Request

    request = Request(Audience(1, Role.SUPER_ADMIN), Period(date(2026, 1, 1), date(2026, 1, 1)), utcnow())
    return next(c.title for c in REPORTS[name].columns(request) if c.key == key)


def _column_index(client, name: str, key: str, header: list[str]) -> int:
    return header.index(_title(client, name, key))


def _kobo(text: str) -> int:
    """Parse '1234.50' / '-0.05' into kobo without floats."""
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    assert len(fraction) == 2, text
    kobo = int(whole) * 100 + int(fraction)
    return -kobo if negative else kobo


def test_the_pdf_has_the_period_totals_and_page_numbers(admin):
    first, last = periods()["this_year"]
    response = admin.get(f"/api/reports/cashflow?from={first}&to={last}&format=pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.data, capture_output=True, check=True
    ).stdout.decode()
    body = report_json(admin, "cashflow", first, last)
    from nogalss_app.services.money import format_naira
    from nogalss_app.services.periods import Period

    period = Period(date.fromisoformat(first), date.fromisoformat(last))
    assert period.label in text
    assert "Nogalss Apex Body" in text and "Cash flow" in text
    assert format_naira(body["totals"]["inflow_kobo"]) in text
    assert format_naira(body["totals"]["closing_kobo"]) in text
    assert "Page 1 of" in text
