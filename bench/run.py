"""Live-dashboard benchmark: pushed fragments (this design) vs push off vs the original design vs 30 s polling.

    python -m bench.run [--clients 200,1000] [--changes M] [--async-mode gevent] [--spacing S] [--rates 5,20]
                        [--write-readme]

For each N, and each design, starts a real seeded server (tests/support/live.py) on 127.0.0.1 configured for that
design, connects N python-socketio clients signed in as a mix of roles, makes the same sequence of M changes over
the JSON API (an alert for everyone, then a loan application or decision of one cooperative, in turn), and prints
one table (written into bench/README.md with --write-readme). See bench/README.md for how to read it.
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import os
import platform
import re
import sqlite3
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nogalss_app.security import DASHBOARDS, HOME_DASHBOARD  # noqa: E402
from nogalss_app.services import expenses, loans  # noqa: E402
from nogalss_app.services.stats.registry import dashboard_panels  # noqa: E402
from tests.support.live import Deployment, login_session  # noqa: E402


def live_js_debounce_seconds() -> float:
    """Return live.js's per-panel debounce (DEBOUNCE_MS), read from the script the browsers run."""
    script = (ROOT / "nogalss_app" / "static" / "js" / "live.js").read_text()
    found = re.search(r"\bDEBOUNCE_MS\s*=\s*(\d+)", script)
    if found is None:
        raise RuntimeError("live.js no longer declares DEBOUNCE_MS; update the benchmark's refetch model")
    return int(found.group(1)) / 1000


DEBOUNCE = live_js_debounce_seconds()
BANNER = ("banner", frozenset({"alerts"}))  # the alert banner every dashboard page shows, at /dashboard/alert-banner

# name, server environment, client behaviour
DESIGNS = [
    ("push (this design)", {"REALTIME_PUSH": "1"}, "push"),
    ("push off: signal+refetch+cache", {"REALTIME_PUSH": "0"}, "targeted"),
    (
        "original: all refetch all",
        {"REALTIME_PUSH": "0", "FRAGMENT_CACHE_BYTES": "0", "FRAGMENT_ETAGS": "0"},
        "broadcast",
    ),
]
DOMAIN = "demo.nogalss.ng"
SLUG = {key: spec["slug"] for key, spec in DASHBOARDS.items()}


def dashboards() -> dict[str, list[tuple[str, frozenset]]]:
    """The panels (name, topics) of each dashboard, straight from the product's registry, and the alert banner."""
    return {
        key: [(p.name, frozenset(p.topics)) for p in panels] + [BANNER] for key, panels in dashboard_panels().items()
    }


def role_mix(n: int) -> list[tuple[str, str]]:
    """Return n (account local part, dashboard key) pairs: the realistic mix from the brief."""
    share = [
        ("super_admin", 0.05),
        ("finance", 0.10),
        ("apex", 0.05),
        ("apex_funds", 0.02),
        ("nogalss_funds", 0.02),
        ("leader", 0.25),
    ]
    out: list[tuple[str, str]] = []
    for key, frac in share:
        count = max(1, round(n * frac))
        for i in range(count):
            local = SLUG[key]  # the demo accounts are named after their dashboard's slug
            if key == "leader":
                local = f"leader{i % 5 + 1}"
            out.append((local, key))
    i = 0
    while len(out) < n:
        out.append((f"member{i % 35 + 1}", "member"))
        i += 1
    return out[:n]


# ---------------------------------------------------------------------------------------------------- /proc


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------------------------------- clients


class Fetcher:
    """Refetches panels for all clients like live.js: debounced per panel, one in flight, last one wins."""

    def __init__(self, base_url: str, workers: int) -> None:
        self.base = base_url
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="refetch")
        self.lock = threading.Lock()
        self.cv = threading.Condition(self.lock)
        self.heap: list[tuple[float, int, int, str]] = []
        self.seq = 0
        self.state: dict[tuple[int, str], dict] = {}
        # client, panel, start, end, status (0 = pushed), v (of a pushed fragment; 0 for a request)
        self.log: list[tuple[int, str, float, float, int, int]] = []
        self.etags: dict[tuple[int, str], str] = {}
        self.use_etags = True
        self.errors = 0
        self.running = True
        self.clients: list[Client] = []
        threading.Thread(target=self._scheduler, daemon=True).start()

    def refresh(self, client: Client, panel: str) -> None:
        """live.js refresh(): (re)start the panel's debounce timer."""
        with self.cv:
            st = self.state.setdefault((client.idx, panel), {"due": 0.0, "in_flight": False, "again": False})
            st["due"] = time.monotonic() + DEBOUNCE
            self.seq += 1
            heapq.heappush(self.heap, (st["due"], self.seq, client.idx, panel))
            self.cv.notify()

    def _scheduler(self) -> None:
        while self.running:
            with self.cv:
                if not self.heap:
                    self.cv.wait(0.05)
                    continue
                due, _, cidx, panel = self.heap[0]
                now = time.monotonic()
                if due > now:
                    self.cv.wait(due - now)
                    continue
                heapq.heappop(self.heap)
                st = self.state[(cidx, panel)]
                if st["due"] != due:  # superseded by a later refresh (debounce)
                    continue
                st["due"] = 0.0
                if st["in_flight"]:
                    st["again"] = True
                    continue
                st["in_flight"] = True
                st["again"] = False
            self.pool.submit(self._fire, self.clients[cidx], panel)

    def _fire(self, client: Client, panel: str) -> None:
        start = time.monotonic()
        status = 0
        headers = {"HX-Request": "true"}
        etag = self.etags.get((client.idx, panel)) if self.use_etags else None
        if etag:
            headers["If-None-Match"] = etag
        url = (
            f"{self.base}/dashboard/alert-banner"
            if panel == "banner"
            else f"{self.base}/dashboard/{SLUG[client.key]}/panels/{panel}"
        )
        try:
            r = client.session.get(url, headers=headers, timeout=60)
            status = r.status_code
            if r.headers.get("ETag"):
                self.etags[(client.idx, panel)] = r.headers["ETag"]
        except Exception:
            status = -1
        end = time.monotonic()
        again = False
        with self.cv:
            self.log.append((client.idx, panel, start, end, status, 0))
            if status not in (200, 304):
                self.errors += 1
            st = self.state[(client.idx, panel)]
            st["in_flight"] = False
            again = st["again"]
        if again:
            self.refresh(client, panel)

    def pushed(self, client: Client, panel: str, etag: str, v: int) -> None:
        """Record a fragment that arrived with the event: the panel is fresh now (as of v), without a request."""
        now = time.monotonic()
        with self.cv:
            self.log.append((client.idx, panel, now, now, 0, v))
            self.etags[(client.idx, panel)] = etag

    def busy_clients(self) -> int:
        with self.cv:
            return len({c for (c, _), st in self.state.items() if st["in_flight"] or st["due"] or st["again"]})

    def wait_idle(self, timeout: float, quiet: float = 0.4) -> bool:
        deadline = time.monotonic() + timeout
        idle_since = None
        while time.monotonic() < deadline:
            if self.busy_clients() == 0:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= quiet:
                    return True
            else:
                idle_since = None
            time.sleep(0.05)
        return False


class Client:
    def __init__(self, idx: int, local: str, key: str, session, panels, fetcher: Fetcher) -> None:
        self.local = local
        self.idx, self.key, self.session, self.panels, self.fetcher = idx, key, session, panels, fetcher
        self.targeted = True  # react to socket signals (False in the broadcast/refresh phases)
        self.signals: list[tuple[float, frozenset]] = []
        self.sio = None
        self.pushed_v: dict[str, int] = {}
        self.pushed_bytes = 0

    def on_update(self, msg) -> None:
        now = time.monotonic()
        topics = frozenset((msg or {}).get("topics") or ())
        self.signals.append((now, topics))
        if self.targeted:
            self.refresh_topics(topics, (msg or {}).get("v", 0))

    def on_panels(self, msg) -> None:
        """live.js: swap the pushed panels; a signal of the same or an older v does not refetch them."""
        for fragment in msg.get("panels", []):
            name = "banner" if msg.get("dashboard") == "*" else fragment["name"]
            self.pushed_v[name] = max(self.pushed_v.get(name, 0), msg["v"])
            self.pushed_bytes += len(fragment["html"].encode())
            self.fetcher.pushed(self, name, fragment["etag"], msg["v"])

    def refresh_topics(self, topics, v: int = 0) -> None:
        for name, ptopics in self.panels:
            if ptopics & topics and self.pushed_v.get(name, 0) < v:
                self.fetcher.refresh(self, name)

    def refresh_all(self) -> None:
        for name, _ in self.panels:
            self.fetcher.refresh(self, name)


# ---------------------------------------------------------------------------------------------------- changes


class Mutator:
    """Makes real changes over the JSON API: finance expenses, member loan applications, leader rejections."""

    def __init__(self, server, sessions: dict[str, requests.Session], members: list[int]) -> None:
        self.server, self.s, self.members = server, sessions, members
        self.n = 0
        self.pending: dict[int, int] = {}  # member k -> pending loan id

    def sequence(self, m: int) -> list[tuple[str, int]]:
        """The same M changes for every design: an alert for everyone and a loan of one cooperative, in turn."""
        seq, j = [], 0
        while len(seq) < m:
            k = self.members[j % len(self.members)]
            seq += [("alert", 0), ("apply", k), ("alert", 0), ("reject", k)]
            j += 1
        return seq[:m]

    def do(self, kind: str, k: int) -> None:
        url = self.server.url
        self.n += 1
        if kind == "alert":
            r = self.s["super-admin"].post(
                f"{url}/api/admin/emergency-alert",
                timeout=30,
                json={"title": f"Bench alert {self.n}", "message": "Network maintenance tonight", "severity": "INFO"},
            )
        elif kind == "expense":
            r = self.s["finance"].post(
                f"{url}/api/finance/expenses",
                timeout=30,
                json={"title": f"Bench expense {self.n}", "category": "Operations", "amount_kobo": 150_000 + self.n},
            )
        elif kind == "apply":
            r = self.s[f"member{k}"].post(
                f"{url}/api/member/loans",
                timeout=30,
                json={"amount_kobo": 100_000, "purpose": "Bench loan for stock", "duration_months": 6},
            )
            if r.status_code == 201:
                self.pending[k] = r.json()["id"]
        else:
            loan_id = self.pending.pop(k)
            r = self.s[f"leader{(k - 1) % 5 + 1}"].post(
                f"{url}/api/leader/loans/{loan_id}/reject", json={"notes": "bench"}, timeout=30
            )
        if r.status_code not in (200, 201):
            raise RuntimeError(f"{kind} {k}: {r.status_code} {r.text[:300]}")

    def latest_v(self) -> int:
        """The newest ChangeLog v (read from the deployment's SQLite file): the change just answered is at most this."""
        path = self.server.deployment.env["DATABASE_URL"].removeprefix("sqlite:///")
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as conn:
            return conn.execute("SELECT coalesce(max(id), 0) FROM change_log").fetchone()[0]

    def cleanup(self) -> None:
        for k in list(self.pending):
            self.do("reject", k)


def eligible_members(server, sessions) -> list[int]:
    """Members 1..35 who may apply for a loan now (probe: apply, then have their leader reject it)."""
    ok = []
    m = Mutator(server, sessions, [])
    for k in range(1, 36):
        r = sessions[f"member{k}"].post(
            f"{server.url}/api/member/loans",
            timeout=30,
            json={"amount_kobo": 100_000, "purpose": "Bench probe", "duration_months": 6},
        )
        if r.status_code == 201:
            m.pending[k] = r.json()["id"]
            m.do("reject", k)
            ok.append(k)
        if len(ok) >= 10:
            break
    return ok


# ---------------------------------------------------------------------------------------------------- analysis


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * len(s) + 0.5)) - 1))]


def audience(roles) -> set[str]:
    """Return the dashboards of the roles a service signals (each role's own dashboard)."""
    return {HOME_DASHBOARD[role] for role in roles}


AUDIENCE_TOPICS = {
    # Who shows the figure a change moves, from the services' own audiences (the cooperative's leader and the
    # member are added per change below); super admins also see `activity`.
    "expense": (audience(expenses.AUDIENCE), {"expenses"}),
    "alert": (set(HOME_DASHBOARD.values()), {"alerts"}),
    "apply": (audience(loans.APPLIED_AUDIENCE), {"loans"}),
    "reject": (audience(loans.DECIDED_AUDIENCE), {"loans"}),
}


def affected_sets(clients: list[Client], keys: list[tuple]) -> dict[tuple, set]:
    """Which (client, panel) pairs show the figure each change moves (the panels that must be refetched)."""
    out: dict[tuple, set] = {}
    for kind, k in keys:
        roles, topics = AUDIENCE_TOPICS[kind]
        pairs = set()
        for c in clients:
            mine = c.key in roles or (k and c.local in (f"member{k}", f"leader{(k - 1) % 5 + 1}"))
            if not mine:
                continue
            want = topics | ({"activity"} if c.key == "super_admin" else set())
            pairs |= {(c.idx, name) for name, pt in c.panels if pt & want}
        out[(kind, k)] = pairs
    return out


NEVER: list = []  # (change, (client, panel)) pairs never fresh, printed with BENCH_DEBUG=1


def staleness(changes: list[dict], keys: list[tuple], affected: dict, log) -> tuple[list[float], int]:
    """Per change: time from its HTTP response until the last affected panel is fresh (0 if it was before).

    Fresh: a fragment pushed with a v at or above the change's (it may arrive before the response: the server
    pushes once the change is committed), or a refetch started after the response.
    """
    fetched: dict[tuple[int, str], list[tuple[float, float]]] = defaultdict(list)
    pushed: dict[tuple[int, str], list[tuple[float, int]]] = defaultdict(list)
    for cidx, panel, start, end, status, v in log:
        if status == 0:
            pushed[(cidx, panel)].append((end, v))
        else:
            fetched[(cidx, panel)].append((start, end))
    for lists in (fetched, pushed):
        for v in lists.values():
            v.sort()
    out, never = [], 0
    for ch, key in zip(changes, keys, strict=False):
        worst = 0.0
        for pair in affected.get(key, ()):
            times = [e for s, e in fetched.get(pair, []) if s >= ch["resp"]][:1]
            times += [t for t, v in pushed.get(pair, []) if v >= ch["v"]][:1]
            if not times:
                never += 1
                worst = float("inf")
                NEVER.append((key, pair))
                break
            worst = max(worst, min(times) - ch["resp"])
        out.append(worst)
    return out, never


# ---------------------------------------------------------------------------------------------------- phases


class Bench:
    def __init__(self, args) -> None:
        self.args = args
        self.rows: list[dict] = []
        self.facts: dict[str, str] = {}

    def phase(self, name, mut, seq, pace, clients, fetcher, server, mode, affected=None):
        """Run one design over the change sequence; return its measured row (and the raw pieces)."""
        pid = server.process.pid
        for c in clients:
            c.targeted = mode in ("targeted", "push")
            c.signals.clear()
        fetcher.use_etags = mode != "broadcast"
        fetcher.wait_idle(10)
        log_from = len(fetcher.log)
        bytes0 = sum(c.pushed_bytes for c in clients)
        renders0 = server_renders(server)
        cpu0 = cpu_seconds(pid)
        on_resp = None
        if mode == "broadcast":

            def on_resp():
                for c in clients:
                    c.refresh_all()

        changes = self.run_changes(mut, seq, pace, on_resp, label=name)
        t_last = changes[-1]["resp"]
        # "stale after 5 s": clients still refetching 5 s after the last change's response. Always wait the 5 s:
        # a pushed fragment arrives without any refetch, so an idle fetcher does not mean every client is fresh.
        while time.monotonic() < t_last + 5.0:
            time.sleep(0.05)
        stale5 = fetcher.busy_clients()
        drained = fetcher.wait_idle(self.args.drain_timeout)
        t_idle = time.monotonic()
        cpu1 = cpu_seconds(pid)
        renders1 = server_renders(server)
        log = fetcher.log[log_from:]
        keys = [(ch["kind"], ch["k"]) for ch in changes]
        if affected is None:
            affected = affected_sets(clients, keys)
        st, never = staleness(changes, keys, affected, log)
        if os.environ.get("BENCH_DEBUG"):
            print(
                f"  [{name}] per-change staleness:",
                ", ".join(f"{k[0]}{k[1] or ''}={v:.2f}" for k, v in zip(keys, st, strict=False)),
            )
        if os.environ.get("BENCH_DEBUG") and NEVER:
            print(f"  [{name}] never fresh:", [(k, clients[c].local, p) for k, (c, p) in NEVER[:10]])
            NEVER.clear()
        finite = [s for s in st if s != float("inf")]
        requests_ = [e for e in log if e[4] != 0]
        late = len({e[0] for e in log if e[3] > t_last + 5.0})
        window = changes[-1]["resp"] - changes[0]["send"]
        n = len(changes)
        row = {
            "design": name,
            "changes": n,
            "rate": n / window if window > 0 else float("inf"),
            "p50": pct(finite, 50) if not never else pct(st, 50),
            "p99": pct(st, 99),
            "max": max(st) if st else float("nan"),
            "renders": (renders1 - renders0) / n,
            "req": len(requests_) / n,
            "r304": sum(1 for e in requests_ if e[4] == 304) / n,
            "pushed": sum(1 for e in log if e[4] == 0) / n,
            "errors": sum(1 for e in requests_ if e[4] not in (200, 304)),
            "cpu": (cpu1 - cpu0) / n,
            "kb_pushed": (sum(c.pushed_bytes for c in clients) - bytes0) / 1024 / n,
            "stale5": max(stale5, late),
            "never": never,
            "drain": t_idle - t_last - (0.4 if drained else 0) if drained else float("inf"),
            "window": window,
            "affected": sum(len(affected.get(k, ())) for k in keys) / len(keys),
        }
        return row, affected

    def run_changes(self, mut: Mutator, seq, pace: float, on_response=None, label: str = "") -> list[dict]:
        """Make the changes, one every `pace` seconds (or back to back if the API is slower), with a progress bar."""
        changes = []
        t0 = time.monotonic()
        for i, (kind, k) in enumerate(seq):
            target = t0 + i * pace
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            send = time.monotonic()
            mut.do(kind, k)
            resp = time.monotonic()
            changes.append({"send": send, "resp": resp, "kind": kind, "k": k, "v": mut.latest_v()})
            if on_response:
                on_response()
            progress(f"  {label}", i + 1, len(seq))
        return changes

    def main(self) -> None:
        """Run every N of --clients, each design on its own freshly started server; keep the tables."""
        a = self.args
        t_start = time.monotonic()
        self.tables = []
        for n in a.clients:
            self.rows, self.facts, self.bursts = [], {}, []
            self.n = n
            self._one_size(n)
            self.tables.append((n, self.table()))
            print(f"\n[bench] N = {n}\n{self.tables[-1][1]}\n", flush=True)
        self.total = f"{time.monotonic() - t_start:.0f} s"

    def _one_size(self, n: int) -> None:
        a = self.args
        panels_of = dashboards()
        workdir = Path(tempfile.mkdtemp(prefix="nogalss-bench-"))
        print(f"[bench] N = {n}: seeding a fresh database in {workdir} ...", flush=True)
        dep = Deployment(workdir, async_mode=a.async_mode)
        dep.workdir.mkdir(parents=True, exist_ok=True)
        dep.prepare()
        mix = role_mix(n)
        sessions = None
        mut = seq = affected = None
        try:
            for name, env, mode in [d for d in DESIGNS if d[2] in a.designs]:
                server = dep.start_server(**env)
                try:
                    if sessions is None:
                        sessions = self._sessions(server, mix)
                        members = eligible_members(server, sessions)
                        if not members:
                            raise RuntimeError("no seeded member is eligible for a loan")
                        mut = Mutator(server, sessions, members)
                        seq = mut.sequence(a.changes)
                    mut.server = server
                    clients, fetcher = self._connect(server, mix, sessions, panels_of, name, view=mode == "push")
                    if mode == "broadcast":
                        self._full_refresh(server, clients, fetcher)
                    if mode == "broadcast" and n > a.original_max:
                        # One change of the original design IS a full refresh of every client: at this N the
                        # run takes that one measured sample instead of M changes (minutes each on 2 shared cores).
                        self.rows.append(self._original_from_full_refresh(name, len(seq)))
                    else:
                        print(f"[bench] {name}: {len(seq)} changes, one every {a.spacing} s ...", flush=True)
                        row, affected = self.phase(name, mut, seq, a.spacing, clients, fetcher, server, mode, affected)
                        mut.cleanup()
                        self.rows.append(row)
                    if mode == "push":
                        self.bursts = []
                        for rate in a.rates:
                            print(f"[bench] push burst: {len(seq)} changes at {rate}/s ...", flush=True)
                            burst, _ = self.phase(
                                f"push burst {rate:g}/s", mut, seq, 1.0 / rate, clients, fetcher, server, mode, affected
                            )
                            mut.cleanup()
                            self.bursts.append(burst)
                    fetcher.running = False
                    for c in clients:
                        with contextlib.suppress(Exception):
                            c.sio.disconnect()
                finally:
                    server.stop()
                    dep.servers.remove(server)
        finally:
            dep.stop()
        if hasattr(self, "full_req"):
            self._polling_row()

    def _sessions(self, server, mix) -> dict:
        accounts = sorted(
            {local for local, _ in mix}
            | {"finance", "super-admin"}
            | {f"leader{i}" for i in range(1, 6)}
            | {f"member{k}" for k in range(1, 36)}
        )
        sessions = {}
        for local in accounts:
            s = login_session(server, f"{local}@{DOMAIN}")
            s.mount("http://", HTTPAdapter(pool_connections=4, pool_maxsize=self.args.workers))
            sessions[local] = s
        return sessions

    def _connect(self, server, mix, sessions, panels_of, design: str, view: bool):
        """Connect the N clients (with `auth.view` when the design pushes); measure memory and connect rate."""
        a = self.args
        pid = server.process.pid
        fetcher = Fetcher(server.url, a.workers)
        clients = [
            Client(i, local, key, sessions[local], panels_of[key], fetcher) for i, (local, key) in enumerate(mix)
        ]
        fetcher.clients = clients
        for c in clients:
            c.targeted = False  # the connect storm's `connections` signals are not part of any measurement
        self._page_loads(server, clients)
        time.sleep(1.0)
        rss0 = rss_kb(pid)
        t0 = time.monotonic()
        failures = []
        done = [0]

        def connect(c: Client):
            try:
                c.sio = view_socket(server, c.session, SLUG[c.key] if view else None, c.on_update, c.on_panels)
            except Exception as exc:
                failures.append(repr(exc))
            done[0] += 1
            progress(f"  connecting ({design})", done[0], len(clients))

        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(connect, clients))
        t_conn = time.monotonic() - t0
        time.sleep(2.0)
        rss1 = rss_kb(pid)
        connected = [c for c in clients if c.sio is not None]
        fetcher.clients = clients
        self.facts[f"connected {design}"] = f"{len(connected)}/{len(clients)}" + (
            f" (first error: {failures[0]})" if failures else ""
        )
        self.facts[f"connect rate {design}"] = f"{len(connected) / t_conn:.0f} clients/s"
        self.facts[f"memory per idle connection {design}"] = (
            f"{(rss1 - rss0) / max(1, len(connected)):.0f} KB (server RSS {rss0 / 1024:.0f} → {rss1 / 1024:.0f} MB)"
        )
        c0 = cpu_seconds(pid)
        time.sleep(2.0)
        self.facts[f"idle CPU {design}"] = f"{(cpu_seconds(pid) - c0) / 2 * 100:.1f} % of a core"
        return connected, fetcher

    def _page_loads(self, server, clients) -> None:
        """Load each account's dashboard once, page and panels, as its browser does before its socket connects.

        Not measured: it only brings the server to the state it is in when dashboards are open (templates
        compiled, the fragment cache holding what the pages showed).
        """
        seen: dict[tuple[str, str], Client] = {}
        for c in clients:
            seen.setdefault((c.local, c.key), c)

        def load(c: Client) -> None:
            c.session.get(f"{server.url}/dashboard/{SLUG[c.key]}", timeout=60)
            for name, _ in c.panels:
                url = (
                    f"{server.url}/dashboard/alert-banner"
                    if name == "banner"
                    else f"{server.url}/dashboard/{SLUG[c.key]}/panels/{name}"
                )
                c.session.get(url, headers={"HX-Request": "true"}, timeout=60)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(load, seen.values()))

    def _full_refresh(self, server, clients, fetcher) -> None:
        """One full refresh: every client refetches every panel once (the unit cost of polling), no cache."""
        pid = server.process.pid
        fetcher.use_etags = False
        fetcher.wait_idle(30)
        log_from = len(fetcher.log)
        c0, t0 = cpu_seconds(pid), time.monotonic()
        for c in clients:
            c.refresh_all()
        fetcher.wait_idle(600, quiet=0.2)
        self.full_cpu = cpu_seconds(pid) - c0
        self.full_req = len(fetcher.log) - log_from
        self.full_time = max(e[3] for e in fetcher.log[log_from:]) - t0
        self.facts["one full refresh (original server)"] = (
            f"{self.full_req} requests, {self.full_cpu:.2f} s server CPU, {self.full_time:.2f} s until the last client"
        )

    def _original_from_full_refresh(self, name: str, changes: int) -> dict:
        """The original design's row from one measured full refresh (the cost and delay of one of its changes)."""
        return {
            "design": f"{name} (1 full refresh)",
            "changes": 1,
            "rate": 1 / self.args.spacing,
            "p50": self.full_time,
            "p99": self.full_time,
            "max": self.full_time,
            "renders": float(self.full_req),
            "req": float(self.full_req),
            "r304": 0.0,
            "pushed": 0.0,
            "errors": 0,
            "cpu": self.full_cpu,
            "kb_pushed": 0.0,
            "stale5": "n/a",
            "never": 0,
            "drain": float("nan"),
            "window": self.rows[0]["window"],
            "affected": self.rows[0]["affected"],
        }

    def _polling_row(self) -> None:
        """Polling every 30 s, derived: one full refresh (measured) per 30 s of the same change rate."""
        base = self.rows[0]
        per_change = self.args.spacing / 30.0
        self.rows.append(
            {
                "design": "polling 30 s (DERIVED)",
                "changes": base["changes"],
                "rate": 1 / self.args.spacing,
                "p50": 15.0 + self.full_time / 2,
                "p99": 29.7 + self.full_time,
                "max": 30.0 + self.full_time,
                "renders": self.full_req * per_change,
                "req": self.full_req * per_change,
                "r304": 0.0,
                "pushed": 0.0,
                "errors": 0,
                "cpu": self.full_cpu * per_change,
                "kb_pushed": 0.0,
                "stale5": "n/a",
                "never": 0,
                "drain": float("nan"),
                "window": base["window"],
                "affected": base["affected"],
            }
        )

    # ------------------------------------------------------------------------------------------------ output

    def table(self) -> str:
        a = self.args
        fmt = lambda v: "never" if v == float("inf") else ("n/a" if v != v else f"{v:.2f}")  # noqa: E731
        head = (
            "| design | stale p50 s | p99 s | max s | renders/chg | fragment req/chg | 304/chg | pushed/chg"
            " | CPU s/chg | KB pushed/chg | stale@5s | errors |"
        )
        lines = [head, "|" + "---|" * 12]
        for r in self.rows + getattr(self, "bursts", []):
            lines.append(
                f"| {r['design']} | {fmt(r['p50'])} | {fmt(r['p99'])} | {fmt(r['max'])} | {r['renders']:.1f}"
                f" | {r['req']:.1f} | {r['r304']:.1f} | {r['pushed']:.1f} | {r['cpu']:.3f} | {r['kb_pushed']:.1f}"
                f" | {r['stale5']} | {r['errors']} |"
            )
        lines.append("")
        lines.append(
            f"N = {self.n} sockets ({self.mix_text()}); {self.rows[0]['changes']} changes, one every {a.spacing} s"
            f" (alert for everyone / loan of one cooperative in turn); affected (client, panel) pairs per change,"
            f" mean {self.rows[0]['affected']:.1f}."
        )
        push_rows = [
            r
            for r in self.rows + getattr(self, "bursts", [])
            if r["design"].startswith("push (") or r["design"].startswith("push burst")
        ]
        if push_rows:
            within = [r for r in push_rows if r["p99"] <= 0.25]
            best = max(within, key=lambda r: r["rate"]) if within else None
            lines.append(
                "- highest change rate with push p99 ≤ 250 ms: "
                + (f"{best['rate']:.1f} changes/s ({best['design']})" if best else "none of the rates tried")
                + " (rates tried: "
                + ", ".join(f"{r['rate']:.1f}/s → p99 {r['p99']:.2f} s" for r in push_rows)
                + ")"
            )
        for key, value in self.facts.items():
            lines.append(f"- {key}: {value}")
        return "\n".join(lines)

    def mix_text(self) -> str:
        counts: dict[str, int] = defaultdict(int)
        for _, key in role_mix(self.n):
            counts[key] += 1
        return ", ".join(f"{k} {v}" for k, v in counts.items())


def server_renders(server) -> float:
    """Return how many fragments the server has rendered (panel render histogram count, every panel)."""
    total = 0.0
    try:
        text = requests.get(f"{server.url}/metrics", timeout=10).text
    except requests.RequestException:
        return float("nan")
    for line in text.splitlines():
        if line.startswith("nogalss_panel_render_seconds_count"):
            total += float(line.split()[-1])
    return total


HUB = None


def view_socket(server, session, view: str | None, on_update, on_panels):
    """Connect a lean Socket.IO client (bench/sockets.py) with the session's cookie (and `auth.view` when given)."""
    global HUB
    from bench.sockets import Hub

    if HUB is None:
        HUB = Hub()
    headers = {
        "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies),
        "User-Agent": session.headers["User-Agent"],
    }
    return HUB.connect(
        server.url,
        headers=headers,
        auth={"view": view, "params": {}} if view else None,
        handlers={"dashboard:update": on_update, "dashboard:panels": on_panels},
        wait_timeout=20,
    )


_progress_lock = threading.Lock()


def progress(label: str, done: int, total: int) -> None:
    """Draw a one-line progress bar on stderr."""
    width = 30
    step = max(1, total // 20)
    if done % step and done < total:
        return
    filled = int(width * done / max(1, total))
    with _progress_lock:
        sys.stderr.write(f"\r{label:<44} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--clients", default="200,1000", help="socket clients (dashboards) to connect: N or N1,N2,...")
    p.add_argument("--changes", type=int, default=20, help="changes per design")
    p.add_argument("--async-mode", default="gevent", help="server SOCKETIO_ASYNC_MODE (gevent, eventlet, threading)")
    p.add_argument("--spacing", type=float, default=1.0, help="seconds between changes in the paced runs")
    p.add_argument("--rates", default="", help="burst rates (changes/s) for the push design, e.g. 2,5")
    p.add_argument("--write-readme", action="store_true", help="write the tables into bench/README.md")
    p.add_argument(
        "--designs", default="push,targeted,broadcast", help="which designs to run (push,targeted,broadcast)"
    )
    p.add_argument("--label", default="", help="README block suffix, so a partial re-run does not replace a full run")
    p.add_argument(
        "--drain-timeout",
        type=float,
        default=20.0,
        help="give up waiting for clients to go quiet after a phase (drain column shows it was hit)",
    )
    p.add_argument("--workers", type=int, default=32, help="client-side refetch threads")
    p.add_argument(
        "--original-max",
        type=int,
        default=200,
        help="above this N the original design is measured by one full refresh instead of M changes",
    )
    args = p.parse_args(argv)
    args.rates = [float(r) for r in args.rates.split(",") if r]
    args.clients = [int(n) for n in str(args.clients).split(",") if n]
    args.designs = set(args.designs.split(","))
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    bench = Bench(args)
    bench.main()
    cmd = "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv)
    header = (
        f"`{cmd}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()},"
        f" Python {platform.python_version()}, async mode {args.async_mode}, total {bench.total})"
    )
    text = header + "\n\n" + "\n\n".join(f"#### N = {n}\n\n{table}" for n, table in bench.tables)
    print()
    print(text)
    if args.write_readme:
        write_readme(text, args.async_mode + (f"-{args.label}" if args.label else ""))


README = ROOT / "bench" / "README.md"


def write_readme(text: str, mode: str) -> None:
    """Replace this async mode's section of results in bench/README.md (between its markers)."""
    start, end = f"<!-- bench:push:{mode}:start -->", f"<!-- bench:push:{mode}:end -->"
    readme = README.read_text()
    block = f"{start}\n{text}\n{end}"
    if start in readme and end in readme:
        readme = readme[: readme.index(start)] + block + readme[readme.index(end) + len(end) :]
    else:
        readme = readme.rstrip() + "\n\n" + block + "\n"
    README.write_text(readme)


if __name__ == "__main__":
    main()
