"""The message queue between processes (Redis pub/sub): it carries news ("the ChangeLog grew"), never the truth.

Every server process subscribes to one channel and reports itself subscribed only after Redis confirmed the
subscription and while it keeps answering pings; a lost subscription is retried quickly (0.1 s, doubling to 2 s)
instead of python-socketio's 1 → 60 s backoff. Publishing raises `QueueUnavailable` instead of logging and
returning, so callers can say honestly that the queue did not take a message.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

PING_EVERY = 2.0  # seconds between pings on the subscription
SILENT_AFTER = 6.0  # no message (not even a pong) for this long: the subscription is dead
MAX_BACKOFF = 2.0


class QueueUnavailable(Exception):
    """The message queue did not take a message."""


class QueueLink:
    """One process's publisher and subscriber on the configured Redis channel."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.channel = "nogalss-socketio"
        self.subscribed = False
        self.running = False
        self.subscriptions = 0  # how many times this process (re)subscribed; a fresh one means a gap to fill
        self._handlers: list[Callable[[dict], None]] = []
        self._publisher = None

    def configure(self, url: str | None, channel: str) -> None:
        """Point the link at a Redis URL (None: no queue, one process) and a channel."""
        self.stop()
        self.url, self.channel = url, channel
        self._publisher = None

    @property
    def configured(self) -> bool:
        """Return True when a message queue is configured."""
        return bool(self.url)

    def on_message(self, handler: Callable[[dict], None]) -> None:
        """Call `handler(message)` for every message received (and `{"kind": "subscribed"}` on each subscription)."""
        if handler not in self._handlers:
            self._handlers.append(handler)

    def status(self) -> str:
        """Return 'ok', 'not configured' or why the queue is not usable by this process."""
        if not self.configured:
            return "not configured"
        if self.running and not self.subscribed:
            return "failing (not subscribed)"
        try:
            self._client().ping()
        except Exception as exc:
            self._publisher = None
            return f"failing ({type(exc).__name__})"
        return "ok"

    def publish(self, kind: str, **data) -> int:
        """Publish a message; return how many subscribers received it, or raise QueueUnavailable."""
        if not self.configured:
            raise QueueUnavailable("no message queue is configured")
        try:
            return int(self._client().publish(self.channel, json.dumps({"kind": kind, **data})))
        except Exception as exc:
            self._publisher = None
            raise QueueUnavailable(f"the message queue did not take the message ({type(exc).__name__})") from exc

    def client(self):
        """Return a Redis client on the queue's server (for the fragment claims and the shared fragments)."""
        return self._client()

    def _client(self):
        """Return the publishing client (short timeouts: a silent Redis never holds a request)."""
        if self._publisher is None:
            import redis

            self._publisher = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)
        return self._publisher

    def stop(self) -> None:
        """Ask the listener to stop."""
        self.running = False
        self.subscribed = False

    def listen(self, sleep: Callable[[float], None]) -> None:
        """Stay subscribed until stopped, resubscribing quickly after any failure (run as a background task)."""
        self.running = True
        backoff = 0.1
        while self.running:
            try:
                self._listen_once()
                backoff = 0.1
            except Exception as exc:
                if self.subscribed:
                    log.warning("message queue subscription lost (%s); resubscribing", type(exc).__name__)
                self.subscribed = False
                sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _listen_once(self) -> None:
        """Subscribe, then read messages until the connection fails, goes silent, or the link stops."""
        import redis

        client = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=SILENT_AFTER)
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.channel)
            last_heard = last_ping = time.monotonic()
            while self.running:
                message = pubsub.get_message(timeout=0.5)
                now = time.monotonic()
                if message is not None:
                    last_heard = now
                    self._handle(message)
                if now - last_ping >= PING_EVERY:
                    pubsub.ping()
                    last_ping = now
                if now - last_heard > SILENT_AFTER:
                    raise TimeoutError("the message queue stopped answering")
        finally:
            self.subscribed = False
            pubsub.close()
            client.close()

    def _handle(self, message: dict) -> None:
        """Turn a Redis pub/sub message into a call of the handlers."""
        if message["type"] == "subscribe":
            self.subscribed = True
            self.subscriptions += 1
            self._dispatch({"kind": "subscribed"})
        elif message["type"] == "message":
            try:
                data = json.loads(message["data"])
            except (TypeError, ValueError):
                return
            if isinstance(data, dict):
                self._dispatch(data)

    def _dispatch(self, data: dict) -> None:
        for handler in self._handlers:
            try:
                handler(data)
            except Exception:
                log.exception("message queue handler failed")


link = QueueLink()
