"""A working day on open dashboards (issue 14 client side, SPEC §4 "Every dashboard" and §6 live.js).

Panels never stay busy; the user's own change is shown once with its notice kept and focus on the panel; a
half-typed form is not swapped but offers "New data — update"; offline, actions are paused with the reason and
panels say since when they are not updated; only a real change is highlighted and announced.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from nogalss_app.services.money import format_naira
from tests.support.browser import sign_in, wait_until_live
from tests.support.live import contribute

LIVE = 5_000  # ms: a change reaches an open dashboard within this
# Dashboards and the demo account that opens each; 200 loads are spread over them.
LOADS = {
    "finance": "finance",
    "super-admin": "super-admin",
    "apex": "apex",
    "apex-funds": "apex-funds",
    "nogalss-funds": "nogalss-funds",
    "leader": "leader1",
    "member": "member1",
    "cooperative": "coop1",
    "parent-organization": "org1",
}
PAGE_LOADS = 200


def post_json(page, path: str, body: dict):
    """Send a JSON write with the page's own cookies and CSRF token."""
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    origin = page.url.split("/dashboard")[0]
    return page.request.post(f"{origin}{path}", data=body, headers={"X-CSRFToken": token})


def refreshes(page, panel: str) -> int:
    """Return how many refetches live.js has asked for on a panel (its first load included)."""
    return int(page.locator(f"#panel-{panel}").get_attribute("data-refreshes") or 0)


def updates(page, panel: str) -> int:
    """Return how many times a panel was refetched or had a pushed fragment swapped in."""
    el = page.locator(f"#panel-{panel}")
    return int(el.get_attribute("data-refreshes") or 0) + int(el.get_attribute("data-pushes") or 0)


def changes(page) -> dict[str, str | None]:
    """Return each panel's count of highlighted changes."""
    return {
        el.get_attribute("data-panel"): el.get_attribute("data-changes") for el in page.locator("[data-panel]").all()
    }


def test_200_page_loads_leave_no_panel_busy_or_loading_after_2_s(module_deployment, new_page):
    server = module_deployment.servers[0]
    pages = {slug: sign_in(new_page(), server, local, f"/dashboard/{slug}") for slug, local in LOADS.items()}
    fetched: list[str] = []
    for page in pages.values():
        page.on("request", lambda req: "/panels/" in req.url and fetched.append(req.url))
    slugs = list(pages)
    expected_requests = 0
    for n in range(PAGE_LOADS):
        page = pages[slugs[n % len(slugs)]]
        page.reload()
        expect(page.locator("[aria-busy]")).to_have_count(0, timeout=2_000)
        expect(page.locator(".panel-body", has_text="Loading…")).to_have_count(0, timeout=100)
        expected_requests += page.locator("[data-panel]").count()
        assert page.console_errors == []
    # Each load asked for each panel once: no watchdog and no retry added requests.
    assert len(fetched) == expected_requests


def test_own_change_is_shown_once_the_notice_stays_and_focus_is_on_the_panel(module_deployment, new_page):
    member = sign_in(new_page(), module_deployment.servers[0], "member1", "/dashboard/member")
    actions = member.locator("#panel-actions")
    own_requests = member.locator("#panel-withdrawals tr", has_text="₦123.45")
    expect(own_requests).to_have_count(0)
    keys: list[str | None] = []
    member.on("request", lambda req: req.method == "POST" and keys.append(req.headers.get("idempotency-key")))
    amount = actions.locator("#withdrawal-withdrawal_amount")
    amount.fill("123.456")
    actions.locator("#withdrawal-reason").fill("School fees (e2e)")
    actions.get_by_role("button", name="Request the withdrawal").click()
    expect(amount).to_have_attribute("aria-invalid", "true", timeout=LIVE)
    expect(amount).to_be_focused()  # a refusal takes focus to the field it is about
    amount.fill("123.45")
    before = refreshes(member, "actions")

    actions.get_by_role("button", name="Request the withdrawal").dblclick()  # an accidental double click

    notice = actions.locator(".panel-notice .flash-success")
    expect(notice).to_contain_text("₦123.45 was sent to finance", timeout=LIVE)
    expect(member.locator("#live-announcer")).to_contain_text("₦123.45 was sent to finance")
    expect(own_requests).to_have_count(1, timeout=LIVE)  # the other panel caught up; one request, not two
    member.wait_for_timeout(1_500)  # the socket echo of the same change has come and gone
    expect(notice).to_contain_text("₦123.45 was sent to finance")
    assert member.evaluate("document.activeElement.id") == "panel-actions"
    assert refreshes(member, "actions") == before  # the echo was skipped: the answer already showed it
    expect(actions.locator("#withdrawal-withdrawal_amount")).to_have_value("")  # the form was reset
    expect(actions.locator("#withdrawal-reason")).to_have_value("")
    expect(own_requests).to_have_count(1)
    assert len(keys) == 2 and all(keys) and keys[0] != keys[1]  # one key per request, the duplicate never left
    assert [e for e in member.console_errors if "status of 422" not in e] == []  # the refusal provoked above


def test_a_half_typed_note_holds_the_queue_and_offers_the_new_data(module_deployment, new_page):
    server = module_deployment.servers[0]
    finance = sign_in(new_page(), server, "finance", "/dashboard/finance")
    member = sign_in(new_page(), server, "member2", "/dashboard/member")
    queue = finance.locator("#panel-withdrawals")
    note = queue.locator("tr", has_text="Pending").first.locator("input[name=notes]")
    note.fill("Call the member first")
    finance.locator("h1").click()  # click away without sending

    made = post_json(member, "/api/member/withdrawals", {"amount_kobo": 987_00, "reason": "Dirty-form story"})
    assert made.status == 201, made.text()

    update = queue.get_by_role("button", name="New data — update")
    expect(update).to_be_visible(timeout=LIVE)
    expect(queue).not_to_contain_text("Dirty-form story")
    expect(note).to_have_value("Call the member first")  # the draft is untouched while it waits
    update.click()
    expect(queue).to_contain_text("Dirty-form story", timeout=LIVE)
    expect(queue.get_by_role("button", name="New data — update")).to_have_count(0)
    assert finance.console_errors == []


def test_offline_pauses_actions_says_since_when_and_catches_up(module_deployment, browser):
    server = module_deployment.servers[0]
    # A browser on New York time: every time shown must still be the server's Nigerian time.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="America/New_York")
    try:
        finance = sign_in(context.new_page(), server, "finance", "/dashboard/finance")
        before = finance.evaluate("fetch('/api/finance/dashboard-stats').then(r => r.json())")
        before = before["overview"]["contributions_kobo"]
        stamp = finance.locator("#panel-withdrawals .panel-updated time").inner_text()[:5]
        # Approving is two steps (it moves money): open the first one, then the confirm button is the action.
        finance.locator("#panel-withdrawals summary", has_text="Approve").first.click()
        approve = finance.locator("#panel-withdrawals").get_by_role("button", name=re.compile("^Confirm")).first
        expect(approve).to_be_visible()

        server.stop()
        lagos_now = datetime.now(UTC).astimezone(ZoneInfo("Africa/Lagos"))
        expect(finance.locator("#conn-badge")).to_contain_text("offline since", timeout=10_000)
        shown = re.search(r"offline since (\d\d:\d\d)", finance.locator("#conn-badge").inner_text()).group(1)
        minutes = int(shown[:2]) * 60 + int(shown[3:])
        assert (
            min(
                (minutes - lagos_now.hour * 60 - lagos_now.minute) % 1440,
                (lagos_now.hour * 60 + lagos_now.minute - minutes) % 1440,
            )
            <= 1
        )
        expect(approve).to_be_disabled()
        reason = finance.locator("#panel-withdrawals .panel-offline")
        expect(reason).to_contain_text(f"Not updated since {stamp}")
        expect(reason).to_contain_text("actions are paused")
        assert reason.get_attribute("id") in (approve.get_attribute("aria-describedby") or "").split()
        contribute(module_deployment, "member2", 7_000)  # the change happens while the dashboard is cut off
        server.start()

        expect(finance.locator("#conn-badge")).to_have_text("live", timeout=15_000)
        expect(approve).to_be_enabled()
        expect(finance.locator(".panel-offline")).to_have_count(0)
        expect(finance.locator("#panel-overview")).to_contain_text(format_naira(before + 700_000), timeout=LIVE)
    finally:
        context.close()
        if server.process is None or server.process.poll() is not None:
            server.start()  # a failure while offline must not leave the module's later tests without a server


def test_only_a_real_change_is_highlighted_and_announced(module_deployment, new_page):
    server = module_deployment.servers[0]
    finance = sign_in(new_page(), server, "finance", "/dashboard/finance")
    quiet = changes(finance)
    before = updates(finance, "overview")

    # A signal with no data change: the panels are pushed again (or refetched), nothing flashes or is announced.
    module_deployment.flask("notify", "test.touch", "--topics", "transactions,withdrawals", "--role", "FINANCE")
    finance.wait_for_function(
        """(before) => {
          const el = document.querySelector("#panel-overview");
          return (+el.getAttribute("data-refreshes") || 0) + (+el.getAttribute("data-pushes") || 0) > before;
        }""",
        arg=before,
        timeout=LIVE,
    )
    finance.wait_for_timeout(800)
    assert changes(finance) == quiet
    expect(finance.locator(".panel-changed")).to_have_count(0)
    expect(finance.locator("#live-announcer")).to_have_text("")

    # A disconnect and reconnect with no change: nothing flashes either.
    server.stop()
    try:
        expect(finance.locator("#conn-badge")).to_contain_text("offline since", timeout=10_000)
    finally:
        server.start()
    wait_until_live(finance)
    finance.wait_for_timeout(800)
    assert changes(finance) == quiet

    # A real change: the panel whose figures moved is highlighted and announced.
    contribute(module_deployment, "member1", 1_500)
    expect(finance.locator("#panel-overview")).to_have_attribute("data-changes", "1", timeout=LIVE)
    expect(finance.locator("#live-announcer")).to_contain_text("updated", timeout=LIVE)
    assert [e for e in finance.console_errors if "ERR_CONNECTION_REFUSED" not in e] == []  # only the outage


def test_reduced_motion_marks_the_change_without_animation(module_deployment, new_page):
    finance = new_page()
    finance.emulate_media(reduced_motion="reduce")
    sign_in(finance, module_deployment.servers[0], "finance", "/dashboard/finance")

    contribute(module_deployment, "member3", 1_000)

    overview = finance.locator("#panel-overview")
    expect(overview).to_have_class(re.compile("panel-changed"), timeout=LIVE)
    assert overview.evaluate("el => getComputedStyle(el).animationName") == "none"
