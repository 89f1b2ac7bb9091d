"""Lean Socket.IO clients for the benchmark: every socket of the run on one asyncio loop in one thread.

The load generator shares the machine's two cores with the server it measures, so it must cost little per message.
python-socketio's threaded `Client` (used by the first runs) keeps two threads per socket and starts a new thread for
every message it receives: at N = 1,000 a change that pushes one fragment to each dashboard started ~2,000 threads
in the bench process, and the bench's own scheduling, not the server, decided when the last dashboard saw its
fragment. A browser receives a pushed fragment on its own machine; this client comes closer to that.

It speaks just what the dashboards use, over a WebSocket (`websockets`, asyncio): Engine.IO 4 (open packet, ping →
pong, close) and Socket.IO 5 on the default namespace (connect with `auth`, events, connect errors, disconnect).
Event handlers run on the loop's thread and must not block (the bench's only take a lock and append).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable

from websockets.asyncio.client import connect as ws_connect


class ConnectError(RuntimeError):
    """The server refused the Socket.IO connection (its `44` packet), or the handshake did not finish."""


class Hub:
    """One asyncio loop, in a daemon thread, holding every socket; methods are called from other threads."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bench-sockets", daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float | None = None):
        """Run a coroutine on the hub's loop and return its result (from any other thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def connect(self, url: str, **kwargs) -> LeanSocket:
        """Connect one socket (see LeanSocket.open) and return it once the server has accepted it."""
        sock = LeanSocket(self, url, **kwargs)
        self.run(sock.open(), timeout=kwargs.get("wait_timeout", 20) + 5)
        return sock

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


class LeanSocket:
    """A Socket.IO client on the default namespace: connect(auth), receive events, answer pings, disconnect."""

    def __init__(
        self,
        hub: Hub,
        url: str,
        *,
        path: str = "/api/socket",
        headers: dict[str, str] | None = None,
        auth: dict | None = None,
        handlers: dict[str, Callable] | None = None,
        wait_timeout: float = 20,
    ) -> None:
        self.hub = hub
        self.uri = url.replace("http://", "ws://", 1).rstrip("/") + path.rstrip("/") + "/?EIO=4&transport=websocket"
        self.origin = url.rstrip("/")
        self.headers = dict(headers or {})
        self.auth = auth
        self.handlers = handlers or {}
        self.wait_timeout = wait_timeout
        self.ws = None
        self.sid: str | None = None
        self.connected = False
        self.received = 0
        self.reader: asyncio.Task | None = None

    async def open(self) -> None:
        user_agent = self.headers.pop("User-Agent", None)
        self.ws = await ws_connect(
            self.uri,
            origin=self.origin,
            additional_headers=self.headers,
            user_agent_header=user_agent,
            compression=None,
            ping_interval=None,  # Engine.IO pings at its own level; the server answers nothing else
            max_size=None,
            open_timeout=self.wait_timeout,
        )
        try:
            opened = await asyncio.wait_for(self.ws.recv(), self.wait_timeout)
            if not opened.startswith("0"):
                raise ConnectError(f"expected the Engine.IO open packet, got {opened[:80]!r}")
            await self.ws.send("40" + (json.dumps(self.auth) if self.auth is not None else ""))
            while True:
                reply = await asyncio.wait_for(self.ws.recv(), self.wait_timeout)
                if reply.startswith("40"):
                    self.sid = json.loads(reply[2:] or "{}").get("sid")
                    break
                if reply.startswith("44"):
                    raise ConnectError(f"connection refused: {reply[2:200]}")
                if reply == "2":
                    await self.ws.send("3")
        except BaseException:
            await self.ws.close()
            raise
        self.connected = True
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                if isinstance(message, bytes):
                    continue
                if message == "2":
                    await self.ws.send("3")
                elif message.startswith("42"):
                    self.received += 1
                    event, *args = json.loads(message[2:])
                    handler = self.handlers.get(event)
                    if handler is not None:
                        handler(*args)
                elif message.startswith("41") or message == "1":
                    break
        except Exception:  # noqa: BLE001 - a dropped socket ends its reader; `connected` tells the bench
            pass
        finally:
            self.connected = False
            disconnected = self.handlers.get("disconnect")
            if disconnected is not None:
                disconnected()

    async def _close(self) -> None:
        if self.ws is None:
            return
        if self.connected:
            with contextlib.suppress(Exception):  # already gone
                await self.ws.send("41")
        await self.ws.close()
        if self.reader is not None:
            await asyncio.wait([self.reader], timeout=5)

    def disconnect(self) -> None:
        """Leave the namespace and close the WebSocket (from any thread)."""
        self.hub.run(self._close(), timeout=15)
