"""Configuration classes read from the environment (SPEC §8): every key the app reads is declared here once.

Importing this module reads the environment and nothing else (it writes no file): the development secret in
`instance/` is made when a development app is created (`development_secret_key`, called by create_app).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_list(name: str, default: str = "") -> list[str]:
    """Split a comma-separated environment variable into a clean list."""
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _env_flag(name: str, default: bool) -> bool:
    """Read a yes/no environment variable (1, true, yes, on); unset means the default."""
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in ("1", "true", "yes", "on")


def _normalise_db_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgres URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def development_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return the per-checkout secret kept in instance/ (made on first use) so dev sessions survive restarts."""
    instance_dir.mkdir(exist_ok=True)
    path = instance_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Settings shared by every environment, with their defaults."""

    # development, testing or production (NOGALSS_ENV picks the class; see config_from_env).
    ENV_NAME = "development"
    # Signs sessions and CSRF tokens. Required in production; a development app makes one in instance/.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # The database: SQLite in instance/ by default, PostgreSQL for production (psycopg 3 driver).
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'nogalss.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Production refuses SQLite (one process, no concurrent writers) unless this is set: a demo box only.
    ALLOW_SQLITE_IN_PRODUCTION = _env_flag("ALLOW_SQLITE_IN_PRODUCTION", False)
    # Socket.IO message queue for several processes; unset = one process, no queue.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # Redis pub/sub channel of the Socket.IO message queue; separate deployments (or test runs) on one Redis differ.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL", "nogalss-socketio")
    # gevent (default, measured best for fan-out), eventlet or threading.
    SOCKETIO_ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE", "gevent")
    # Where `make run` listens.
    HOST = os.environ.get("HOST", "127.0.0.1")
    # Read buffer of each connection of `python wsgi.py` under gevent (gevent's default is 8 KB, held for as long as
    # the connection is open); larger requests and frames are still read whole. See bench/README.md, "Memory".
    SERVER_READ_BUFFER_BYTES = int(os.environ.get("SERVER_READ_BUFFER_BYTES", "2048"))
    PORT = int(os.environ.get("PORT", "5000"))
    # How many reverse proxies (load balancer, nginx) stand in front of the app: their X-Forwarded-For and
    # X-Forwarded-Proto are believed for that many hops (werkzeug ProxyFix). 0 = the socket's peer is the client.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # The origin of absolute links handed to the gateway and the browser (callback, checkout), e.g.
    # https://dashboards.nogalss.ng; never the request's Host. Empty = http://HOST:PORT (development).
    PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or "").rstrip("/") or None
    # Origins allowed to open Socket.IO connections (`*` is refused); empty = the server's own origin.
    ALLOWED_ORIGINS = _env_list("ALLOWED_ORIGINS")

    # Live updates: the dispatcher runs in the server process; signals per room are merged for WINDOW_MS after
    # the first one, and sent at the latest MAX_WAIT_MS after it.
    REALTIME_BACKGROUND = True
    REALTIME_WINDOW_MS = 100
    REALTIME_MAX_WAIT_MS = 500

    # Payments: Paystack with a secret key; without one, the built-in sandbox checkout (offline).
    PAYSTACK_SECRET_KEY = os.environ.get("PAYSTACK_SECRET_KEY") or None
    PAYSTACK_BASE_URL = os.environ.get("PAYSTACK_BASE_URL", "https://api.paystack.co")
    # Timeout of each call to Paystack, in seconds.
    PAYSTACK_TIMEOUT_SECONDS = int(os.environ.get("PAYSTACK_TIMEOUT_SECONDS", "10"))
    # Whether the sandbox may stand in when no Paystack key is set (never for real money: off in production).
    PAYMENTS_SANDBOX_ALLOWED = _env_flag("PAYMENTS_SANDBOX_ALLOWED", True)

    # Password of every demo account (`flask seed-demo`).
    DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")

    # Requests: JSON and forms are small; anything larger is refused with 413.
    MAX_CONTENT_LENGTH = 64 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # staff keep pages open all day; the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]

    # Login throttling: failures counted in a sliding window.
    LOGIN_WINDOW_SECONDS = 15 * 60
    LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 5
    LOGIN_MAX_FAILURES_PER_CLIENT = 10
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 50

    # Public registration: attempts per client address in a sliding window (each costs an argon2 hash), and how
    # long a registration may wait for its fee before it expires (the job expire-pending-registrations).
    REGISTRATION_WINDOW_SECONDS = 60
    REGISTRATION_MAX_PER_CLIENT = 10
    REGISTRATION_EXPIRE_EVERY_SECONDS = float(os.environ.get("REGISTRATION_EXPIRE_EVERY_SECONDS", "600"))

    # argon2id cost of password hashes.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 2

    # Database outages (PostgreSQL): nothing waits for ever on a database that refuses or stops answering.
    # Seconds to open a connection; libpq's minimum is 2.
    DATABASE_CONNECT_TIMEOUT_SECONDS = int(os.environ.get("DATABASE_CONNECT_TIMEOUT_SECONDS", "3"))
    # Server-side limit per statement (0 = none); under gevent/eventlet a client-side deadline 2 s later also
    # ends a statement whose answer never comes (database silent).
    DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "10000"))
    # /healthz gives the database this long to answer SELECT 1.
    HEALTHZ_TIMEOUT_SECONDS = float(os.environ.get("HEALTHZ_TIMEOUT_SECONDS", "2"))

    # Real-time delivery (SPEC §6). Coalescing window and maximum wait of a flush of signals.
    REALTIME_WINDOW_MS = int(os.environ.get("REALTIME_WINDOW_MS", "100"))
    REALTIME_MAX_WAIT_MS = int(os.environ.get("REALTIME_MAX_WAIT_MS", "500"))
    # Each server process reads the ChangeLog at least this often, queue or no queue (a queue outage costs this).
    REALTIME_POLL_MS = int(os.environ.get("REALTIME_POLL_MS", "1000"))
    # A socket whose unsent packets exceed this (a client that stopped reading) is disconnected; it syncs on return.
    REALTIME_CLIENT_QUEUE_MAX = int(os.environ.get("REALTIME_CLIENT_QUEUE_MAX", "64"))
    # List the ChangeLog ids a signal covers (`ids`), so fault tests and the soak can prove nothing lost or doubled.
    REALTIME_SIGNAL_IDS = os.environ.get("REALTIME_SIGNAL_IDS") == "1"
    # Render each changed panel once per view and push it with the event (`dashboard:panels`); 0: signals only.
    REALTIME_PUSH = os.environ.get("REALTIME_PUSH", "1") != "0"
    # Bytes of rendered fragments kept for every viewer of a scope (LRU; 0 turns the cache off), and ETag/304.
    FRAGMENT_CACHE_BYTES = int(os.environ.get("FRAGMENT_CACHE_BYTES", str(16 * 1024 * 1024)))
    FRAGMENT_ETAGS = os.environ.get("FRAGMENT_ETAGS", "1") != "0"
    # Per-socket event throttle (token bucket), then disconnection of a socket that keeps flooding.
    SOCKET_EVENTS_PER_SECOND = float(os.environ.get("SOCKET_EVENTS_PER_SECOND", "5"))
    SOCKET_EVENTS_BURST = int(os.environ.get("SOCKET_EVENTS_BURST", "20"))
    SOCKET_EVENTS_REFUSED_BEFORE_DISCONNECT = int(os.environ.get("SOCKET_EVENTS_REFUSED_BEFORE_DISCONNECT", "50"))

    # Periodic jobs (ChangeLog pruning, ...): run inside each server process unless an external scheduler runs
    # `flask --app wsgi jobs run-once` (then set JOBS_IN_SERVER=0).
    JOBS_IN_SERVER = os.environ.get("JOBS_IN_SERVER", "1") != "0"
    CHANGELOG_RETENTION_DAYS = float(os.environ.get("CHANGELOG_RETENTION_DAYS", "7"))
    CHANGELOG_PRUNE_EVERY_SECONDS = float(os.environ.get("CHANGELOG_PRUNE_EVERY_SECONDS", "3600"))


class DevelopmentConfig(Config):
    """The embedded default: SQLite in instance/, one process, demo data allowed."""


class TestingConfig(Config):
    """Used by the test suite; the database comes from TEST_DATABASE_URL or in-memory SQLite."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    ALLOWED_ORIGINS = ["http://localhost", "http://127.0.0.1"]
    PUBLIC_BASE_URL = "http://localhost"  # the test client's own origin
    SOCKETIO_ASYNC_MODE = "threading"
    # Tests drive the dispatcher by hand; live-server tests run the real loop.
    REALTIME_BACKGROUND = False
    # Factories write rows without ChangeLog changes, so tests keep no fragments (the cache tests turn it on).
    FRAGMENT_CACHE_BYTES = 0
    FRAGMENT_ETAGS = False
    # Fast hashes keep the suite quick; production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    """PostgreSQL, Redis, several processes; secrets must come from the environment."""

    ENV_NAME = "production"
    # Without a Paystack key, production refuses payments rather than letting anyone "pay" in the sandbox.
    PAYMENTS_SANDBOX_ALLOWED = _env_flag("PAYMENTS_SANDBOX_ALLOWED", False)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Pick the configuration class named by NOGALSS_ENV (default development)."""
    name = os.environ.get("NOGALSS_ENV", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"NOGALSS_ENV must be one of {', '.join(CONFIGS)}")
    return CONFIGS[name]
