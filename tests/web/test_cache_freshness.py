"""The shared fragment cache never serves a figure a fresh render would not show.

A panel's cached fragment is keyed by the versions of its topics; a panel whose figures depend on data of a topic it
does not declare would keep serving the old figure after that data changes (found by the four-window story: the
member's withdrawable balance, S − W − ⌈O / 6⌉, stayed put after their loan was approved). So, over the story's
money steps on the demo data, every panel of the dashboards involved is read through the cache and then rendered
fresh, and the two must agree.
"""

from __future__ import annotations

from datetime import date

import pytest

from nogalss_app import seed
from nogalss_app.security import DASHBOARDS
from nogalss_app.services.stats.registry import dashboard_panels
from nogalss_app.services.views import cache
from tests.support.client import send, sign_in
from tests.support.panels import panel_fragment
from tests.web.test_panel_purity import STAMP

WATCHED = {"member1": "member", "leader1": "leader", "finance": "finance", "super-admin": "super_admin"}


def _signed_in(app, local: str, password: str):
    return sign_in(app.test_client(), type("Demo", (), {"email": seed.demo_email(local)}), password)


def _read_all(clients) -> dict[tuple[str, str], str]:
    out = {}
    for local, key in WATCHED.items():
        slug = DASHBOARDS[key]["slug"]
        for panel in dashboard_panels()[key]:
            out[(local, panel.name)] = STAMP.sub("", panel_fragment(slug, clients[local], panel.name))
    return out


def _assert_cache_is_fresh(clients, step: str) -> None:
    served = _read_all(clients)  # through the cache, primed by the reads before this step
    assert len(cache) > 0
    cache.clear()
    fresh = _read_all(clients)
    stale = sorted(f"{local}/{name}" for (local, name), html in served.items() if html != fresh[(local, name)])
    assert stale == [], f"after {step}, the cache served old fragments of {stale}"


@pytest.fixture
def fragment_cache():
    """The shared fragment cache as a server runs it (the test configuration turns it off)."""
    cache.configure(16 * 1024 * 1024)
    yield cache
    cache.configure(0)


def test_every_cached_panel_follows_the_money_steps_of_the_story(app, demo, fragment_cache):
    clients = {local: _signed_in(app, local, demo) for local in WATCHED}
    _read_all(clients)  # the cache holds every panel now

    applied = send(
        clients["member1"],
        "POST",
        "/api/member/loans",
        {"amount_kobo": 20_000_00, "purpose": "Cache freshness", "duration_months": 6},
    )
    assert applied.status_code == 201, applied.get_json()
    loan_id = applied.get_json()["id"]
    _assert_cache_is_fresh(clients, "the loan application")

    approved = send(clients["leader1"], "POST", f"/api/leader/loans/{loan_id}/approve", {"notes": "ok"})
    assert approved.status_code == 200, approved.get_json()
    _assert_cache_is_fresh(clients, "the loan approval")

    repaid = send(
        clients["finance"],
        "POST",
        f"/api/finance/loans/{loan_id}/repayments",
        {"amount_kobo": 1_000_00, "reference": "TELLER-CACHE-1", "paid_on": date.today().isoformat()},
    )
    assert repaid.status_code == 201, repaid.get_json()
    _assert_cache_is_fresh(clients, "an offline repayment")

    requested = send(clients["member1"], "POST", "/api/member/withdrawals", {"amount_kobo": 500_00, "reason": "Fees"})
    assert requested.status_code == 201, requested.get_json()
    _assert_cache_is_fresh(clients, "the withdrawal request")

    decided = send(
        clients["finance"], "PATCH", f"/api/finance/withdrawals/{requested.get_json()['id']}", {"status": "APPROVED"}
    )
    assert decided.status_code == 200, decided.get_json()
    _assert_cache_is_fresh(clients, "the withdrawal approval")
