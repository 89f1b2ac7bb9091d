"""Flask extensions, created unbound and initialised in create_app(); the database engine's outage settings.

The engine never waits on a database longer than configured: a connect timeout, a server-side statement timeout,
and — under gevent or eventlet, where one stuck query would otherwise hold its request for ever when the database
goes silent — a client-side deadline on every statement, connect and pre-ping that raises `DatabaseUnavailable` and
throws the connection away. Under eventlet, PostgreSQL goes through psycopg2 with a green wait callback, because
psycopg 3 does not yield to eventlet's hub (one lock wait froze the whole process).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, make_url

# Stable constraint names so migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
DEADLINE_GRACE_SECONDS = 2.0  # the client-side deadline lets the server's statement_timeout answer first
PING_DEADLINE_SECONDS = 2.0  # a pooled connection that does not answer SELECT 1 this fast is replaced


class DatabaseUnavailable(Exception):
    """The database did not answer within its deadline."""


def green_library() -> str | None:
    """Return 'gevent' or 'eventlet' when that library has patched the standard library's sockets."""
    if "gevent.monkey" in sys.modules and sys.modules["gevent.monkey"].is_module_patched("socket"):
        return "gevent"
    if "eventlet.patcher" in sys.modules and sys.modules["eventlet.patcher"].is_monkey_patched("socket"):
        return "eventlet"
    return None


@contextmanager
def deadline(seconds: float | None, what: str = "the database"):
    """Raise DatabaseUnavailable in this green thread if the block takes longer (no-op outside gevent/eventlet)."""
    library = green_library() if seconds else None
    if library is None:
        yield
        return
    error = DatabaseUnavailable(f"{what} did not answer within {seconds:g} s")
    if library == "gevent":
        import gevent

        timer = gevent.Timeout(seconds, error)
        timer.start()
    else:
        import eventlet

        timer = eventlet.Timeout(seconds, error)
    try:
        yield
    finally:
        timer.cancel()


class Database(SQLAlchemy):
    """Flask-SQLAlchemy whose engines carry the outage settings of the app's configuration."""

    def _make_engine(self, bind_key, options, app):
        """Create the engine with timeouts, the driver for the async mode, and deadlines."""
        options = dict(options)
        url = options["url"] = make_url(options["url"])
        if url.get_backend_name() == "postgresql":
            options["url"] = _driver_for(url, app.config.get("SOCKETIO_ASYNC_MODE"))
            options["connect_args"] = {**_postgres_connect_args(app.config), **options.get("connect_args", {})}
            options.setdefault("pool_timeout", app.config.get("DATABASE_CONNECT_TIMEOUT_SECONDS", 3) + 2)
        engine = super()._make_engine(bind_key, options, app)
        if url.get_backend_name() == "postgresql":
            _install_deadlines(engine, app.config)
        return engine


def _driver_for(url, async_mode: str | None):
    """Use psycopg2 (made green) under eventlet, psycopg 3 otherwise."""
    if async_mode == "eventlet":
        if green_library() == "eventlet":
            from eventlet.support import psycopg2_patcher

            psycopg2_patcher.make_psycopg_green()
        return url.set(drivername="postgresql+psycopg2")
    return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url


def _postgres_connect_args(config) -> dict:
    """libpq settings: connect timeout, statement timeout, and keepalives that notice a vanished peer."""
    args = {
        "connect_timeout": max(2, int(config.get("DATABASE_CONNECT_TIMEOUT_SECONDS", 3))),
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 3,
        "keepalives_count": 3,
    }
    statement_ms = int(config.get("DATABASE_STATEMENT_TIMEOUT_MS", 10_000))
    if statement_ms:
        args["options"] = f"-c statement_timeout={statement_ms}"
    return args


def _install_deadlines(engine: Engine, config) -> None:
    """Bound every statement, connect and pre-ping of a green server process by a client-side deadline."""
    statement_ms = int(config.get("DATABASE_STATEMENT_TIMEOUT_MS", 10_000))
    statement_s = statement_ms / 1000 + DEADLINE_GRACE_SECONDS if statement_ms else None
    connect_s = max(2, int(config.get("DATABASE_CONNECT_TIMEOUT_SECONDS", 3))) + 1.0

    @event.listens_for(engine, "before_cursor_execute")
    def _arm(conn, cursor, statement, parameters, context, executemany):
        timer = deadline(statement_s, "a database statement")
        timer.__enter__()
        conn.info.setdefault("deadlines", []).append(timer)

    @event.listens_for(engine, "after_cursor_execute")
    def _disarm(conn, cursor, statement, parameters, context, executemany):
        _disarm_all(conn)

    @event.listens_for(engine, "handle_error")
    def _on_error(ctx):
        if ctx.connection is not None:
            _disarm_all(ctx.connection)
        if isinstance(ctx.original_exception, DatabaseUnavailable):
            ctx.is_disconnect = True  # the connection is mid-statement: throw it (and its pool) away

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, conn_rec, cargs, cparams):
        with deadline(connect_s, "the database connection"):
            return dialect.connect(*cargs, **cparams)

    ping = engine.dialect.do_ping

    def _ping(dbapi_connection):
        try:
            with deadline(PING_DEADLINE_SECONDS, "the database ping"):
                return ping(dbapi_connection)
        except Exception as exc:
            # The driver's clean-up after the interrupted ping fails in its own way: report the deadline instead.
            if isinstance(exc.__context__, DatabaseUnavailable):
                raise exc.__context__ from None
            raise

    engine.dialect.do_ping = _ping


def _disarm_all(conn) -> None:
    for timer in conn.info.pop("deadlines", []):
        timer.__exit__(None, None, None)


db = Database(metadata=MetaData(naming_convention=NAMING_CONVENTION))


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """On SQLite: enforce foreign keys, let readers run beside a writer (WAL), wait instead of failing on locks."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
socketio = SocketIO()
