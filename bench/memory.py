"""Server memory per idle Socket.IO connection: the real app and a bare Flask-SocketIO app, with a breakdown.

    python -m bench.memory [--clients 1000] [--no-bare] [--no-trace] [--env NAME=VALUE ...]

For each server (the product's `python wsgi.py` on a fresh seeded SQLite database, as bench/run.py and
tests/support/live.py start it, and bench/memory_bare.py), connects N idle WebSocket clients (raw asyncio and
wsproto in this process, speaking Engine.IO 4 / Socket.IO 5 at /api/socket; the product's clients are signed in
with the role mix of bench/run.py and send `auth: {view, params}`), and reports:
- server VmRSS after connecting minus before, / N (the number bench/run.py calls "memory per idle connection");
- where the RSS went: the [heap] (glibc malloc) and the other anonymous mappings (Python's object arenas, the
  per-greenlet Python data stacks), from /proc/<pid>/smaps;
- in a second run of the same server under bench/memory_probe.py: greenlets per connection (and what they run),
  their saved C stacks, malloc's in-use bytes, and tracemalloc's Python allocations per connection with the
  biggest sources (tracemalloc inflates RSS, so the RSS numbers come from the first, unprobed run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.run import DOMAIN, SLUG, role_mix, rss_kb  # noqa: E402
from tests.support.live import Deployment, login_session, wait_for_port  # noqa: E402

CONNECT_CONCURRENCY = 16  # as bench/run.py connects (16 threads)


# ------------------------------------------------------------------------------------------------- the clients


class Idle:
    """One idle Engine.IO 4 / Socket.IO 5 WebSocket client: connects, answers pings, does nothing else."""

    def __init__(self, port: int, headers: list[tuple[bytes, bytes]], auth: dict | None) -> None:
        self.port, self.headers, self.auth = port, headers, auth
        self.connected = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task | None = None
        self.writer = None

    async def run(self) -> None:
        from wsproto import ConnectionType, WSConnection
        from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

        reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        ws = WSConnection(ConnectionType.CLIENT)
        target = "/api/socket/?EIO=4&transport=websocket"
        self.writer.write(ws.send(Request(host=f"127.0.0.1:{self.port}", target=target, extra_headers=self.headers)))
        text = ""
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                ws.receive_data(data)
                for event in ws.events():
                    if isinstance(event, RejectConnection):
                        raise ConnectionError(f"handshake refused: {getattr(event, 'status_code', '?')}")
                    if isinstance(event, Ping):
                        self.writer.write(ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        return
                    elif isinstance(event, TextMessage):
                        text += event.data
                        if not event.message_finished:
                            continue
                        message, text = text, ""
                        reply = self.on_message(message)
                        if reply is not None:
                            self.writer.write(ws.send(TextMessage(data=reply)))
                    elif isinstance(event, AcceptConnection):
                        pass
                await self.writer.drain()
        except Exception as exc:
            if not self.connected.done():
                self.connected.set_exception(exc)
        finally:
            if not self.connected.done():
                self.connected.set_exception(ConnectionError("closed before the Socket.IO connect"))
            self.writer.close()

    def on_message(self, message: str) -> str | None:
        if message.startswith("0{"):  # Engine.IO open: connect the default Socket.IO namespace
            return "40" + (json.dumps(self.auth) if self.auth else "")
        if message.startswith("40") and not self.connected.done():
            self.connected.set_result(True)
        elif message.startswith("44") and not self.connected.done():
            self.connected.set_exception(ConnectionError(f"connect refused: {message[2:]}"))
        elif message == "2":  # Engine.IO ping
            return "3"
        return None


async def connect_all(port: int, specs: list[tuple[list, dict | None]]) -> list[Idle]:
    """Connect every client (at most CONNECT_CONCURRENCY at once); return the connected ones."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    clients: list[Idle] = []

    async def one(headers, auth):
        async with gate:
            client = Idle(port, headers, auth)
            client.task = asyncio.create_task(client.run())
            try:
                await asyncio.wait_for(asyncio.shield(client.connected), 30)
                clients.append(client)
            except Exception as exc:
                print(f"  a client failed: {exc!r}", file=sys.stderr)
                client.task.cancel()

    await asyncio.gather(*(one(h, a) for h, a in specs))
    return clients


async def close_all(clients: list[Idle]) -> None:
    for client in clients:
        client.task.cancel()
    await asyncio.gather(*(c.task for c in clients), return_exceptions=True)


# -------------------------------------------------------------------------------------------------- /proc


def anon_rss_kb(pid: int) -> dict[str, int]:
    """Return the resident KB of the [heap] and of the other anonymous private mappings (no file behind them)."""
    heap = other = 0
    current = None
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if not parts:
            continue
        if "-" in parts[0] and len(parts) >= 5 and not parts[0].endswith(":"):
            name = parts[5] if len(parts) > 5 else ""
            current = "heap" if name == "[heap]" else ("anon" if name == "" else None)
        elif parts[0] == "Rss:" and current is not None:
            if current == "heap":
                heap += int(parts[1])
            else:
                other += int(parts[1])
    return {"heap": heap, "anon": other}


# ------------------------------------------------------------------------------------------------- one server


class Target:
    """A server to measure: how to start it and what its clients send."""

    def __init__(self, name: str, script: str, extra_env: dict[str, str], signed_in: bool) -> None:
        self.name, self.script, self.extra_env, self.signed_in = name, script, extra_env, signed_in


def client_specs(server, n: int, signed_in: bool) -> list[tuple[list, dict | None]]:
    """Return (headers, auth) for N clients: signed-in dashboards of bench/run.py's role mix, or anonymous ones."""
    origin = [(b"origin", server.url.encode())]
    if not signed_in:
        return [(origin, None)] * n
    mix = role_mix(n)
    sessions = {local: login_session(server, f"{local}@{DOMAIN}") for local in sorted({local for local, _ in mix})}
    specs = []
    for local, key in mix:
        session = sessions[local]
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        headers = origin + [(b"cookie", cookie.encode()), (b"user-agent", session.headers["User-Agent"].encode())]
        specs.append((headers, {"view": SLUG[key], "params": {}}))
    return specs


def measure(dep: Deployment, target: Target, n: int, probe: bool, trace: bool, settle: float) -> dict:
    """Start the target (probed or not), connect N idle clients, and return what was measured."""
    out = Path(tempfile.mkstemp(prefix="memory-probe-", suffix=".jsonl")[1])
    env = dict(target.extra_env)
    if probe:
        command = [sys.executable, "-m", "bench.memory_probe", target.script]
        env.update(MEMORY_PROBE_OUT=str(out), MEMORY_PROBE_TRACE="1" if trace else "0")
    else:
        command = [sys.executable, target.script]
    server = dep.start_server(command=command, **env)
    try:
        wait_for_port(server.port, process=server.process)
        pid = server.process.pid
        specs = client_specs(server, n, target.signed_in)
        time.sleep(settle)

        def snapshot() -> dict:
            if probe:
                lines = len(out.read_text().splitlines()) if out.exists() else 0
                os.kill(pid, signal.SIGUSR1)
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    if out.exists() and len(out.read_text().splitlines()) > lines:
                        break
                    time.sleep(0.2)
                time.sleep(0.5)
            return {"rss": rss_kb(pid), **anon_rss_kb(pid)}

        async def session() -> dict:
            before = snapshot()
            t0 = time.monotonic()
            clients = await connect_all(server.port, specs)
            took = time.monotonic() - t0
            await asyncio.sleep(settle)
            after = snapshot()
            await close_all(clients)
            return {"before": before, "after": after, "connected": len(clients), "seconds": took}

        result = asyncio.run(session())
    finally:
        server.stop()
        dep.servers.remove(server)
    if probe:
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        result["probe"] = lines[:2]
    out.unlink(missing_ok=True)
    return result


# ----------------------------------------------------------------------------------------------------- report


def per_connection(result: dict) -> dict:
    k = max(1, result["connected"])
    b, a = result["before"], result["after"]
    return {key: (a[key] - b[key]) / k for key in ("rss", "heap", "anon")}


def report(name: str, n: int, plain: dict, probed: dict | None, traced: dict | None) -> str:
    per = per_connection(plain)
    lines = [
        f"### {name}: {plain['connected']}/{n} idle sockets connected in {plain['seconds']:.1f} s",
        f"- server RSS {plain['before']['rss'] / 1024:.1f} → {plain['after']['rss'] / 1024:.1f} MB:"
        f" **{per['rss']:.1f} KB per idle connection**",
        f"  - [heap] (glibc malloc) {per['heap']:.1f} KB, other anonymous memory (Python object arenas,"
        f" greenlets' Python data stacks, ...) {per['anon']:.1f} KB,"
        f" the rest {per['rss'] - per['heap'] - per['anon']:.1f} KB",
    ]
    if probed and len(probed.get("probe", [])) == 2:
        p0, p1 = probed["probe"]
        kp = max(1, probed["connected"])
        g0, g1 = p0["greenlets"], p1["greenlets"]
        lines.append(
            f"- probed run ({probed['connected']} sockets): greenlets {(g1['count'] - g0['count']) / kp:.2f} per"
            f" connection, their saved C stacks {(g1['stack_saved'] - g0['stack_saved']) / kp / 1024:.1f} KB per"
            f" connection (greenlet._stack_saved); gc-tracked objects"
            f" {(p1['gc_objects'] - p0['gc_objects']) / kp:.0f} per connection"
        )
        if p0.get("malloc_in_use") is not None:
            lines.append(
                f"  - glibc malloc in use (mallinfo2)"
                f" {(p1['malloc_in_use'] - p0['malloc_in_use']) / kp / 1024:.1f} KB per connection"
            )
        m0, m1 = p0.get("pymalloc", {}), p1.get("pymalloc", {})
        if m0 and m1:
            used = lambda m: sum(m.get(k, 0) for k in ("allocated", "available", "pool_headers", "quantization"))  # noqa: E731
            lines.append(
                f"  - pymalloc (Python's small-object arenas) in used pools {(used(m1) - used(m0)) / kp / 1024:.1f} KB"
                f" per connection ({(m1.get('allocated', 0) - m0.get('allocated', 0)) / kp / 1024:.1f} KB in live"
                " blocks)"
            )
            unused = (m1.get("unused_pools", 0) - m0.get("unused_pools", 0)) / kp / 1024
            lines.append(f"  - pymalloc's emptied pools (resident once touched) {unused:.1f} KB per connection")
            rest = per["anon"] - (used(m1) - used(m0)) / kp / 1024 - unused
            lines.append(
                f"  - anonymous RSS outside pymalloc's pools (mostly the greenlets' Python 3.11 data-stack chunks,"
                f" 16 KB mmaps each, only touched pages resident) ≈ {rest:.1f} KB per connection"
            )
        kinds = {kind: (g1["kinds"].get(kind, 0) - g0["kinds"].get(kind, 0)) / kp for kind in g1["kinds"]}
        shown = ", ".join(f"{kind} {v:.2f}" for kind, v in sorted(kinds.items(), key=lambda kv: -kv[1]) if v >= 0.05)
        lines.append(f"  - greenlets per connection by kind: {shown}")
    if traced and len(traced.get("probe", [])) == 2:
        kp = max(1, traced["connected"])
        t0, t1 = (line.get("tracemalloc") for line in traced["probe"])
        if t0 and t1:
            lines.append(
                f"- traced run ({traced['connected']} sockets): Python allocations (tracemalloc, every PyMem/PyObject"
                f" allocation, greenlet stack copies included) {(t1['traced'] - t0['traced']) / kp / 1024:.1f} KB per"
                " connection; biggest sources per connection:"
            )
            for row in t1["by_line"][:15]:
                lines.append(f"  - {row['size'] / kp:7.0f} B  {row['count'] / kp:5.1f} blocks  {short(row['where'])}")
            lines.append("  - by file:")
            for row in t1["by_file"][:10]:
                lines.append(f"    - {row['size'] / kp:7.0f} B  {short(row['where'])}")
    return "\n".join(lines)


def short(where: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/", "/lib/python3"):
        if marker in where:
            return where.split(marker, 1)[1]
    return where


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=1000, help="idle sockets to connect")
    p.add_argument("--no-bare", action="store_true", help="skip the bare Flask-SocketIO comparison")
    p.add_argument("--no-app", action="store_true", help="skip the product's server")
    p.add_argument("--no-trace", action="store_true", help="skip the probed (tracemalloc) runs")
    p.add_argument("--settle", type=float, default=2.0, help="seconds to wait before each RSS reading")
    p.add_argument("--env", action="append", default=[], help="NAME=VALUE for the servers' environment (repeatable)")
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    extra = dict(item.split("=", 1) for item in args.env)
    targets = []
    if not args.no_app:
        targets.append(Target("app (python wsgi.py)", "wsgi.py", extra, signed_in=True))
    if not args.no_bare:
        targets.append(Target("bare Flask-SocketIO", "bench/memory_bare.py", extra, signed_in=False))
    workdir = Path(tempfile.mkdtemp(prefix="nogalss-memory-"))
    dep = Deployment(workdir)
    print(f"[memory] seeding a fresh database in {workdir} ...", flush=True)
    dep.prepare()
    texts = []
    try:
        for target in targets:
            print(f"[memory] {target.name}: {args.clients} idle sockets ...", flush=True)
            plain = measure(dep, target, args.clients, probe=False, trace=False, settle=args.settle)
            probed = traced = None
            if not args.no_trace:
                print(f"[memory] {target.name}: probed run (greenlets, allocators) ...", flush=True)
                probed = measure(dep, target, args.clients, probe=True, trace=False, settle=args.settle)
                print(f"[memory] {target.name}: traced run (tracemalloc) ...", flush=True)
                traced = measure(dep, target, args.clients, probe=True, trace=True, settle=args.settle)
            texts.append(report(target.name, args.clients, plain, probed, traced))
            print(texts[-1], flush=True)
    finally:
        dep.stop()
    env_text = " ".join(args.env) or "no extra environment"
    print(f"\n`python -m bench.memory --clients {args.clients}` ({env_text})\n")
    print("\n\n".join(texts))


if __name__ == "__main__":
    main()
