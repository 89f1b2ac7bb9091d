"""Read a dashboard as its two kinds of client do: the JSON figures, and one panel's HTML fragment."""

from __future__ import annotations

from flask.testing import FlaskClient


def dashboard_stats(api: str, client: FlaskClient, query: str = "") -> dict:
    """Return /api/<api>/dashboard-stats (asserting a 200)."""
    response = client.get(f"/api/{api}/dashboard-stats{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def panel_fragment(dashboard: str, client: FlaskClient, name: str, query: str = "") -> str:
    """Return the HTML of /dashboard/<dashboard>/panels/<name> (asserting a 200)."""
    response = client.get(f"/dashboard/{dashboard}/panels/{name}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)
