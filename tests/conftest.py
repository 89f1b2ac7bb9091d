"""Fixtures: app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), a clean database per test, login_as."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from sqlalchemy.pool import StaticPool

os.environ.setdefault("NOGALSS_ENV", "testing")

from config import TestingConfig  # noqa: E402
from nogalss_app import create_app  # noqa: E402
from nogalss_app.extensions import db  # noqa: E402

from . import factories  # noqa: E402
from .support.client import sign_in  # noqa: E402

IN_CI = os.environ.get("CI") == "true"
pytest_plugins = ["tests.support.live", "tests.support.payments", "tests.support.seeded"]


def _engine_options(url: str) -> dict:
    """Share one in-memory SQLite connection across threads; pre-ping elsewhere."""
    if url.startswith("sqlite"):
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    return {"pool_pre_ping": True}


def using_postgres() -> bool:
    """Return True when this run tests against PostgreSQL."""
    return TestingConfig.SQLALCHEMY_DATABASE_URI.startswith("postgresql")


@pytest.fixture(scope="session")
def database_url():
    """Return the database of this run: in-memory SQLite, or a private PostgreSQL database made for the run.

    A private database per run means two runs (two engineers, or CI beside a developer) never share tables.
    """
    url = TestingConfig.SQLALCHEMY_DATABASE_URI
    if not url.startswith("postgresql"):
        yield url
        return
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"nogalss_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh app context, as in a real server.

    Tests hold an app context open; without this, requests would reuse it and share `g` (and Flask-Login's
    cached user) with each other and with the test.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url):
    """Create the app once per test session with a fresh schema."""
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(database_url),
        # A channel of the run's own: with REDIS_URL, two runs (or one run a minute after another) on one Redis
        # must not share queue messages or the pushed fragments' render claims, which are keyed by it.
        SOCKETIO_CHANNEL=f"nogalss-test-{uuid.uuid4().hex[:10]}",
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Run every test inside an app context and leave the database empty afterwards."""
    from nogalss_app import sockets
    from nogalss_app.services.realtime import dispatcher

    with app.app_context():
        yield
        db.session.remove()
        _empty_tables()
        dispatcher.reset()
        sockets.reset_registry()


def _empty_tables() -> None:
    """Delete every row (TRUNCATE on PostgreSQL) so tests never see each other's data."""
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    """A test client with its own cookie jar."""
    return app.test_client()


@pytest.fixture
def login_as(client):
    """Create a user of the role (with a cooperative where the role needs one) and sign the client in."""

    def _login(role: str, **fields):
        user = factories.user(role=role, **fields)
        sign_in(client, user)
        return user

    return _login


def pytest_collection_modifyitems(config, items):
    """Run PostgreSQL-only tests in the PostgreSQL pass only; under CI=true a skip is a failure."""
    if not using_postgres():
        postgres_only = [item for item in items if item.get_closest_marker("postgres")]
        if postgres_only:
            config.hook.pytest_deselected(items=postgres_only)
            items[:] = [item for item in items if not item.get_closest_marker("postgres")]
    if IN_CI:
        config.pluginmanager.register(_NoSkipsInCI(), "no-skips-in-ci")


class _NoSkipsInCI:
    """Fail the run when any test skips under CI=true."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.skipped and not hasattr(report, "wasxfail"):
            report.outcome = "failed"
            report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"
