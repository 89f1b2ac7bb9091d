"""Soak: minutes of mixed changes with hundreds of sockets; reports duplicates, lost changes, memory, descriptors.

    .venv/bin/python -m bench.soak [--minutes 10] [--sockets 200] [--rate 4] [--sqlite]

The production path by default: a private PostgreSQL database, a Redis of its own (killed and restarted once in
the middle), two `python wsgi.py` gevent processes with the sockets spread over both, the ChangeLog pruned every
30 s with a retention of about 90 s. Everything runs on 127.0.0.1 and stops (by PID) at the end. Exit status 1
when a change was lost or doubled. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.faults import SIGNAL_IDS, Listener, RedisServer  # noqa: E402
from tests.support.live import Deployment, login_session, private_postgres_database  # noqa: E402

ACCOUNTS = [  # (account, rooms its sockets are in besides user:<id> and everyone)
    ("finance", ["role:FINANCE"]),
    ("super-admin", ["role:SUPER_ADMIN"]),
    ("apex", ["role:APEX"]),
    *[(f"leader{n}", ["role:LEADER", f"coop:{n}"]) for n in range(1, 6)],
    *[(f"member{n}", ["role:MEMBER"]) for n in range(1, 11)],
]
SERVER_ENV = {
    **SIGNAL_IDS,
    "CHANGELOG_RETENTION_DAYS": str(90 / 86400),
    "CHANGELOG_PRUNE_EVERY_SECONDS": "30",
}


def main() -> int:
    """Run the soak and print its report."""
    args = _arguments()
    with ExitStack() as stack:
        deployment, redis = _deploy(stack, args)
        url = deployment.env["DATABASE_URL"]
        print(f"soak: {args.minutes} min, {args.sockets} sockets, {args.rate} changes/s on {_describe(deployment)}")
        listeners = _connect(deployment, args.sockets)
        rows: dict[int, set[str]] = {}
        samples: list[dict] = []
        stop = threading.Event()
        writer = threading.Thread(target=_write_changes, args=(deployment, args.rate, stop), daemon=True)
        writer.start()
        end = time.monotonic() + args.minutes * 60
        outage_at = time.monotonic() + args.minutes * 30 if redis else None
        while time.monotonic() < end:
            _record_rows(url, rows)
            if outage_at and time.monotonic() >= outage_at:
                outage_at = None
                redis.stop()
                print("  redis killed for 10 s", flush=True)
                time.sleep(10)
                redis.start()
            if not samples or time.monotonic() - samples[-1]["t"] >= 30:
                samples.append(_sample(deployment, url, rows))
                print(_sample_line(samples[-1], samples[0]), flush=True)
            time.sleep(2)
        stop.set()
        writer.join(timeout=30)
        time.sleep(5)  # the last flushes
        _record_rows(url, rows)
        samples.append(_sample(deployment, url, rows))
        report = _report(listeners, rows, samples, writer_stats)
        print(json.dumps(report, indent=2))
        for listener in listeners:
            listener.disconnect()
        return 0 if report["lost"] == 0 and report["duplicates"] == 0 else 1


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--rate", type=float, default=4.0, help="changes per second")
    parser.add_argument("--sqlite", action="store_true", help="embedded mode: SQLite, one process, no queue")
    return parser.parse_args()


def _deploy(stack: ExitStack, args):
    workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="soak-")))
    if args.sqlite:
        deployment = Deployment(workdir).prepare()
        stack.callback(deployment.stop)
        deployment.start_server(**SERVER_ENV)
        return deployment, None
    redis = RedisServer(workdir).start()
    stack.callback(redis.stop)
    url = stack.enter_context(private_postgres_database())
    deployment = Deployment(workdir, database_url=url, redis_url=redis.url).prepare()
    stack.callback(deployment.stop)
    deployment.start_server(**SERVER_ENV)
    deployment.start_server(**SERVER_ENV)
    return deployment, redis


def _describe(deployment) -> str:
    kind = "SQLite" if deployment.env["DATABASE_URL"].startswith("sqlite") else "PostgreSQL + Redis"
    return f"{kind}, {len(deployment.servers)} process(es)"


def _connect(deployment, count: int) -> list[Listener]:
    """Connect `count` sockets, spread over the accounts and the server processes."""
    sessions = {}
    for n, server in enumerate(deployment.servers):
        for account, _rooms in ACCOUNTS:
            sessions[(n, account)] = login_session(server, f"{account}@demo.nogalss.ng")

    def one(i: int) -> Listener:
        n = i % len(deployment.servers)
        account, rooms = ACCOUNTS[i % len(ACCOUNTS)]
        session = sessions[(n, account)]
        me = session.get(f"{deployment.servers[n].url}/api/notifications", timeout=30)
        user_id = _user_id(deployment, account) if me.status_code == 200 else None
        listener = Listener(
            deployment.servers[n], session, [*rooms, "everyone", f"user:{user_id}"], name=f"{account}#{i}"
        )
        return listener.connect(_latest(deployment.env["DATABASE_URL"]))

    with ThreadPoolExecutor(16) as pool:
        listeners = list(pool.map(one, range(count)))
    print(f"  {len(listeners)} sockets connected", flush=True)
    return listeners


_ids: dict[str, int] = {}


def _user_id(deployment, account: str) -> int:
    if account not in _ids:
        import psycopg

        url = deployment.env["DATABASE_URL"]
        if url.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
                row = conn.execute("SELECT id FROM users WHERE email = ?", (f"{account}@demo.nogalss.ng",)).fetchone()
        else:
            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT id FROM users WHERE email = %s", (f"{account}@demo.nogalss.ng",)).fetchone()
        _ids[account] = row[0]
    return _ids[account]


def _query(url: str, sql: str, params=()):
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def _latest(url: str) -> int:
    return _query(url, "SELECT coalesce(max(id), 0) FROM change_log")[0][0]


def _record_rows(url: str, rows: dict[int, set[str]]) -> None:
    """Remember every change (id → rooms) before the retention prunes it."""
    above = max(rows, default=0) - 1000  # look back too: a slower transaction may commit a lower id later
    for row_id, rooms in _query(url, "SELECT id, rooms FROM change_log WHERE id > %s", (above,)):
        if row_id not in rows:
            rows[row_id] = set(json.loads(rooms) if isinstance(rooms, str) else rooms)


writer_stats = {"changes": 0, "errors": 0}


def _write_changes(deployment, rate: float, stop: threading.Event) -> None:
    """Make mixed changes over the JSON API on both processes: expenses, alerts, alert take-downs."""
    servers = deployment.servers
    finance = [login_session(s, "finance@demo.nogalss.ng") for s in servers]
    admin = [login_session(s, "super-admin@demo.nogalss.ng") for s in servers]
    n = 0
    while not stop.is_set():
        started = time.monotonic()
        i = n % len(servers)
        try:
            if n % 5 == 4:
                response = admin[i].post(
                    f"{servers[i].url}/api/admin/emergency-alert",
                    json={"title": f"Soak alert {n}", "message": "Soak test", "severity": "INFO"},
                    timeout=30,
                )
            else:
                response = finance[i].post(
                    f"{servers[i].url}/api/finance/expenses",
                    json={"title": f"Soak expense {n}", "category": "Operations", "amount_kobo": 100_00 + n},
                    timeout=30,
                )
            writer_stats["changes" if response.status_code == 201 else "errors"] += 1
        except Exception:
            writer_stats["errors"] += 1
        n += 1
        stop.wait(max(0.0, 1 / rate - (time.monotonic() - started)))


def _sample(deployment, url: str, rows) -> dict:
    """Memory and descriptors of each server process, and the ChangeLog's size."""
    kept, oldest = _query(url, "SELECT count(*), coalesce(min(id), 0) FROM change_log")[0]
    processes = []
    for server in deployment.servers:
        pid = server.process.pid
        rss = next(
            int(line.split()[1])
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith("VmRSS")
        )
        processes.append({"pid": pid, "rss_kb": rss, "fds": len(os.listdir(f"/proc/{pid}/fd"))})
    return {
        "t": time.monotonic(),
        "processes": processes,
        "changelog_rows": kept,
        "oldest_id": oldest,
        "seen": len(rows),
    }


def _sample_line(sample: dict, first: dict) -> str:
    minutes = (sample["t"] - first["t"]) / 60
    procs = ", ".join(f"rss {p['rss_kb'] // 1024} MB fds {p['fds']}" for p in sample["processes"])
    return (
        f"  t={minutes:4.1f} min  changes {writer_stats['changes']}  {procs}  ChangeLog kept {sample['changelog_rows']}"
        f" (oldest id {sample['oldest_id']} of {sample['seen']} seen)"
    )


def _report(listeners: list[Listener], rows: dict[int, set[str]], samples: list[dict], stats: dict) -> dict:
    lost = duplicates = signals = expected = 0
    for listener in listeners:
        for connection in listener.live:
            signals += len(connection)
            duplicates += len(connection) - len(set(connection))
        wanted = [i for i, rooms in rows.items() if i > (listener.start_v or 0) and rooms & listener.rooms]
        expected += len(wanted)
        lost += sum(1 for i in wanted if not listener.covered(i))
    first, last = samples[0], samples[-1]
    return {
        "changes_made": stats["changes"],
        "write_errors": stats["errors"],
        "deliveries_expected": expected,
        "ids_received": signals,
        "lost": lost,
        "duplicates": duplicates,
        "sockets_still_connected": sum(1 for listener in listeners if listener.connected),
        "changelog_rows_kept_at_end": last["changelog_rows"],
        "changelog_rows_pruned": last["seen"] - last["changelog_rows"],
        "memory_kb_first_last": [[p["rss_kb"] for p in first["processes"]], [p["rss_kb"] for p in last["processes"]]],
        "fds_first_last": [[p["fds"] for p in first["processes"]], [p["fds"] for p in last["processes"]]],
    }


if __name__ == "__main__":
    sys.exit(main())
