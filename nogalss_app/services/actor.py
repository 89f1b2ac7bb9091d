"""Who is acting: the value the web layer (or a CLI, a job, a test) hands to a service that decides by role."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import Role, User


@dataclass(frozen=True)
class Actor:
    """The acting user's id, role and cooperative (None for a role without one, or for the system itself)."""

    id: int | None
    role: Role | None
    cooperative_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        """Return the actor for a signed-in (or loaded) user."""
        return cls(id=user.id, role=user.role, cooperative_id=user.cooperative_id)


SYSTEM = Actor(id=None, role=None)
