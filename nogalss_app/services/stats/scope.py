"""Whose figures a panel shows: passed explicitly to every panel function."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ...models.enums import Role
from ...models.types import utcnow


@dataclass(frozen=True)
class Scope:
    """The viewer and, for leader, member, cooperative and parent-organization dashboards, whose figures are viewed."""

    viewer_id: int
    viewer_role: Role
    cooperative_id: int | None = None
    member_id: int | None = None
    organization_id: int | None = None  # the parent organization in view (its own dashboard)
    now: datetime = field(default_factory=utcnow)
    params: dict[str, str] = field(default_factory=dict)  # validated panel options (period, group, status…)

    @property
    def viewing_self(self) -> bool:
        """Return whether a member views their own dashboard (only they may contribute, borrow or withdraw)."""
        return self.member_id is not None and self.member_id == self.viewer_id
