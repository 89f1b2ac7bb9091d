"""The audit report: the super admin searches the whole audit log by actor, action, entity and dates, page by page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from nogalss_app.extensions import db
from nogalss_app.services import audit
from tests import factories

WHEN = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def _log(count: int, action: str, entity: str, actor_id: int | None, start: datetime = WHEN) -> None:
    for n in range(count):
        audit.record(
            action, entity, n, actor_id=actor_id, after={"n": n, "note": "=1+1"}, now=start + timedelta(minutes=n)
        )
    db.session.commit()


def test_filters_and_paging(login_as, client):
    admin = login_as("SUPER_ADMIN")
    finance = factories.user(role="FINANCE")
    _log(150, "loan.approve", "loan", admin.id)
    _log(7, "withdrawal.processed", "withdrawal", finance.id)
    _log(3, "loan.approve", "loan", finance.id, start=datetime(2026, 4, 2, 9, 0, tzinfo=UTC))
    march = "from=2026-03-01&to=2026-03-31"
    body = client.get(f"/api/reports/audit?{march}").get_json()
    assert len(body["rows"]) == 157
    assert [row["date"] for row in body["rows"]] == sorted(row["date"] for row in body["rows"])
    by_actor = client.get(f"/api/reports/audit?{march}&actor={finance.id}").get_json()["rows"]
    assert len(by_actor) == 7 and all(finance.email in row["actor"] for row in by_actor)
    by_action = client.get("/api/reports/audit?from=2026-03-01&to=2026-04-30&action=loan.approve").get_json()["rows"]
    assert len(by_action) == 153
    by_entity = client.get(f"/api/reports/audit?{march}&entity=withdrawal").get_json()["rows"]
    assert {row["entity"] for row in by_entity} == {"withdrawal"}
    april = client.get("/api/reports/audit?from=2026-04-01&to=2026-04-30").get_json()["rows"]
    assert len(april) == 3
    first = client.get(f"/reports/audit?{march}").get_data(as_text=True)
    second = client.get(f"/reports/audit?{march}&page=2").get_data(as_text=True)
    assert "157 rows" in first and "page 1 of 2" in first
    assert len(re.findall(r"<tr>\s*<td", first)) == 100
    assert len(re.findall(r"<tr>\s*<td", second)) == 57
    assert 'rel="next"' in first and 'rel="prev"' in second
    csv_text = client.get(f"/api/reports/audit?{march}&format=csv").get_data(as_text=True)
    assert csv_text.count("\r\n") == 1 + 157 + 0  # header and rows; no totals line without amounts


def test_only_the_super_admin_reads_the_audit_log(login_as, client):
    login_as("FINANCE")
    assert client.get("/api/reports/audit?preset=this_month").status_code == 403
    assert client.get("/reports/audit?preset=this_month").status_code == 403


def test_the_activity_panel_links_to_the_full_audit_log(login_as, client):
    login_as("SUPER_ADMIN")
    html = client.get("/dashboard/super-admin/panels/activity").get_data(as_text=True)
    assert 'href="/reports/audit"' in html
