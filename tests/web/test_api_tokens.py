"""Bearer API tokens: act as their owner on /api/ only, hashed at rest, revocable."""

from __future__ import annotations

import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import ApiToken, Role
from nogalss_app.services import api_tokens
from tests import factories


def bearer(secret: str) -> dict[str, str]:
    """Return the Authorization header for a token."""
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_acts_as_its_owner_on_the_json_api(client):
    admin = factories.user(role=Role.SUPER_ADMIN)
    finance = factories.user(role=Role.FINANCE)
    _, secret = api_tokens.create_token(finance.id, "nightly export", actor_id=admin.id)
    assert client.get("/api/finance/dashboard-stats", headers=bearer(secret)).status_code == 200
    assert client.get("/api/admin/dashboard-stats", headers=bearer(secret)).status_code == 403
    row = db.session.scalar(sa.select(ApiToken))
    assert row.last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(client):
    admin = factories.user(role=Role.SUPER_ADMIN)
    row, secret = api_tokens.create_token(admin.id, "ops", actor_id=admin.id)
    stored = db.session.execute(sa.text("SELECT token_hash, prefix FROM api_tokens")).one()
    assert secret not in stored.token_hash and stored.token_hash == api_tokens.digest(secret)
    assert len(stored.prefix) == 12 and secret.startswith(stored.prefix)


def test_revoked_unknown_and_malformed_tokens_get_401_in_the_error_shape(client):
    admin = factories.user(role=Role.SUPER_ADMIN)
    row, secret = api_tokens.create_token(admin.id, "ops", actor_id=admin.id)
    api_tokens.revoke_token(row.id, actor_id=admin.id)
    for value in (secret, "ngs_not-a-real-token", "x" * 500, ""):
        response = client.get("/api/admin/dashboard-stats", headers=bearer(value))
        assert response.status_code == 401, value
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_token_of_a_deactivated_user_stops_working(client):
    admin = factories.user(role=Role.SUPER_ADMIN)
    finance = factories.user(role=Role.FINANCE)
    _, secret = api_tokens.create_token(finance.id, "export", actor_id=admin.id)
    finance.is_active = False
    db.session.commit()
    assert client.get("/api/finance/dashboard-stats", headers=bearer(secret)).status_code == 401


def test_tokens_do_not_open_html_pages(client):
    admin = factories.user(role=Role.SUPER_ADMIN)
    _, secret = api_tokens.create_token(admin.id, "ops", actor_id=admin.id)
    assert client.get("/dashboard/super-admin", headers=bearer(secret)).status_code == 401


def test_a_bad_token_is_refused_even_with_a_valid_session_cookie(client, login_as):
    login_as(Role.FINANCE)
    assert client.get("/api/finance/dashboard-stats").status_code == 200
    assert client.get("/api/finance/dashboard-stats", headers=bearer("ngs_forged")).status_code == 401


def test_creating_a_token_for_an_inactive_or_unknown_user_is_refused():
    admin = factories.user(role=Role.SUPER_ADMIN)
    for user_id, name in ((999_999, "x"), (admin.id, ""), ("1", "x"), (True, "x")):
        try:
            api_tokens.create_token(user_id, name, actor_id=admin.id)
        except Exception as exc:
            assert getattr(exc, "status", None) == 422
        else:
            raise AssertionError(f"accepted {user_id!r}, {name!r}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0
