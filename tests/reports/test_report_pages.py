"""Each role's Reports page lists exactly the reports it may run, and every one of them opens with its table."""

from __future__ import annotations

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import AuditLog, Role
from nogalss_app.services.reports import REPORTS
from tests import factories
from tests.support.bad_inputs import ESCAPED, XSS

EXPECTED = {
    "SUPER_ADMIN": {"cashflow", "fees", "loans", "contributions", "withdrawals", "expenses", "audit"},
    "FINANCE": {"cashflow", "fees", "loans", "contributions", "withdrawals", "expenses"},
    "APEX_FUNDS": {"fees"},
    "NOGALSS_FUNDS": {"fees"},
    "APEX": {"loans", "contributions"},
    "LEADER": {"loans", "contributions", "withdrawals"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_reports_page_per_role(login_as, client, role):
    login_as(role)
    index = client.get("/reports").get_data(as_text=True)
    for name, report in REPORTS.items():
        listed = f'href="/reports/{name}"' in index
        assert listed == (name in EXPECTED[role]), (role, name)
        page = client.get(f"/reports/{name}?preset=last_month")
        assert page.status_code == (200 if name in EXPECTED[role] else 403), (role, name)
        if page.status_code == 200:
            html = page.get_data(as_text=True)
            assert f"<h1>{report.title}</h1>" in html
            assert f'href="/api/reports/{name}?' in html and "format=pdf" in html
    dashboard = client.get("/dashboard").location
    assert client.get(dashboard).status_code in (200, 302)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.COOPERATIVE, Role.PARENT_ORGANIZATION])
def test_roles_without_reports_get_403(login_as, client, role):
    login_as(role.value)
    assert client.get("/reports").status_code == 403
    assert client.get("/api/reports/contributions?preset=this_month").status_code == 403


def test_a_signed_out_caller_gets_401_from_the_api(client):
    assert client.get("/api/reports/cashflow").status_code == 401
    assert client.get("/api/figures/finance/overview/net").status_code == 401


def test_a_super_admins_chosen_cooperative_narrows_and_is_logged(login_as, client):
    login_as("SUPER_ADMIN")
    ikeja, named_xss, ada, bola = factories.two_cooperatives()
    factories.ContributionFactory(user=ada, amount_kobo=700)
    factories.ContributionFactory(user=bola, amount_kobo=50)
    body = client.get(f"/api/reports/contributions?preset=this_month&cooperative={named_xss.id}").get_json()
    assert body["totals"]["amount_kobo"] == 50
    body = client.get(f"/api/reports/contributions?preset=this_month&cooperative={ikeja.id}").get_json()
    assert body["totals"]["amount_kobo"] == 700
    assert client.get("/api/reports/contributions?preset=this_month").get_json()["totals"]["amount_kobo"] == 750
    page = client.get("/reports/contributions?preset=this_month&group=cooperative").get_data(as_text=True)
    assert XSS not in page and ESCAPED in page
    logged = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "dashboard.view_as")).all()
    assert [row.after for row in logged][-1] == {"cooperative": ikeja.id, "report": "contributions"}
    assert client.get("/api/reports/contributions?preset=this_month&cooperative=999999").status_code == 404
