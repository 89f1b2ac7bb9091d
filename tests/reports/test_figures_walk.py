"""Every `data-figure` link on every dashboard of the demo data: the API's total equals the amount shown and the
sum of all its rows, and the drill-down page and each row open under the same scope."""

from __future__ import annotations

import html
import re
from itertools import product

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Cooperative, Loan, Recipient
from nogalss_app.security import DASHBOARDS
from nogalss_app.services.figures import FIGURES
from nogalss_app.services.money import parse_naira
from nogalss_app.services.stats.registry import dashboard_panels
from tests import factories
from tests.support.demo import demo_user, seed_demo_data, sign_in_demo

LINK = re.compile(r'<a class="figure-link" data-figure="([^"]+)" href="([^"]+)">([^<]+)</a>')


def shown_kobo(text: str) -> int:
    """Return the kobo of a shown amount such as '₦1,234.50' or '-₦0.05'."""
    text = html.unescape(text).strip()
    negative = text.startswith("-")
    kobo = parse_naira(text.lstrip("-").replace("\u20a6", "").replace(",", ""))
    return -kobo if negative else kobo


def option_queries(panel) -> list[str]:
    """Return the query strings of every combination of a panel's options ('' when it has none)."""
    if not panel.options:
        return [""]
    names = list(panel.options)
    return [
        "&".join(f"{n}={v}" for n, v in zip(names, values, strict=True)) for values in product(*panel.options.values())
    ]


def walk(client, key: str, scope_query: str) -> set[tuple[str, str, str]]:
    """Check every figure link of one dashboard's panels; return the (dashboard, panel, key) seen."""
    seen = set()
    slug = DASHBOARDS[key]["slug"]
    for panel in dashboard_panels()[key]:
        for options in option_queries(panel):
            query = "&".join(q for q in (scope_query, options) if q)
            response = client.get(f"/dashboard/{slug}/panels/{panel.name}" + (f"?{query}" if query else ""))
            assert response.status_code == 200, (key, panel.name)
            for figure_key, href, amount in LINK.findall(response.get_data(as_text=True)):
                href = html.unescape(href)
                assert href.startswith(f"/figures/{slug}/{panel.name}/{figure_key}")
                check_figure(client, href, shown_kobo(amount))
                seen.add((key, panel.name, figure_key))
    return seen


def check_figure(client, href: str, shown: int) -> None:
    """The API total equals the figure shown and the sum of all its rows over all pages; the page opens."""
    api = href.replace("/figures/", "/api/figures/", 1)
    joiner = "&" if "?" in api else "?"
    page, rows, total = 1, [], None
    while True:
        answer = client.get(f"{api}{joiner}per_page=100&page={page}")
        assert answer.status_code == 200, (href, answer.get_data(as_text=True))
        body = answer.get_json()
        total = body["total_kobo"]
        rows += body["rows"]
        if page >= body["pages"]:
            break
        page += 1
    assert total == shown, href
    assert sum(row["amount_kobo"] for row in rows) == total, href
    assert len(rows) == body["count"], href
    page_html = client.get(href)
    assert page_html.status_code == 200
    assert f'data-total-kobo="{total}"' in page_html.get_data(as_text=True)
    if rows:
        first = rows[0]
        path = href.split("?", 1)
        row_url = f"{path[0]}/rows/{first['entity']}/{first['id']}" + (f"?{path[1]}" if len(path) > 1 else "")
        assert client.get(row_url).status_code == 200, row_url


@pytest.fixture
def demo(app):
    seed_demo_data()


def test_every_figure_link_of_every_dashboard_adds_up(demo, app):
    seen: set[tuple[str, str, str]] = set()
    coop_id = demo_user("leader1").cooperative_id
    member_id = demo_user("member1").id
    organization_id = demo_user("org1").parent_organization_id
    for local, key in [
        ("finance", "finance"),
        ("apex", "apex"),
        ("apex-funds", "apex_funds"),
        ("nogalss-funds", "nogalss_funds"),
        ("leader1", "leader"),
        ("member1", "member"),
        ("coop1", "cooperative"),
        ("org1", "parent_org"),
    ]:
        client = app.test_client()
        sign_in_demo(client, local)
        seen |= walk(client, key, "")
    admin = app.test_client()
    sign_in_demo(admin, "super-admin")
    for key in DASHBOARDS:
        query = {
            "leader": f"cooperative={coop_id}",
            "cooperative": f"cooperative={coop_id}",
            "member": f"member={member_id}",
            "parent_org": f"organization={organization_id}",
        }.get(key, "")
        seen |= walk(admin, key, query)
    # the cooperative with a loan in arrears (its repayments panel lists it) and a leader share nobody can be named for
    seen |= walk(admin, "leader", f"cooperative={demo_user('leader4').cooperative_id}")
    factories.FeeFactory(shares={Recipient.LEADER: (1000, 500_00)})
    seen |= walk(admin, "super_admin", "")
    assert seen == {(f.dashboard, f.panel, f.key) for f in FIGURES}


def test_figures_keep_the_dashboards_scope_rules(demo, app):
    member = app.test_client()
    sign_in_demo(member, "member1")
    other = demo_user("member2")
    assert member.get("/api/figures/finance/overview/net").status_code == 403
    assert member.get("/figures/super-admin/money/contributions").status_code == 403
    # a member sees only themselves whatever the query says
    own = member.get(f"/api/figures/member/savings/balance?member={other.id}").get_json()
    assert all(row["amount_kobo"] for row in own["rows"])
    leader = app.test_client()
    sign_in_demo(leader, "leader1")
    assert leader.get("/api/figures/leader/overview/nope").status_code == 404
    # a member of another cooperative is not one of this leader's members
    assert leader.get(f"/api/figures/leader/members/balance?of={other.id}").status_code == 404
    own_member = demo_user("member1")
    assert leader.get(f"/api/figures/leader/members/balance?of={own_member.id}").status_code == 200
    assert leader.get("/api/figures/no-such/overview/contributions").status_code == 404
    admin = app.test_client()
    sign_in_demo(admin, "super-admin")
    assert admin.get("/api/figures/member/savings/balance").status_code == 422
    assert admin.get("/api/figures/member/savings/balance?member=999999").status_code == 404
    assert admin.get("/api/figures/finance/overview/net?page=0").status_code == 422
    for month in ("1999-01", "abc", "2026-13", "x" * 40):
        assert admin.get(f"/api/figures/finance/monthly/net?month={month}").status_code == 422, month
    # a row of another member's balance is not part of this member's figure
    theirs = admin.get(f"/api/figures/member/savings/balance?member={other.id}").get_json()["rows"]
    if theirs:
        row = theirs[0]
        assert member.get(f"/figures/member/savings/balance/rows/{row['entity']}/{row['id']}").status_code == 404


def test_loan_and_organization_figures_keep_their_scope(demo, app):
    coop = app.test_client()
    sign_in_demo(coop, "coop1")
    coop_id = demo_user("coop1").cooperative_id
    own = db.session.scalar(sa.select(Loan.id).where(Loan.cooperative_id == coop_id).limit(1))
    other = db.session.scalar(sa.select(Loan.id).where(Loan.cooperative_id != coop_id).limit(1))
    assert own is not None and other is not None
    assert coop.get(f"/api/figures/cooperative/loans/repaid?loan={own}").status_code == 200
    assert coop.get(f"/api/figures/cooperative/loans/left?loan={other}").status_code == 404
    for bad in ("", "loan=abc", "loan=-1", "loan=" + "9" * 40):
        assert coop.get(f"/api/figures/cooperative/loans/left?{bad}").status_code == 422, bad
    member = app.test_client()
    sign_in_demo(member, "member1")
    theirs = db.session.scalar(sa.select(Loan.id).where(Loan.user_id != demo_user("member1").id).limit(1))
    assert member.get(f"/api/figures/member/loans/repaid?loan={theirs}").status_code == 404
    org = app.test_client()
    sign_in_demo(org, "org1")
    organization_id = demo_user("org1").parent_organization_id
    foreign = db.session.scalar(
        sa.select(Cooperative.id).where(
            sa.or_(Cooperative.parent_organization_id != organization_id, Cooperative.parent_organization_id.is_(None))
        )
    )
    assert foreign is not None
    assert org.get(f"/api/figures/parent-organization/cooperatives/fees?row={foreign}").status_code == 404
    assert org.get("/api/figures/finance/loans/arrears").status_code == 403
    admin = app.test_client()
    sign_in_demo(admin, "super-admin")
    assert admin.get("/api/figures/parent-organization/overview/fees").status_code == 422
    # the portfolio's arrears drill down to the loans in arrears, each with its amount in arrears
    arrears = admin.get("/api/figures/finance/loans/arrears?per_page=100").get_json()
    assert arrears["total_kobo"] > 0 and all(row["entity"] == "loan" for row in arrears["rows"])
