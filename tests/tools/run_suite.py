"""Run the suite on SQLite, then again on PostgreSQL (mandatory under CI=true, skipped with a reason otherwise)."""

from __future__ import annotations

import os
import subprocess
import sys

PG_URL = os.environ.get("PG_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"


def postgres_reachable(url: str) -> bool:
    """Return True when a connection to the PostgreSQL test database succeeds."""
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3):
            return True
    except Exception as exc:  # any failure means "not reachable" here
        print(f"PostgreSQL at {url} not reachable: {exc}")
        return False


def pytest(extra_env: dict[str, str], *args: str) -> int:
    """Run pytest with extra environment variables; return its exit code."""
    env = {**os.environ, **extra_env}
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main() -> int:
    """Run both passes and fail if either fails (or PostgreSQL is missing under CI)."""
    print("== pass 1: SQLite (embedded default), including browser tests", flush=True)
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    first = subprocess.call([sys.executable, "-m", "pytest", *sys.argv[1:]], env=env)
    if not postgres_reachable(PG_URL):
        if IN_CI:
            print("CI=true: PostgreSQL is mandatory and was not reachable; failing.")
            return 1
        print("SKIPPED pass 2: PostgreSQL not reachable (it runs under CI=true).")
        return first
    print("== pass 2: PostgreSQL", flush=True)
    second = pytest({"TEST_DATABASE_URL": PG_URL}, "-m", "not browser", *sys.argv[1:])
    return first or second


if __name__ == "__main__":
    sys.exit(main())
