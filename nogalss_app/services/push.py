"""Render once, push (SPEC §6): after a flush's window, each affected (panel, view) is rendered once and emitted.

For each view shown by a socket of this process, the changes of the flush that reach it (views.View.reached_by)
and touch one of its panels' topics make that panel affected. Each affected (panel, view) is rendered once with the
view's scope and default options, emitted as `dashboard:panels` to the view's room, and kept in the shared cache
(so the refetches and page loads that follow are served without rendering). The delivery then sends the
`dashboard:update` signal of the same `v`.

Several processes: every process reads every ChangeLog row, so each knows the same versions and the same affected
pairs for its own sockets. The first process to claim a fragment's ETag in Redis (`SET NX`) renders it and stores
it in Redis for a minute; the others read it from there. A pair is therefore rendered once in the cluster whatever
number of processes show it; a pair shown by no socket anywhere is never rendered. A process that waits longer
than `claim_wait` for another's render sends no fragment for that pair: its sockets refetch after the signal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from .. import metrics
from ..extensions import socketio
from ..models.types import utcnow
from .delivery import dispatcher
from .queue_link import link
from .stats.panel import Panel
from .stats.registry import clean_options, dashboard_panels
from .views import MAX_PUSH_BYTES, View, cache, etag_for, registry, versions
from .views import versioned as views_versioned

log = logging.getLogger(__name__)

PANELS_EVENT = "dashboard:panels"
BANNER = Panel("banner", "Alert", ("alerts",), lambda scope: {})
BANNER_VIEW = View("*", "SUPER_ADMIN")  # the banner is the same for everyone: one view, one fragment
STORE_TTL = 60  # seconds a fragment stays in Redis for the other processes


class Pusher:
    """Renders the affected fragments of a flush once and emits them before the signals."""

    def __init__(self) -> None:
        self.enabled = True
        self.claim_wait = 1.0
        self.renders = 0  # fragments rendered by this process for pushes (tests and the bench read it)
        # Set by the web layer: render(dashboard, panel, scope) -> html or None; banner() -> html; slug of a key.
        self.render: Callable | None = None
        self.banner: Callable[[], str] | None = None
        self.slugs: dict[str, str] = {}
        self.sleep: Callable[[float], None] = time.sleep

    def configure(self, config) -> None:
        """Read REALTIME_PUSH (on by default) and the fragment cache's bound."""
        self.enabled = bool(config.get("REALTIME_PUSH", True))
        cache.configure(int(config.get("FRAGMENT_CACHE_BYTES", 16 * 1024 * 1024)))

    def push(self, items, server) -> int:
        """Emit `dashboard:panels` for every affected (panel, view) of this process; return how many fragments."""
        if not self.enabled or self.render is None or server is None:
            return 0
        changes = [item for item in items if item.id is not None]
        if not changes:
            return 0
        # Every fragment is rendered after every change of the flush was committed, so it shows them all: it carries
        # the flush's newest v, the v of the signal that follows (a change of the flush that does not reach the
        # view, such as a notification to one officer, must not make the pushed panel look older than the signal).
        flush_v = max(item.id for item in changes)
        sent = self._push_banner(changes, server, flush_v)
        now = utcnow()
        for view in registry.views():
            reaching = [item for item in changes if view.reached_by(item.rooms)]
            if not reaching:
                continue
            topics = {topic for item in reaching for topic in item.topics}
            panels = [
                panel
                for panel in dashboard_panels().get(view.dashboard, [])
                if topics & set(panel.topics)
                and views_versioned(panel)
                and panel.is_per_user(view.role) == (view.user_id is not None)
            ]
            fragments = [fragment for panel in panels if (fragment := self.fragment(view, panel, now)) is not None]
            if not fragments:
                continue
            payload = {
                "v": flush_v,
                "dashboard": self.slugs.get(view.dashboard, view.dashboard),
                "panels": fragments,
            }
            server.emit(PANELS_EVENT, payload, to=view.room, ignore_queue=True)
            metrics.PUSHED_FRAGMENTS.inc(len(fragments))
            sent += len(fragments)
        return sent

    def fragment(self, view: View, panel: Panel, now) -> dict | None:
        """Return `{name, html, etag}` of a panel in a view, rendered once in the cluster; None to let it refetch."""
        options = clean_options(panel, {})
        etag = etag_for(view, panel, options, versions.of(panel, view), now)
        key = (view.room, panel.name, tuple(sorted(options.items())))
        html = cache.get(key, etag)
        if html is None:
            html = self._shared(etag, lambda: self._render(view, panel, now))
            if html is None:
                return None
            cache.put(key, etag, html)
        if len(html.encode()) > MAX_PUSH_BYTES:
            return None
        return {"name": panel.name, "html": html, "etag": etag}

    def _render(self, view: View, panel: Panel, now) -> str | None:
        if panel is BANNER:
            html = self.banner() if self.banner else None
        else:
            html = self.render(view.dashboard, panel, view.scope(now))
        if html is not None:
            self.renders += 1
            metrics.PUSH_RENDERS.inc()
        return html

    def _shared(self, etag: str, render: Callable[[], str | None]) -> str | None:
        """Render, or with Redis: render if this process wins the claim, else read the winner's fragment."""
        if not link.configured:
            return render()
        try:
            store = link.client()
            if store.set(f"{link.channel}:claim:{etag}", "1", nx=True, ex=STORE_TTL):
                html = render()
                # An empty value tells the others the render failed (their sockets refetch), so none waits for it.
                store.set(f"{link.channel}:frag:{etag}", (html or "").encode(), ex=STORE_TTL)
                return html
            deadline = time.monotonic() + self.claim_wait
            while time.monotonic() < deadline:
                found = store.get(f"{link.channel}:frag:{etag}")
                if found is not None:
                    return found.decode() or None
                self.sleep(0.005)
        except Exception as exc:  # the queue is down: render here rather than not at all
            log.info("fragment claim unavailable (%s); rendering locally", type(exc).__name__)
            return render()
        return None

    def _push_banner(self, changes, server, flush_v: int) -> int:
        """Push the alert banner to the rooms of the alert changes of this flush (everyone, for an alert)."""
        alerts = [item for item in changes if "alerts" in item.topics]
        if not alerts or self.banner is None:
            return 0
        fragment = self.fragment(BANNER_VIEW, BANNER, utcnow())
        if fragment is None:
            return 0
        rooms = sorted({room for item in alerts for room in item.rooms})
        payload = {"v": flush_v, "dashboard": "*", "panels": [fragment]}
        server.emit(PANELS_EVENT, payload, to=rooms if len(rooms) > 1 else rooms[0], ignore_queue=True)
        metrics.PUSHED_FRAGMENTS.inc()
        return 1


pusher = Pusher()


def _note_rows(rows) -> None:
    for row in rows:
        versions.note(row.id, row.topics, row.rooms)


def _reset(floor: int) -> None:
    versions.reset(floor)
    cache.clear()


dispatcher.on_rows.append(_note_rows)
dispatcher.on_reset.append(_reset)
dispatcher.before_signals.append(pusher.push)


def init_app(app) -> None:
    """Read this app's push settings; the dispatcher renders and pushes through `pusher.push` before its signals."""
    pusher.configure(app.config)
    pusher.sleep = socketio.sleep
