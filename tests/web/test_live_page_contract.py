"""What live.js reads from the server: the page's view for the socket's auth, and the v each panel answer reflects."""

from __future__ import annotations

import json
import re

from nogalss_app.extensions import db
from nogalss_app.services import realtime
from tests import factories


def test_a_panel_answer_says_which_change_it_reflects(client, login_as):
    login_as("FINANCE")
    realtime.notify("test.touch", ["transactions"], rooms=["role:FINANCE"], summary="a change")
    db.session.commit()

    response = client.get("/dashboard/finance/panels/recent")

    assert response.status_code == 200
    assert int(response.headers["X-Live-V"]) == realtime.latest_v() > 0


def test_the_page_names_its_view_and_scope_and_loads_panels_only_through_live_js(client, login_as):
    login_as("SUPER_ADMIN")
    cooperative = factories.two_cooperatives()[0]

    html = client.get(f"/dashboard/leader?cooperative={cooperative.id}").get_data(as_text=True)

    assert 'data-live-view="leader"' in html
    params = json.loads(re.search(r"data-live-params='([^']*)'", html).group(1))
    assert params == {"cooperative": str(cooperative.id)}
    assert 'hx-trigger="load' not in html  # live.js asks for each panel's first answer once it listens
    assert 'id="live-announcer"' in html and 'aria-live="polite"' in html


def test_a_leader_page_has_no_scope_parameters(client, login_as):
    login_as("LEADER")

    html = client.get("/dashboard/leader").get_data(as_text=True)

    assert "data-live-params='{}'" in html
