"""Absolute links from PUBLIC_BASE_URL (SPEC §5 Payments; BAD_INPUTS 28): a forged Host or X-Forwarded-Host on a
contribution or a registration never moves the checkout link or the gateway's callback off the public origin.
"""

from __future__ import annotations

import pytest

from nogalss_app import trust_proxies
from nogalss_app.models import Role
from tests import factories
from tests.support.sign_ups import member_data

PUBLIC = "https://dashboards.nogalss.test"
FORGED = [{"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"}, {"Host": "evil.example:8443"}]


@pytest.fixture(autouse=True)
def public_origin(app, monkeypatch):
    """The deployment's public origin, behind one trusted proxy (which must still not lend it a Host)."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)
    trust_proxies(app)


def share_session_with_forged_host(client) -> None:
    """Copy the session cookie to evil.example: the client's jar keeps it for localhost only."""
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")


def contribute(client, headers: dict):
    """Start a contribution through the JSON API with extra headers."""
    share_session_with_forged_host(client)
    return client.post(
        "/api/member/contribute",
        json={"amount_kobo": 5_000_00},
        headers={"X-CSRFToken": client.csrf_token, **headers},
    )


@pytest.mark.parametrize("forged", FORGED)
def test_a_contribution_with_a_forged_host_still_links_to_the_public_origin(client, login_as, forged):
    login_as(Role.MEMBER)

    response = contribute(client, forged)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["authorization_url"].startswith(f"{PUBLIC}/sandbox/checkout/")


@pytest.mark.parametrize("forged", FORGED)
def test_the_gateway_is_handed_a_callback_on_the_public_origin(client, login_as, paystack, forged):
    login_as(Role.MEMBER)

    assert contribute(client, forged).status_code == 201

    initialize = [seen for seen in paystack.seen if seen.path.endswith("/transaction/initialize")]
    assert initialize and initialize[-1].body["callback_url"] == f"{PUBLIC}/api/payments/verify"


@pytest.mark.parametrize("forged", FORGED)
def test_a_registration_with_a_forged_host_still_links_to_the_public_origin(client, forged):
    coop = factories.cooperative()
    token = client.get("/api/auth/register").get_json()["csrf_token"]
    share_session_with_forged_host(client)

    response = client.post(
        "/api/auth/register",
        json={"kind": "member", **member_data(coop)},
        headers={"X-CSRFToken": token, **forged},
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["authorization_url"].startswith(f"{PUBLIC}/sandbox/checkout/")


def test_the_registration_page_sends_the_browser_to_the_public_checkout(client):
    coop = factories.cooperative()
    form = {**member_data(coop), "csrf_token": client.get("/api/auth/register").get_json()["csrf_token"]}

    response = client.post("/register/member", data=form, headers={"X-Forwarded-Host": "evil.example"})

    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{PUBLIC}/sandbox/checkout/NGS-FEE-")
