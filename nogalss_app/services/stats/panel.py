"""A dashboard panel: its name in URLs, title, the topics it depends on, its builder and its query options.

A leaf module: the panel modules (stats/panels/*) declare their panels with it and the registry collects them.
"""

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
        "repayments",
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
    # What needs the viewer's action (a queue, pending applications, the member's forms): the page shows it first.
    lead: bool = False
    # Query parameters the panel accepts: name → allowed values (the first is the default).
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Roles (values, or "*" for all) for which the panel shows the viewer's own rows: it gets a per-user scope.
    per_user: tuple[str, ...] = ()

    def is_per_user(self, role: object) -> bool:
        """Return whether this panel's fragment depends on who views it, for a viewer of this role."""
        return "*" in self.per_user or getattr(role, "value", role) in self.per_user

    def __post_init__(self) -> None:
        unknown = set(self.topics) - TOPICS
        if unknown:
            raise ValueError(f"panel {self.name}: unknown topics {sorted(unknown)}")
