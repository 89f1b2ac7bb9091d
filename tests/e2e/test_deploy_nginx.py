"""The production topology (deploy/): Debian's nginx in front of two app processes on PostgreSQL + Redis.

A browser on nginx's address sees a change made through either process without reloading; its socket upgraded
to a WebSocket through nginx; long-polling sessions stay on one process; static files never reach Python.
"""

from __future__ import annotations

import re
import shutil
import types

import pytest
import requests
import socketio
from playwright.sync_api import expect

from tests.deploy.nginx import NGINX, STATIC, Nginx
from tests.support.live import (
    DEMO_PASSWORD,
    REDIS_URL,
    Deployment,
    free_port,
    login_session,
    private_postgres_database,
    redis_available,
    require_service,
    socket_client,
    wait_until,
)

pytestmark = pytest.mark.slow  # (and "browser", like everything under e2e/)
LIVE = 10_000  # ms: a loaded 2-core machine shared with other runs


def _nginx_installed() -> None:
    """Raise unless Debian's nginx is installed (.ci/run installs it)."""
    if not shutil.which(NGINX):
        raise FileNotFoundError(f"{NGINX} (apt-get install nginx)")


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    """nginx on a free port in front of two `python wsgi.py` processes sharing PostgreSQL and Redis."""
    require_service("nginx", _nginx_installed)
    require_service("PostgreSQL", lambda: private_postgres_database().__enter__().__class__)
    require_service("Redis", redis_available)
    workdir = tmp_path_factory.mktemp("nginx-topology")
    port = free_port()
    with private_postgres_database() as url:
        deployment = Deployment(workdir, database_url=url, redis_url=REDIS_URL).prepare()
        origin = f"http://127.0.0.1:{port}"  # what the browser's pages and sockets send as Origin
        apps = [deployment.start_server(ALLOWED_ORIGINS=origin) for _ in range(2)]
        nginx = Nginx(workdir, port, [app.port for app in apps])
        try:
            nginx.check()
            nginx.start()
            yield types.SimpleNamespace(deployment=deployment, apps=apps, nginx=nginx)
        finally:
            nginx.stop()
            deployment.stop()


def sign_in_on(page, url: str, local: str, path: str) -> None:
    """Sign in through nginx's login form and open a dashboard until it is live."""
    page.goto(f"{url}/login")
    page.fill("input[name=email]", f"{local}@demo.nogalss.ng")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    expect(page).to_have_url(re.compile(r"/dashboard/"))
    page.goto(f"{url}{path}")
    expect(page.locator("[aria-busy=true]")).to_have_count(0, timeout=15_000)
    expect(page.locator("#conn-badge")).to_have_text("live", timeout=LIVE)


def raise_alert(app, title: str) -> int:
    """Raise an emergency alert through one app process directly (not through nginx); return its id."""
    admin = login_session(app, "super-admin@demo.nogalss.ng")
    body = {"title": title, "message": f"Raised through port {app.port}.", "severity": "CRITICAL"}
    response = admin.post(f"{app.url}/api/admin/emergency-alert", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def take_down(app, alert_id: int) -> None:
    """Take an alert down through one app process directly."""
    admin = login_session(app, "super-admin@demo.nogalss.ng")
    response = admin.patch(f"{app.url}/api/admin/emergency-alert", json={"id": alert_id}, timeout=10)
    assert response.status_code == 200, response.text


def test_a_browser_on_nginx_sees_changes_made_through_either_process(topology, page):
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    sign_in_on(page, topology.nginx.url, "member1", "/dashboard/member")
    assert any("/api/socket/" in url and "transport=websocket" in url for url in sockets), sockets
    banner = page.locator("#alert-banner .alert-banner")
    one, two = topology.apps

    first = raise_alert(one, "Raised through process one")
    expect(banner).to_contain_text("Raised through process one", timeout=LIVE)
    take_down(two, first)
    expect(banner).to_have_count(0, timeout=LIVE)
    raise_alert(two, "Raised through process two")
    expect(banner).to_contain_text("Raised through process two", timeout=LIVE)

    assert page.url == f"{topology.nginx.url}/dashboard/member"  # never reloaded
    assert page.console_errors == []
    page.close()  # nginx logs an upgraded connection when it closes
    upgrades = topology.nginx.log_lines("/api/socket/", containing='transport=websocket HTTP/1.1" 101 ')
    assert upgrades, topology.nginx.access_log.read_text()  # the WebSocket handshake went through nginx


def test_static_files_are_served_by_nginx_and_pages_by_the_app_processes(topology):
    nginx = topology.nginx
    css = requests.get(f"{nginx.url}/static/css/app.css", timeout=10)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert css.headers["X-Content-Type-Options"] == "nosniff" and "max-age=3600" in css.headers["Cache-Control"]
    assert css.content == (STATIC / "css" / "app.css").read_bytes()
    assert requests.get(f"{nginx.url}/static/../config.py", timeout=10).status_code in (400, 404)
    login = requests.get(f"{nginx.url}/login", timeout=10)
    assert login.status_code == 200 and "Content-Security-Policy" in login.headers  # the app's own headers
    static_lines = nginx.log_lines("/static/css/app.css")
    page_lines = nginx.log_lines("/login")
    assert static_lines and all("upstream=- " in line for line in static_lines)  # no process was asked
    app_ports = {f"127.0.0.1:{app.port}" for app in topology.apps}
    assert page_lines and all(re.search(r"upstream=(\S+)", line)[1] in app_ports for line in page_lines)


def test_long_polling_sessions_stick_to_one_process_and_hear_changes_from_the_other(topology):
    entry = types.SimpleNamespace(url=topology.nginx.url)
    session = login_session(entry, "finance@demo.nogalss.ng")
    clients = [socket_client(entry, session, transports=("polling",)) for _ in range(3)]
    assert all(client.connected for client, _ in clients)
    one, two = topology.apps
    raise_alert(one, "Polling check one")
    raise_alert(two, "Polling check two")
    for client, received in clients:
        assert wait_until(lambda received=received: len(received) >= 2, timeout=10), received
        assert all("alerts" in signal["topics"] for signal in received)
        client.disconnect()
    polls = topology.nginx.log_lines("/api/socket/", containing="transport=polling", at_least=6)
    assert len(polls) >= 6 and all('" 200 ' in line for line in polls), polls  # never a process without the session
    assert len({re.search(r"upstream=(\S+)", line)[1] for line in polls}) == 1  # one client address, one process


def test_without_ip_hash_long_polling_breaks_which_is_why_the_site_has_it(topology):
    """The control: the same site minus `ip_hash` (round robin) loses polling sessions between processes."""
    port = free_port()
    plain = Nginx(topology.nginx.workdir / "round-robin", port, [app.port for app in topology.apps], sticky=False)
    plain.start()
    try:
        entry = types.SimpleNamespace(url=plain.url)
        session = login_session(entry, "finance@demo.nogalss.ng")
        # The apps accept the sticky nginx's origin only; presenting it leaves the load balancing as the one change.
        with pytest.raises(socketio.exceptions.ConnectionError):
            socket_client(entry, session, origin=topology.nginx.url, transports=("polling",))
        polls = plain.log_lines("/api/socket/", containing='" 400 ')
        assert polls, plain.access_log.read_text()  # a process that never saw the session refused it
    finally:
        plain.stop()
