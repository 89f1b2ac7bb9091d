"""Views and shared fragments (SPEC §6): which room a dashboard socket joins, what version a panel is at, the cache.

A *view* is what a dashboard's fragments depend on: the dashboard, the viewer's role, the cooperative and the
member shown, and, for the panels that list the viewer's own rows (`Panel.per_user`), the viewer. Two viewers of
one view get byte-identical fragments, so a fragment is rendered once per view and shared: pushed to the view's
room, kept in a bounded cache, and answered with one ETag.

The *version* of a (panel, view) is the newest ChangeLog `v` among the changes that reach the view with one of the
panel's topics. Every server process reads every ChangeLog row (delivery.py), so every process computes the same
versions without talking to the others: that is what makes the ETag and the cluster-wide render claim agree.
Which changes reach a view (and are pushed to it):
- a change to everyone, to the member shown (`user:<id>`) or, for a cooperative's view, to it (`coop:<id>`);
- a change to the viewer's role, unless the view shows one cooperative or member and the change names other
  cooperatives (or, for a member view, other users): a loan of cooperative 2 does not touch cooperative 1's page;
- for a per-user view, a change to that viewer (`user:<id>`).
The versions (ETags) of a member's view also count changes to the member's cooperative: a superset, so a page
reload never gets a 304 for a fragment that a cooperative-wide change may have moved.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from ..models.enums import Role
from . import rooms as room_names
from .stats.panel import Panel
from .stats.scope import Scope

MAX_PUSH_BYTES = 64 * 1024  # a larger fragment is not pushed: its viewers refetch it
# Topics whose changes are not ChangeLog rows (socket counts): their panels have no version, so no ETag or cache.
UNVERSIONED_TOPICS = frozenset({"connections"})


def versioned(panel: Panel) -> bool:
    """Return whether a panel's fragment changes only with ChangeLog changes (so it may be cached and ETagged)."""
    return not UNVERSIONED_TOPICS & set(panel.topics)


@dataclass(frozen=True)
class View:
    """A dashboard for a role and a scope; `user_id` is set for the per-user part of a view only."""

    dashboard: str
    role: str
    cooperative_id: int | None = None
    member_id: int | None = None
    user_id: int | None = None

    @property
    def room(self) -> str:
        """Return the Socket.IO room of the sockets showing this view."""
        return room_names.view_room(self.dashboard, self.role, self.cooperative_id, self.member_id, self.user_id)

    def scope(self, now=None) -> Scope:
        """Return the Scope a fragment of this view is rendered with (the same as `canonical_scope` gives)."""
        extra = {"now": now} if now is not None else {}
        viewer = self.user_id or (self.member_id if self.role == Role.MEMBER.value else 0) or 0
        return Scope(
            viewer,
            Role(self.role),
            cooperative_id=self.cooperative_id,
            member_id=self.member_id,
            **extra,
        )

    def reached_by(self, rooms: Iterable[str]) -> bool:
        """Return whether a change addressed to these rooms reaches this view (see the module docstring)."""
        rooms = set(rooms)
        mine = {room_names.EVERYONE}
        if self.member_id is not None:  # a member's sockets are not in the cooperative's room: nor is the view
            mine.add(room_names.user_room(self.member_id))
        elif self.cooperative_id is not None:
            mine.add(room_names.coop_room(self.cooperative_id))
        if self.user_id is not None:
            mine.add(room_names.user_room(self.user_id))
        if mine & rooms:
            return True
        if room_names.role_room(self.role) not in rooms:
            return False
        names_coops = any(room.startswith("coop:") for room in rooms)
        names_users = any(room.startswith("user:") for room in rooms)
        if self.member_id is not None:
            return not (names_coops or names_users)
        if self.cooperative_id is not None:
            return not names_coops
        return True


def view_of(dashboard: str, panel: Panel, scope: Scope) -> View:
    """Return the view a panel's fragment belongs to for this scope (per-user when the panel lists own rows)."""
    user_id = scope.viewer_id if panel.is_per_user(scope.viewer_role) else None
    return View(dashboard, scope.viewer_role.value, scope.cooperative_id, scope.member_id, user_id)


def shared(scope: Scope) -> bool:
    """Return whether fragments of this scope are shared (pushed, cached, ETagged).

    A parent organization's dashboard is not: which changes reach it depends on its cooperatives, which a view does
    not carry. Its sockets get the signal and refetch, and its panels render for each request.
    """
    return scope.organization_id is None


def views_for(dashboard: str, panels: Iterable[Panel], scope: Scope) -> list[View]:
    """Return the views (shared, and per-user if any panel needs it) a socket showing this dashboard joins."""
    if not shared(scope):
        return []
    found = {view_of(dashboard, panel, scope) for panel in panels}
    return sorted(found, key=lambda view: view.room)


def canonical_scope(dashboard: str, panel: Panel, scope: Scope) -> Scope:
    """Return the scope a panel is built with: the view's, so two viewers of one view get the same fragment."""
    view = view_of(dashboard, panel, scope)
    # A member's own dashboard: the viewer is the member shown (in the view already); otherwise viewer 0.
    viewer = scope.viewer_id if view.user_id is not None or scope.viewer_id == scope.member_id else 0
    return Scope(
        viewer,
        scope.viewer_role,
        cooperative_id=scope.cooperative_id,
        member_id=scope.member_id,
        organization_id=scope.organization_id,
        now=scope.now,
        params=scope.params,
    )


# Versions -------------------------------------------------------------------------------------------------------


class Versions:
    """The newest `v` per (topic, way a change reaches views), fed with every ChangeLog row this process reads."""

    def __init__(self) -> None:
        self.floor = 0  # rows at or below this were not read: every version is at least this
        self._latest: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def reset(self, floor: int = 0) -> None:
        """Forget everything (a new app, a test's fresh database)."""
        with self._lock:
            self._latest.clear()
            self.floor = floor

    def note(self, v: int | None, topics: Iterable[str], rooms: Iterable[str]) -> None:
        """Record one ChangeLog row."""
        if v is None:
            return
        rooms = tuple(rooms)
        names_coops = any(room.startswith("coop:") for room in rooms)
        names_users = any(room.startswith("user:") for room in rooms)
        keys = []
        for room in rooms:
            if room.startswith("role:"):
                keys.append(("any", room))
                if not names_coops:
                    keys.append(("no_coop", room))
                    if not names_users:
                        keys.append(("no_scope", room))
            else:
                keys.append(("room", room))
        with self._lock:
            for topic in topics:
                for how, room in keys:
                    key = (topic, how, room)
                    if self._latest.get(key, 0) < v:
                        self._latest[key] = v

    def of(self, panel: Panel, view: View) -> int:
        """Return the version of a panel in a view (consistent with View.reached_by)."""
        keys = [("room", room_names.EVERYONE)]
        if view.cooperative_id is not None:
            keys.append(("room", room_names.coop_room(view.cooperative_id)))
        if view.member_id is not None:
            keys.append(("room", room_names.user_room(view.member_id)))
        if view.user_id is not None:
            keys.append(("room", room_names.user_room(view.user_id)))
        role = room_names.role_room(view.role)
        if view.member_id is not None:
            keys.append(("no_scope", role))
        elif view.cooperative_id is not None:
            keys.append(("no_coop", role))
        else:
            keys.append(("any", role))
        latest = self._latest
        return max([self.floor, *(latest.get((topic, how, room), 0) for topic in panel.topics for how, room in keys)])


versions = Versions()


def etag_for(view: View, panel: Panel, options: dict[str, str], version: int, now) -> str:
    """Return the ETag of a fragment: (view, panel, options, version, the UTC hour: dates such as "today" move on)."""
    text = "|".join([view.room, panel.name, repr(sorted(options.items())), str(version), now.strftime("%Y-%m-%dT%H")])
    return '"f' + hashlib.blake2b(text.encode(), digest_size=10).hexdigest() + '"'


# The shared cache -----------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """One cached fragment."""

    html: str
    etag: str
    size: int


class FragmentCache:
    """Rendered fragments per (view, panel, options), LRU-bounded by bytes; an entry of an older version is a miss.

    A change bumps the version of exactly the (topic, view) pairs it reaches, so the entries of those views are
    replaced on their next read and every other view's entries stay valid: invalidation by topic and scope.
    """

    def __init__(self, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def configure(self, max_bytes: int) -> None:
        """Set the bound (0 turns the cache off) and empty the cache."""
        self.max_bytes = max_bytes
        self.clear()

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self.bytes = 0

    def get(self, key: tuple, etag: str) -> str | None:
        """Return the cached fragment for key if it is of this ETag's version."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.etag != etag:
                return None
            self._entries.move_to_end(key)
            return entry.html

    def put(self, key: tuple, etag: str, html: str) -> None:
        """Keep a fragment, dropping the least recently used ones beyond the bound."""
        size = len(html.encode()) + 200
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._entries[key] = Entry(html, etag, size)
            self.bytes += size
            while self.bytes > self.max_bytes and self._entries:
                _key, dropped = self._entries.popitem(last=False)
                self.bytes -= dropped.size

    def __len__(self) -> int:
        return len(self._entries)


cache = FragmentCache()


# The views shown by this process's sockets ----------------------------------------------------------------------


class ViewRegistry:
    """Which views this process's sockets show (room → view and how many sockets), for the pusher."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._views: dict[str, tuple[View, int]] = {}
        self._by_sid: dict[str, tuple[View, ...]] = {}

    def add(self, sid: str, views: Iterable[View]) -> None:
        """Record the views a socket joined."""
        views = tuple(views)
        with self._lock:
            self._by_sid[sid] = views
            for view in views:
                known = self._views.get(view.room)
                self._views[view.room] = (view, (known[1] if known else 0) + 1)

    def remove(self, sid: str) -> None:
        """Forget a socket's views."""
        with self._lock:
            for view in self._by_sid.pop(sid, ()):
                known = self._views.get(view.room)
                if known is None:
                    continue
                if known[1] <= 1:
                    del self._views[view.room]
                else:
                    self._views[view.room] = (view, known[1] - 1)

    def of(self, sid: str) -> tuple[View, ...]:
        """Return the views a socket joined."""
        return self._by_sid.get(sid, ())

    def views(self) -> list[View]:
        """Return the views that have at least one socket in this process."""
        with self._lock:
            return [view for view, _count in self._views.values()]

    def reset(self) -> None:
        """Forget every socket's views."""
        with self._lock:
            self._views.clear()
            self._by_sid.clear()


registry = ViewRegistry()
