"""Socket.IO room names, built here and nowhere else (SPEC §6).

`user:<id>`, `role:<ROLE>`, `coop:<id>`, `org:<id>` (a parent organization's logins), everyone.
"""

from __future__ import annotations

from collections.abc import Iterable

EVERYONE = "everyone"


def user_room(user_id: int) -> str:
    """Return the room of one user's sockets."""
    return f"user:{user_id}"


def role_room(role: object) -> str:
    """Return the room of every socket of a role (an enum member or its value)."""
    return f"role:{getattr(role, 'value', role)}"


def coop_room(cooperative_id: int) -> str:
    """Return the room of a cooperative's leader and cooperative logins."""
    return f"coop:{cooperative_id}"


def org_room(organization_id: int) -> str:
    """Return the room of a parent organization's logins."""
    return f"org:{organization_id}"


SUPER_ADMIN = role_room("SUPER_ADMIN")  # the super admin sees everything, including the activity feed


def rooms_for(
    *,
    roles: Iterable[object] = (),
    coop_ids: Iterable[int | None] = (),
    user_ids: Iterable[int | None] = (),
    org_ids: Iterable[int | None] = (),
    everyone: bool = False,
) -> list[str]:
    """Return the sorted room names for a change's audience."""
    if everyone:
        return [EVERYONE]
    rooms: set[str] = {role_room(role) for role in roles}
    rooms |= {coop_room(cid) for cid in coop_ids if cid is not None}
    rooms |= {user_room(uid) for uid in user_ids if uid is not None}
    rooms |= {org_room(oid) for oid in org_ids if oid is not None}
    return sorted(rooms)


def rooms_of(
    user_id: int,
    role: object,
    cooperative_id: int | None,
    *,
    in_coop_room: bool,
    organization_id: int | None = None,
    organization_coop_ids: Iterable[int] = (),
) -> list[str]:
    """Return the rooms a signed-in user's sockets join: user, role, everyone, cooperative if it leads one; an
    organization's login joins its organization and the rooms of the cooperatives under it (it sees them)."""
    rooms = [user_room(user_id), role_room(role), EVERYONE]
    if in_coop_room and cooperative_id is not None:
        rooms.append(coop_room(cooperative_id))
    if organization_id is not None:
        rooms.append(org_room(organization_id))
        rooms += [coop_room(cid) for cid in sorted(set(organization_coop_ids))]
    return rooms
