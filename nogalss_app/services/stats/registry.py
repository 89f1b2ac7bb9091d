"""Which panels each dashboard shows, the topics each depends on, and the function that builds it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .scope import Scope

TOPICS = frozenset(
    {
        "activity",
        "alerts",
        "allocations",
        "connections",
        "contributions",
        "cooperatives",
        "expenses",
        "fees",
        "loans",
        "notifications",
        "partners",
        "settings",
        "transactions",
        "users",
        "withdrawals",
    }
)


@dataclass(frozen=True)
class Panel:
    """One dashboard panel: its name in URLs, title, topics, builder and accepted query options."""

    name: str
    title: str
    topics: tuple[str, ...]
    build: Callable[[Scope], dict[str, Any]]
    wide: bool = False
    # Query parameters the panel accepts: name → allowed values (the first is the default).
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.topics) - TOPICS
        if unknown:
            raise ValueError(f"panel {self.name}: unknown topics {sorted(unknown)}")


def dashboard_panels() -> dict[str, list[Panel]]:
    """Return every dashboard's panels in display order."""
    from .panels import apex, apex_funds, finance, leader, member, nogalss_funds, super_admin

    return {
        "super_admin": super_admin.PANELS,
        "finance": finance.PANELS,
        "apex_funds": apex_funds.PANELS,
        "nogalss_funds": nogalss_funds.PANELS,
        "apex": apex.PANELS,
        "leader": leader.PANELS,
        "member": member.PANELS,
    }


def find_panel(dashboard: str, name: str) -> Panel | None:
    """Return a dashboard's panel by name, or None."""
    return next((p for p in dashboard_panels().get(dashboard, []) if p.name == name), None)


def clean_options(panel: Panel, args: dict[str, str]) -> dict[str, str]:
    """Return the panel's options from query args, falling back to defaults for unknown values."""
    return {key: (args.get(key) if args.get(key) in allowed else allowed[0]) for key, allowed in panel.options.items()}
