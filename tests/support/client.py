"""The Flask test client as a signed-in user: sign in, send JSON writes, post forms with the page's CSRF token."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import PASSWORD


def sign_in(client: FlaskClient, user, password: str = PASSWORD) -> FlaskClient:
    """Sign an existing user in on the client and keep their CSRF token as `client.csrf_token`; return the client."""
    response = client.post("/api/auth/login", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_data(as_text=True)
    client.csrf_token = response.get_json()["csrf_token"]
    return client


def send(client: FlaskClient, method: str, url: str, json=None, *, csrf: bool = True, **kwargs):
    """Send a JSON request with the client's CSRF header (or none, csrf=False)."""
    headers = {"X-CSRFToken": getattr(client, "csrf_token", "")} if csrf else {}
    return client.open(url, method=method, json=json, headers=headers, **kwargs)


def post_form(client: FlaskClient, url: str, data: dict | None = None, *, csrf: bool = True):
    """Post a panel form as htmx does: its fields, and the page's CSRF token in the X-CSRFToken header (a panel
    fragment carries no token of its own)."""
    headers = {"HX-Request": "true"}
    if csrf:
        headers["X-CSRFToken"] = client.csrf_token
    return client.post(url, data=dict(data or {}), headers=headers)


def submit(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """Post a page's form as the browser does, with the page's hidden CSRF token."""
    return client.post(url, data={"csrf_token": client.csrf_token, **(data or {})}, **kwargs)


def text(response) -> str:
    """Return the response body as text."""
    return response.get_data(as_text=True)
