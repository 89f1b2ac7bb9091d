"""axe-core on every dashboard and every super admin management page, at 1440 px and on a 390 px phone: no serious
or critical violation (SPEC §4: announcements, labels, contrast)."""

from __future__ import annotations

import pytest

from nogalss_app.templating import MANAGE_PAGES
from tests.support.axe import axe_violations
from tests.support.browser import sign_in

WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}
DASHBOARDS = [
    ("super-admin", "/dashboard/super-admin"),
    ("finance", "/dashboard/finance"),
    ("apex-funds", "/dashboard/apex-funds"),
    ("nogalss-funds", "/dashboard/nogalss-funds"),
    ("apex", "/dashboard/apex"),
    ("leader1", "/dashboard/leader"),
    ("member1", "/dashboard/member"),
    ("coop1", "/dashboard/cooperative"),
    ("org1", "/dashboard/parent-organization"),
]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(("local", "path"), DASHBOARDS, ids=[local for local, _ in DASHBOARDS])
def test_a_dashboard_has_no_serious_or_critical_axe_violation(seeded_deployment, new_page, local, path, width):
    page = new_page(*WIDTHS[width])
    sign_in(page, seeded_deployment.servers[0], local, path)
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_management_pages_have_no_serious_or_critical_axe_violation(seeded_deployment, new_page, width):
    page = new_page(*WIDTHS[width])
    server = seeded_deployment.servers[0]
    sign_in(page, server, "super-admin", "/dashboard/super-admin")
    pages = [link.get_attribute("href") for link in page.locator("nav[aria-label=Manage] a").all()]
    assert len(pages) == len(MANAGE_PAGES)  # every page the Manage links offer
    found = {}
    for path in pages:
        page.goto(f"{server.url}{path}")
        page.wait_for_load_state("networkidle")
        found[path] = axe_violations(page)
    assert found == {path: [] for path in pages}


def test_the_check_catches_a_planted_violation(seeded_deployment, new_page):
    page = new_page(*WIDTHS["phone"])
    sign_in(page, seeded_deployment.servers[0], "member1", "/dashboard/member")
    page.evaluate(
        "() => document.querySelector('main').append(Object.assign(document.createElement('img'), {src: '/x.png'}))"
    )
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
