"""Real servers for tests: migrated, seeded databases and `python wsgi.py` processes on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-pass-2026"
PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
IN_CI = os.environ.get("CI") == "true"


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, process: subprocess.Popen | None = None) -> None:
    """Wait until something listens on 127.0.0.1:port (fail early if the process died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"server did not listen on {port} within {timeout}s")


def require_service(name: str, check) -> None:
    """Skip (locally) or fail (CI) when a real service the test needs is not reachable."""
    try:
        check()
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"{name} is required under CI=true and is not reachable: {exc}")
        pytest.skip(f"{name} not reachable: {exc}")


def redis_available() -> None:
    """Raise unless Redis answers."""
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()


@contextmanager
def private_postgres_database():
    """Create a throwaway PostgreSQL database; yield its URL; drop it."""
    import psycopg

    name = f"nogalss_live_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Deployment:
    """One database (migrated and seeded) served by one or more server processes."""

    def __init__(
        self, workdir: Path, database_url: str | None = None, redis_url: str | None = None, async_mode: str = "gevent"
    ) -> None:
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "REDIS_URL")}
        self.env.update(
            {
                "NOGALSS_ENV": "development",
                "DATABASE_URL": database_url or f"sqlite:///{workdir / 'live.sqlite3'}",
                "SECRET_KEY": "live-test-secret",
                "HOST": "127.0.0.1",
                "SOCKETIO_ASYNC_MODE": async_mode,
                "DEMO_PASSWORD": DEMO_PASSWORD,
                "PYTHONWARNINGS": "ignore::DeprecationWarning",
            }
        )
        if redis_url:
            self.env["REDIS_URL"] = redis_url
            # A channel of its own: other runs on the machine's shared Redis never reach this deployment.
            self.env["SOCKETIO_CHANNEL"] = f"nogalss-test-{uuid.uuid4().hex[:10]}"
        self.servers: list[Server] = []
        self.seed_output = ""

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run a flask CLI command against this deployment's database (and queue)."""
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            check=check,
        )

    def prepare(self) -> Deployment:
        """Migrate and seed, as `make run` does on first start."""
        self.flask("db", "upgrade")
        self.seed_output = self.flask("seed-demo", "--if-empty").stdout
        return self

    def start_server(self, command: list[str] | None = None, **extra_env: str) -> Server:
        """Start one more server process on a free port (`python wsgi.py`, or the given command)."""
        server = Server(self, free_port(), extra_env, command)
        server.start()
        self.servers.append(server)
        return server

    def stop(self) -> None:
        """Stop every server process."""
        for server in self.servers:
            server.stop()


class Server:
    """A `python wsgi.py` process."""

    def __init__(
        self, deployment: Deployment, port: int, extra_env: dict[str, str], command: list[str] | None = None
    ) -> None:
        self.deployment = deployment
        self.command = [part.replace("{port}", str(port)) for part in command] if command else None
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**deployment.env, **extra_env, "PORT": str(port)}
        self.log = deployment.workdir / f"server-{port}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start and wait until it listens."""
        self.process = subprocess.Popen(
            self.command or [sys.executable, "wsgi.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(self.port, process=self.process)
        except Exception:
            raise RuntimeError(f"server failed to start:\n{self.log.read_text()[-3000:]}") from None

    def stop(self) -> None:
        """Stop the process."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def login_session(server: Server, email: str, password: str = DEMO_PASSWORD):
    """Return a requests.Session signed in on the server, with its CSRF token as `.csrf`."""
    import requests

    session = requests.Session()
    response = session.post(f"{server.url}/api/auth/login", json={"email": email, "password": password}, timeout=10)
    response.raise_for_status()
    session.csrf = response.json()["csrf_token"]
    session.headers["X-CSRFToken"] = session.csrf
    return session


def socket_client(server: Server, session, origin: str | None = None, transports=("websocket",)):
    """Connect a python-socketio client with the session's cookie; return (client, list of updates)."""
    import socketio

    received: list[dict] = []
    client = socketio.Client(reconnection=False)
    client.on("dashboard:update", received.append)
    # The same User-Agent as the HTTP session: sessions are bound to it (Flask-Login "strong" protection).
    headers = {
        "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies),
        "User-Agent": session.headers["User-Agent"],
    }
    if origin:  # otherwise the clients send the server's own origin, as a browser on that page does
        headers["Origin"] = origin
    client.connect(
        server.url, socketio_path="/api/socket", transports=list(transports), wait_timeout=10, headers=headers
    )
    return client, received


def wait_until(predicate, timeout: float = 5.0, interval: float = 0.05) -> bool:
    """Poll a condition in the test (never in the product) until it holds or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture(scope="session")
def seeded_deployment(tmp_path_factory):
    """A SQLite deployment, migrated and seeded as `make run` does, served by one gevent process."""
    deployment = Deployment(tmp_path_factory.mktemp("live")).prepare()
    deployment.start_server()
    yield deployment
    deployment.stop()


@pytest.fixture(scope="module")
def module_deployment(tmp_path_factory):
    """A seeded SQLite deployment of one test module's own (its changes cannot disturb other modules)."""
    deployment = Deployment(tmp_path_factory.mktemp("module-live")).prepare()
    deployment.start_server()
    yield deployment
    deployment.stop()


# The Procfile's web command, bound to loopback ({port} is filled in per server).
GUNICORN = [
    sys.executable,
    "-m",
    "gunicorn",
    "-k",
    "geventwebsocket.gunicorn.workers.GeventWebSocketWorker",
    "-w",
    "1",
    "--bind",
    "127.0.0.1:{port}",
    "--no-control-socket",  # gunicorn 27's control socket has one path per user: parallel servers would collide
    "wsgi:app",
]


JOB_PRELUDE = """
import sys
from nogalss_app import create_app
from nogalss_app.services import realtime
app = create_app()
ctx = app.app_context()
ctx.push()
realtime.outside_server(app)
from nogalss_app.extensions import db
from nogalss_app.models import User
def user_id(local):
    return db.session.scalar(db.select(User.id).where(User.email == local + "@demo.nogalss.ng"))
"""


def run_job(deployment: Deployment, body: str) -> str:
    """Run Python against the deployment's database in a separate process, as a background job would."""
    result = subprocess.run(
        [sys.executable, "-c", JOB_PRELUDE + body],
        cwd=ROOT,
        env=deployment.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def contribute(deployment: Deployment, local: str, naira: int, times: int = 1) -> None:
    """Record `times` successful contributions of `naira` for a demo member, through the payment path."""
    run_job(
        deployment,
        f"""
from nogalss_app.services import contributions, payments
for _ in range({times}):
    p = contributions.start_contribution(user_id({local!r}), {naira * 100})
    payments.confirm_payment(p.reference, amount_kobo=p.amount_kobo, currency="NGN", gateway_status="success")
""",
    )
