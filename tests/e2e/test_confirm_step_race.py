"""The race of issue 14: a live swap landing as the user opens a two-step confirmation must not close the step.

A refetch asked for while no step was open is answered after the user opened one (the click lands while the request
is in flight). The test holds the panel's refetch at the network (a Playwright route), opens the step, then lets
the server's real answer through: the morph must keep the step open and its confirm button must still work.
(A push arriving once the step is open is held instead: tests/e2e/test_pushed_fragments.py.)
"""

from __future__ import annotations

import re
import sys

import pytest
from playwright.sync_api import expect

from tests.e2e import test_pushed_fragments as pushed
from tests.support.browser import sign_in
from tests.support.live import Deployment


@pytest.fixture(scope="module")
def hook_deployment(tmp_path_factory):
    """A seeded deployment served by the app with the test-only emit route (its one pending withdrawal is ours)."""
    deployment = Deployment(tmp_path_factory.mktemp("race-live")).prepare()
    deployment.start_server(command=[sys.executable, "tests/support/push_hook.py"])
    yield deployment
    deployment.stop()


def held_refetch(page, server, panel: str, topics: list[str]):
    """Have the server signal a change of `topics` and hold the panel's refetch; return its route, unanswered."""
    held = []
    page.route(re.compile(rf"/panels/{panel}(\?|$)"), lambda route: held.append(route))
    v = int(page.locator("body").get_attribute("data-live-v")) + 1
    with page.expect_request(re.compile(rf"/panels/{panel}(\?|$)")):
        pushed.emit(page, server, "dashboard:update", {"v": v, "event": "test.push", "topics": topics})
    for _ in range(200):  # the route callback runs once Playwright dispatches the request it saw
        if held:
            break
        page.wait_for_timeout(25)
    assert len(held) == 1
    return held[0]


def answer_marked(route) -> None:
    """Answer a held panel request with the server's real answer, marked."""
    response = route.fetch()
    route.fulfill(
        response=response,
        body=response.text().replace('<div class="panel-body">', '<div class="panel-body">' + pushed.MARK, 1),
    )


def test_a_refetch_answered_after_the_user_opened_a_step_keeps_the_step_open(hook_deployment, page):
    """The race of issue 14: the refetch starts before the click on the step and its answer lands after it."""
    server = hook_deployment.servers[0]
    finance = sign_in(page, server, "finance", "/dashboard/finance")
    queue = finance.locator("#panel-withdrawals")
    expect(queue).not_to_have_attribute("aria-busy", "true")
    row = queue.locator("tr", has=finance.locator("summary", has_text="Approve")).first
    step = row.locator("details.confirm-step")
    expect(step).not_to_have_attribute("open", "")

    route = held_refetch(finance, server, "withdrawals", queue.get_attribute("data-topics").split())
    row.locator("summary", has_text="Approve").click()  # the request is in flight: no step was open when it left
    expect(step).to_have_attribute("open", "")
    answer_marked(route)

    expect(queue.locator(".pushed-mark")).to_have_count(1, timeout=10_000)  # the answer was morphed in
    expect(step).to_have_attribute("open", "")
    assert finance.evaluate("document.querySelector('#panel-withdrawals details.confirm-step[open]').open") is True
    finance.unroute(re.compile(r"/panels/withdrawals(\?|$)"))
    row.get_by_role("button", name=re.compile(r"^Confirm: approve")).click()
    expect(queue.locator(".flash-success")).to_contain_text("withdrawal was approved", timeout=10_000)
    assert finance.console_errors == []
