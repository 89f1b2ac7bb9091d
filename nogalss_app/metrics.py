"""Prometheus metrics of this process (SPEC §6 observability)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

SOCKETS = Gauge("nogalss_connected_sockets", "Open dashboard sockets in this process", ["role"], registry=REGISTRY)
CHANGES = Counter("nogalss_changes_recorded_total", "Change signals committed to the ChangeLog", registry=REGISTRY)
EMITS = Counter(
    "nogalss_emits_total",
    "dashboard:update emits (one per group of sockets getting the same payload)",
    registry=REGISTRY,
)
COALESCED = Counter("nogalss_coalesced_signals_total", "Signals merged into an already pending emit", registry=REGISTRY)
DELIVERY_LAG = Histogram(
    "nogalss_delivery_lag_seconds",
    "From ChangeLog row creation to its emit",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
PANEL_RENDER = Histogram(
    "nogalss_panel_render_seconds",
    "Time to build and render one panel fragment",
    ["dashboard", "panel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
    registry=REGISTRY,
)
SLOW_SOCKETS_DROPPED = Counter(
    "nogalss_slow_sockets_dropped_total",
    "Sockets disconnected because their send queue grew past REALTIME_CLIENT_QUEUE_MAX",
    registry=REGISTRY,
)
THROTTLED_EVENTS = Counter(
    "nogalss_throttled_socket_events_total", "Socket events refused by the throttle", registry=REGISTRY
)
FLOOD_DISCONNECTS = Counter(
    "nogalss_flooding_sockets_dropped_total", "Sockets disconnected for flooding events", registry=REGISTRY
)
CHANGELOG_PRUNED = Counter("nogalss_changelog_pruned_total", "ChangeLog rows deleted by retention", registry=REGISTRY)
PUSHED_FRAGMENTS = Counter(
    "nogalss_pushed_fragments_total", "Panel fragments emitted in dashboard:panels events", registry=REGISTRY
)
PUSH_RENDERS = Counter(
    "nogalss_push_renders_total", "Fragments rendered for a push (once per affected panel and scope)", registry=REGISTRY
)
FRAGMENT_CACHE = Counter(
    "nogalss_fragment_cache_total",
    "Panel requests by outcome (hit, miss, not_modified)",
    ["outcome"],
    registry=REGISTRY,
)
