"""Pushed fragments in the browser (SPEC §6 `dashboard:panels`, issue 12 client side).

The real server (tests/support/push_hook.py: the app plus a test-only emit route) sends live.js a push in the
payload shape of SPEC §6: the panel is morphed in place without a request, focus survives, a half-typed form is
not swapped, and the signal of the same v does not refetch what was pushed.
"""

from __future__ import annotations

import re
import sys

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.live import Deployment

MARK = '<p class="pushed-mark">Pushed by the test</p>'


@pytest.fixture(scope="module")
def hook_deployment(tmp_path_factory):
    """A seeded deployment served by the app with the test-only emit route."""
    deployment = Deployment(tmp_path_factory.mktemp("push-live")).prepare()
    deployment.start_server(command=[sys.executable, "tests/support/push_hook.py"])
    yield deployment
    deployment.stop()


def fragment(page, server, panel: str) -> tuple[str, int]:
    """Return a panel's fragment as the server renders it for this page's scope, marked, and the v it reflects."""
    answer = page.request.get(f"{server.url}/dashboard/finance/panels/{panel}")
    assert answer.ok
    html = answer.text().replace('<div class="panel-body">', '<div class="panel-body">' + MARK, 1)
    return html, int(answer.headers["x-live-v"])


def emit(page, server, event: str, data: dict) -> None:
    """Have the server emit an event to every socket."""
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    answer = page.request.post(
        f"{server.url}/__test__/emit", data={"event": event, "data": data}, headers={"X-CSRFToken": token}
    )
    assert answer.status == 204, answer.text()


def test_the_page_connects_with_its_view(hook_deployment, page):
    sign_in(page, hook_deployment.servers[0], "super-admin", "/dashboard/leader?cooperative=2")
    assert page.locator("body").get_attribute("data-live-view") == "leader"
    assert page.locator("body").get_attribute("data-live-params") == '{"cooperative": "2"}'


def test_a_pushed_panel_is_swapped_in_place_and_not_refetched_for_its_v(hook_deployment, page):
    server = hook_deployment.servers[0]
    finance = sign_in(page, server, "finance", "/dashboard/finance")
    fetched: list[str] = []
    finance.on("request", lambda req: (m := re.search(r"/panels/([a-z_]+)", req.url)) and fetched.append(m.group(1)))
    overview, v = fragment(finance, server, "overview")
    recent, _ = fragment(finance, server, "recent")
    queue, _ = fragment(finance, server, "withdrawals")
    v += 1000  # a change newer than anything the page has seen
    note = finance.locator("#panel-withdrawals tr", has_text="Pending").first.locator("input[name=notes]")
    note.fill("Half-typed note")
    finance.locator("#panel-recent select[name=status]").focus()

    panels = [{"name": n, "html": h, "etag": f'"{n}-{v}"'} for n, h in [("overview", overview), ("recent", recent)]]
    panels.append({"name": "withdrawals", "html": queue, "etag": f'"withdrawals-{v}"'})
    emit(finance, server, "dashboard:panels", {"v": v, "dashboard": "finance", "panels": panels})

    expect(finance.locator("#panel-overview .pushed-mark")).to_have_count(1, timeout=3_000)
    expect(finance.locator("#panel-recent .pushed-mark")).to_have_count(1)
    assert finance.evaluate("document.activeElement.name") == "status"  # focus survived the morph
    expect(finance.locator("#panel-overview")).not_to_have_attribute("aria-busy", "true")
    # The queue holds a half-typed note: not swapped, the new data waits behind a button.
    expect(finance.locator("#panel-withdrawals .pushed-mark")).to_have_count(0)
    expect(finance.locator("#panel-withdrawals").get_by_role("button", name="New data — update")).to_be_visible()
    expect(note).to_have_value("Half-typed note")

    # The signal of the same v: the pushed panels are not refetched; a panel that was not pushed is.
    emit(finance, server, "dashboard:update", {"v": v, "event": "test.push", "topics": ["transactions"]})
    expect(finance.locator("#panel-monthly")).to_have_attribute("data-refreshes", "2", timeout=3_000)
    finance.wait_for_timeout(600)
    assert "overview" not in fetched and "recent" not in fetched
    assert finance.locator("body").get_attribute("data-live-v") == str(v)

    # Applying the held push swaps it in (no request needed) and keeps the typed note.
    finance.locator("#panel-withdrawals").get_by_role("button", name="New data — update").click()
    expect(finance.locator("#panel-withdrawals .pushed-mark")).to_have_count(1)
    expect(note).to_have_value("Half-typed note")
    assert "withdrawals" not in fetched

    # A later change refetches as usual.
    emit(finance, server, "dashboard:update", {"v": v + 1, "event": "test.push", "topics": ["transactions"]})
    expect(finance.locator("#panel-overview .pushed-mark")).to_have_count(0, timeout=3_000)
    assert "overview" in fetched
    assert finance.console_errors == []


def test_a_push_after_the_user_opened_a_step_waits_and_the_step_still_confirms(hook_deployment, page):
    server = hook_deployment.servers[0]
    finance = sign_in(page, server, "finance", "/dashboard/finance")
    queue = finance.locator("#panel-withdrawals")
    expect(queue).not_to_have_attribute("aria-busy", "true")
    row = queue.locator("tr", has=finance.locator("summary", has_text="Approve")).first
    step = row.locator("details.confirm-step")
    row.locator("summary", has_text="Approve").click()
    expect(step).to_have_attribute("open", "")

    html, v = fragment(finance, server, "withdrawals")
    pushed = {"name": "withdrawals", "html": html, "etag": f'"withdrawals-{v + 1000}"'}
    emit(finance, server, "dashboard:panels", {"v": v + 1000, "dashboard": "finance", "panels": [pushed]})
    expect(queue.get_by_role("button", name="New data — update")).to_be_visible(timeout=10_000)
    expect(queue.locator(".pushed-mark")).to_have_count(0)
    expect(step).to_have_attribute("open", "")
    row.get_by_role("button", name=re.compile(r"^Confirm: approve")).click()
    expect(queue.locator(".flash-success")).to_contain_text("withdrawal was approved", timeout=10_000)
    assert finance.console_errors == []
