"""Delivery of ChangeLog rows to the sockets of this process: a cursor per process, one flush per window, kicks.

Each server process reads the ChangeLog itself (when woken by a local commit or a queue message, and every
`REALTIME_POLL_MS` in any case) and emits only to its own sockets. The queue carries news, never the truth, so a
queue outage delays signals on the other processes by at most the poll interval and loses nothing. Each process
takes every row exactly once (its cursor), and each flush sends each socket at most one signal covering every row
of that flush in its rooms: nothing is doubled. Rows a transaction inserted but has not committed yet show up as
gaps below the newest row; they are read again until they appear or, on PostgreSQL, until every transaction that
could still commit them has ended (SQLite has one writer at a time and no such gaps). The loop also runs `checks`
every few seconds: `connections.py` uses it to find sockets whose session ended in another process.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa

from .. import metrics
from ..extensions import db, socketio
from ..models import ChangeLog
from ..models.types import utcnow
from .changelog_cursor import Cursor, pg_snapshot
from .local_sockets import drop_slow_sockets

log = logging.getLogger(__name__)

EVENT_NAME = "dashboard:update"
CHECK_EVERY = 2.0  # seconds between runs of the periodic checks (revoked sessions)
BATCH = 500  # rows read per query
TICK = 0.025  # the longest the delivery loop sleeps between its checks
START_WINDOW = 1000  # at start, rows this far below the newest are checked for gaps


@dataclass
class Item:
    """One row (or one row-less signal) waiting in the current flush."""

    id: int | None
    event: str
    topics: tuple[str, ...]
    rooms: tuple[str, ...]
    created_at: object = None


class Dispatcher:
    """Reads the ChangeLog with its cursor, coalesces into flushes, emits to local sockets, applies kicks."""

    def __init__(self) -> None:
        self.mode = "inline"  # "loop" in a server process, "none" in a CLI command or job, "inline" in tests
        self.window = 0.1
        self.max_wait = 0.5
        self.poll_every = 1.0
        self.queue_max = 64
        self.signal_ids = False
        self.running = False
        self.last_v = 0
        self.cursor: Cursor | None = None
        self._woken = False
        self._wakeup = None  # the loop's event (of the server's async mode): a wake or a new item ends its sleep
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._pending: list[Item] = []
        self._first = self._last = 0.0
        self._sent_at = -1e9  # when the last flush went out
        self._leading = False  # the current flush began after a quiet window: it goes out at once
        self._unmarked: set[int] = set()
        self.checks: list = []  # callables run every CHECK_EVERY seconds in the loop, inside an app context
        self.on_rows: list = []  # callables given every ChangeLog row this process reads (views.versions)
        self.on_reset: list = []  # callables run by reset(), with the floor below which no row was read
        self.before_signals: list = []  # callables(items, server) run before the signals of a flush (push)

    def configure(self, config) -> None:
        """Read the REALTIME_* settings."""
        self.window = config.get("REALTIME_WINDOW_MS", 100) / 1000
        self.max_wait = config.get("REALTIME_MAX_WAIT_MS", 500) / 1000
        self.poll_every = config.get("REALTIME_POLL_MS", 1000) / 1000
        self.queue_max = config.get("REALTIME_CLIENT_QUEUE_MAX", 64)
        self.signal_ids = bool(config.get("REALTIME_SIGNAL_IDS", False))

    def reset(self) -> None:
        """Forget the cursor and everything pending (a new app, or a test's fresh database)."""
        with self._lock:
            self._pending.clear()
            self._unmarked.clear()
        self.cursor = None
        self.last_v = 0
        for hook in self.on_reset:
            hook(0)

    # Reading ------------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Read the ChangeLog now: a local commit or the queue said it grew."""
        if self.mode == "loop":
            self._woken = True
            self._nudge()
        elif self.mode == "inline":
            self.read()
            self.drain(force=True)

    def read(self) -> int:
        """Take the rows this process has not taken yet into the current flush; return how many."""
        with self._read_lock:
            if self.cursor is None:
                return self._start()
            rows, snapshot = self._read_rows()
            fresh = self.cursor.take(rows, snapshot, time.monotonic())
            if len(rows) >= BATCH:
                self._woken = True  # more to read
        self._observe(fresh)
        self._queue(fresh)
        return len(fresh)

    def _start(self) -> int:
        """Place the cursor at the newest row; rows never emitted by anyone (a crash, a restart) go out now.

        Rows of the window are read with their emitted stamp in one statement, so a row committed meanwhile is
        either in it (and sent if unstamped) or above the cursor (and read next time): never skipped.
        """
        with db.engine.connect() as conn:
            snapshot = pg_snapshot(conn)
            top = conn.scalar(sa.select(sa.func.max(ChangeLog.id))) or 0
            low = max(0, top - START_WINDOW)
            window = conn.execute(_columns().add_columns(ChangeLog.emitted_at).where(ChangeLog.id > low)).all()
            older = conn.execute(
                _columns()
                .where(ChangeLog.emitted_at.is_(None), ChangeLog.id <= low)
                .order_by(ChangeLog.id)
                .limit(BATCH)
            ).all()
        cursor = Cursor(high=low)
        taken = cursor.take(window, snapshot, time.monotonic())
        for hook in self.on_reset:
            hook(low)
        self._observe([*older, *taken])
        self.cursor = cursor
        self.last_v = max(self.last_v, cursor.high)
        unsent = [*older, *sorted((row for row in window if row.emitted_at is None), key=lambda row: row.id)]
        self._queue(unsent)
        return len(unsent)

    def _read_rows(self):
        """Return the rows above the cursor or in its gaps, and PostgreSQL's snapshot bounds (taken first)."""
        cursor = self.cursor
        wanted = ChangeLog.id > cursor.high
        if cursor.gaps:
            wanted = sa.or_(wanted, ChangeLog.id.in_(sorted(cursor.gaps)[:BATCH]))
        with db.engine.connect() as conn:
            snapshot = pg_snapshot(conn)
            rows = conn.execute(_columns().where(wanted).order_by(ChangeLog.id).limit(BATCH)).all()
        return rows, snapshot

    def _observe(self, rows) -> None:
        """Give the rows just read to the observers (the versions of the fragments)."""
        for hook in self.on_rows:
            hook(rows)

    def caught_up(self) -> None:
        """Read the ChangeLog now if it holds a row this process has not read (a panel request's version)."""
        if self.cursor is None or self.mode == "none":
            return
        with db.engine.connect() as conn:
            top = conn.scalar(sa.select(sa.func.max(ChangeLog.id))) or 0
        if top > self.cursor.high:
            self.read()

    def _queue(self, rows) -> None:
        """Add rows to the current flush."""
        for row in rows:
            self.add(Item(row.id, row.event, tuple(row.topics), tuple(row.rooms), row.created_at))

    def add(self, item: Item) -> None:
        """Add one item to the current flush (row-less items, such as connection counts, come here directly)."""
        now = time.monotonic()
        with self._lock:
            if self._pending:
                metrics.COALESCED.inc()
            else:
                self._first = now
                self._leading = now - self._sent_at >= self.window
            self._pending.append(item)
            self._last = now
        self._nudge()

    def signal(self, item: Item) -> None:
        """Send a row-less signal (e.g. connection counts) with the next flush."""
        self.add(item)
        if self.mode == "inline":
            self.drain(force=True)

    # Sending ------------------------------------------------------------------------------------------------

    def drain(self, force: bool = False) -> None:
        """Send the current flush when due; mark its rows emitted.

        A flush that began after a quiet window (no flush in the last `window`) is due at once: a lone change costs
        no waiting. Changes arriving within a window of a flush are coalesced until the window passes with no new
        one, or the first of them has waited `max_wait`.
        """
        now = time.monotonic()
        with self._lock:
            if not self._pending:
                return
            if not (force or self._leading or now - self._last >= self.window or now - self._first >= self.max_wait):
                return
            items, self._pending = self._pending, []
            self._sent_at = now
        self._emit(items)
        self._unmarked |= {item.id for item in items if item.id is not None}
        self._mark(items)

    def _emit(self, items: list[Item]) -> None:
        """Send each local socket one signal covering every item of its rooms, after the pushed fragments.

        Before the signals, `before_signals` (push.py) renders each affected (panel, view) once and emits
        `dashboard:panels` to its view room; a failure there costs the push only, never the signals.
        """
        server = socketio.server
        if server is None or not items:
            return
        for hook in self.before_signals:
            try:
                hook(items, server)
            except Exception:
                log.exception("pushing fragments failed; the signals go out and the clients refetch")
        per_sid: dict[str, set[int]] = {}
        for index, item in enumerate(items):
            for room in item.rooms:
                for sid, _eio_sid in server.manager.get_participants("/", room):
                    per_sid.setdefault(sid, set()).add(index)
        groups: dict[frozenset[int], list[str]] = {}
        for sid, indexes in per_sid.items():
            groups.setdefault(frozenset(indexes), []).append(sid)
        for indexes, sids in groups.items():
            server.emit(EVENT_NAME, self._payload([items[i] for i in sorted(indexes)]), to=sids, ignore_queue=True)
            metrics.EMITS.inc()
        self.last_v = max([self.last_v, *(item.id or 0 for item in items)])

    def _payload(self, items: list[Item]) -> dict:
        """Build `{v, event, topics}` for items (`ids` too when REALTIME_SIGNAL_IDS is on)."""
        ids = [item.id for item in items if item.id is not None]
        events = {item.event for item in items}
        payload = {
            "v": max(ids) if ids else self.last_v,
            "event": events.pop() if len(events) == 1 else "batch",
            "topics": sorted({topic for item in items for topic in item.topics}),
        }
        if self.signal_ids:
            payload["ids"] = ids
        return payload

    def _mark(self, items: list[Item]) -> None:
        """Stamp emitted rows (kept for a retry when the database is down); observe their delivery lag."""
        now = utcnow()
        for item in items:
            if item.created_at is not None:
                metrics.DELIVERY_LAG.observe(max((now - item.created_at).total_seconds(), 0.0))
        ids = sorted(self._unmarked)
        if not ids:
            return
        try:
            with db.engine.begin() as conn:
                conn.execute(
                    sa.update(ChangeLog)
                    .where(ChangeLog.id.in_(ids), ChangeLog.emitted_at.is_(None))
                    .values(emitted_at=now)
                )
        except Exception as exc:
            log.warning("could not mark %d ChangeLog rows emitted (%s); retrying", len(ids), type(exc).__name__)
            return
        self._unmarked.difference_update(ids)

    # The loop -----------------------------------------------------------------------------------------------

    def _nudge(self) -> None:
        """End the loop's sleep now (a wake, or an item whose window starts)."""
        if self._wakeup is not None:
            self._wakeup.set()

    def _sleep_for(self, now: float) -> float:
        """How long the loop may sleep: until the current flush is due, at most one tick."""
        with self._lock:
            if not self._pending:
                return TICK
            if self._leading:
                return 0.0
            due = min(self._last + self.window, self._first + self.max_wait)
        return max(0.0, min(TICK, due - now))

    def loop(self, app) -> None:
        """Drain each flush when due and read the ChangeLog when woken (both without waiting for a tick), read every
        poll interval, drop slow sockets.
        """
        next_read = next_check = next_checks = 0.0
        server = socketio.server
        self._wakeup = server.eio.create_event() if server is not None else None
        while self.running:
            if self._wakeup is not None:
                self._wakeup.clear()  # before reading the state: a wake from here on ends the coming sleep
            now = time.monotonic()
            try:
                with app.app_context():
                    if self._woken or now >= next_read:
                        self._woken = False
                        next_read = now + self.poll_every
                        self.read()
                    self.drain()
                    if self._unmarked and not self._pending:
                        self._mark([])
                    if now >= next_checks:
                        next_checks = now + CHECK_EVERY
                        for check in self.checks:
                            check()
            except Exception as exc:
                log.warning("realtime delivery iteration failed (%s); retrying", type(exc).__name__)
                next_read = now + self.poll_every
            if now >= next_check:
                next_check = now + 1.0
                drop_slow_sockets(self.queue_max)
            if self._woken:
                continue
            pause = self._sleep_for(time.monotonic())
            if self._wakeup is None:
                socketio.sleep(pause)
            elif pause > 0:
                self._wakeup.wait(pause)
            else:
                socketio.sleep(0)  # due now: let the other greenlets run, then drain


def _columns():
    return sa.select(ChangeLog.id, ChangeLog.event, ChangeLog.topics, ChangeLog.rooms, ChangeLog.created_at)


dispatcher = Dispatcher()
