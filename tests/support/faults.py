"""Fault helpers for live-server tests: a Redis of the test's own, a TCP proxy in front of PostgreSQL, and socket
listeners that prove "every client has every change, nothing lost, nothing doubled" (signals list their ChangeLog
ids when the server runs with REALTIME_SIGNAL_IDS=1)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time

import psycopg
import socketio

from .live import free_port, wait_for_port, wait_until

SIGNAL_IDS = {"REALTIME_SIGNAL_IDS": "1"}


class RedisServer:
    """A redis-server on a free port of its own, stopped and started by PID (never the machine's shared Redis)."""

    def __init__(self, workdir) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        """Start (or restart on the same port)."""
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, timeout=10, process=self.process)
        return self

    def stop(self) -> None:
        """Stop by PID."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class TcpProxy:
    """A TCP proxy in front of PostgreSQL that the test switches between forwarding, refusing and silent."""

    def __init__(self, target=("127.0.0.1", 5432)) -> None:
        self.target = target
        self.port = free_port()
        self.mode = "forward"
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._listener: socket.socket | None = None
        self._listen()

    def url_for(self, database_url: str) -> str:
        """Return the database URL with the proxy's port."""
        return database_url.replace("127.0.0.1:5432", f"127.0.0.1:{self.port}")

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if self.mode == "forward":
                    sink.sendall(data)
                # silent: the bytes are swallowed, as by a network that drops packets
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _drop_connections(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                except OSError:
                    pass

    def refuse(self) -> None:
        """Close every connection and the port: connects get ECONNREFUSED."""
        self.mode = "refuse"
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._drop_connections()

    def silent(self) -> None:
        """Keep every connection open but forward nothing either way (the database "goes silent")."""
        self.mode = "silent"

    def forward(self) -> None:
        """Forward again (connections that lost bytes while silent are closed, as a real network would reset them)."""
        if self.mode == "silent":
            self._drop_connections()
        self.mode = "forward"
        if self._listener is None:
            self._listen()

    def close(self) -> None:
        """Stop listening and drop every connection."""
        self.refuse()


class Listener:
    """A dashboard socket that records every signal and sync answer, and reconnects with `dashboard:sync`."""

    def __init__(self, server, session, rooms: list[str], name: str = "") -> None:
        self.server, self.session, self.rooms, self.name = server, session, set(rooms), name or ",".join(rooms)
        self.live: list[list[int]] = []  # ids of each signal received, per connection
        self.synced: list[tuple[int, int | None]] = []  # (since, v) ranges covered by sync answers ("all": None)
        self.last_v = 0
        self.client: socketio.Client | None = None
        self.start_v: int | None = None

    def connect(self, start_v: int | None = None) -> Listener:
        """Connect (again); on a reconnect, ask what changed since the last v seen."""
        if self.start_v is None:
            self.start_v = start_v or 0
            self.last_v = self.start_v
        client = socketio.Client(reconnection=False)
        connection: list[int] = []
        self.live.append(connection)

        def on_update(payload):
            connection.extend(payload.get("ids", []))
            self.last_v = max(self.last_v, payload["v"])

        client.on("dashboard:update", on_update)
        headers = {
            "Cookie": "; ".join(f"{c.name}={c.value}" for c in self.session.cookies),
            "User-Agent": self.session.headers["User-Agent"],
        }
        client.connect(
            self.server.url, socketio_path="/api/socket", transports=["websocket"], wait_timeout=10, headers=headers
        )
        self.client = client
        if len(self.live) > 1:
            self.sync()
        return self

    def sync(self) -> dict:
        """Send `dashboard:sync` with the last v seen; record the range its answer covers."""
        since = self.last_v
        answer = self.client.call("dashboard:sync", {"v": since}, timeout=10)
        assert "error" not in answer, answer
        self.synced.append((since if "topics" in answer else -1, answer["v"]))
        self.last_v = max(self.last_v, answer["v"])
        return answer

    @property
    def connected(self) -> bool:
        return bool(self.client and self.client.connected)

    def disconnect(self) -> None:
        if self.client is not None:
            self.client.disconnect()

    def received_ids(self) -> list[int]:
        return [i for connection in self.live for i in connection]

    def covered(self, row_id: int) -> bool:
        """Return True when a signal or a sync answer told this client about the row."""
        if row_id in self.received_ids():
            return True
        return any(row_id <= v and (since == -1 or row_id > since) for since, v in self.synced)


def changes_for(database_url: str, rooms: set[str], above: int) -> list[int]:
    """Return the ids of the ChangeLog changes above `above` that reach any of the rooms."""
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute("SELECT id, rooms::text FROM change_log WHERE id > %s ORDER BY id", (above,)).fetchall()
    import json

    return [row_id for row_id, room_text in rows if rooms & set(json.loads(room_text))]


def assert_every_client_has_every_change(database_url: str, listeners: list[Listener], timeout: float = 15) -> None:
    """Every client has every change, nothing lost, nothing doubled."""

    def missing():
        return {
            lst.name: [i for i in changes_for(database_url, lst.rooms, lst.start_v or 0) if not lst.covered(i)]
            for lst in listeners
        }

    wait_until(lambda: not any(missing().values()), timeout=timeout, interval=0.2)
    lost = {name: ids for name, ids in missing().items() if ids}
    assert not lost, f"lost changes: {lost}"
    for lst in listeners:
        for connection in lst.live:
            doubled = sorted({i for i in connection if connection.count(i) > 1})
            assert not doubled, f"{lst.name} heard changes twice: {doubled}"
        assert changes_for(database_url, lst.rooms, lst.start_v or 0), f"no change reached {lst.name}'s rooms"


def latest_v(database_url: str) -> int:
    """Return the newest ChangeLog id."""
    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT coalesce(max(id), 0) FROM change_log").fetchone()[0]


def timed(call):
    """Return (result, seconds) of a call."""
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started
