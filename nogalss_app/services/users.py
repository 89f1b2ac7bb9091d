"""Admin verbs on accounts: list and search, create (any role, or a staff role fixed by the caller), edit.

Each verb takes the acting super admin's id as an argument, validates, writes, audits, records its change signal
and commits; sockets of a user whose sessions were ended are disconnected after the commit. Switching accounts
on/off (one or in bulk) and deleting live in users_status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Cooperative, LeaderLink, Role, User
from ..models.types import utcnow
from . import accounts, connections, realtime
from .audit import audit_and_signal, person_name
from .auth import end_all_sessions
from .errors import Conflict, NotFound, ValidationFailed
from .fields import clean_lookup_text, id_from_text, is_id, require_mapping, text_field
from .pages import Page, list_query, page_of
from .transitions import refusals_roll_back

CREATE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "password",
    "role",
    "cooperative_id",
    "parent_organization_id",
)
STAFF_FIELDS = ("first_name", "last_name", "email", "phone", "password")
EDITABLE_FIELDS = ("first_name", "last_name", "phone", "role", "cooperative_id")
AUDITED = ("email", "first_name", "last_name", "phone", "role", "cooperative_id", "is_active", "is_verified")
AUDIENCE = (Role.SUPER_ADMIN, Role.APEX, Role.FINANCE)  # finance's users_by_role panel counts users too
MAX_BULK = 100
SORTS = {"created_at": User.created_at, "email": User.email, "last_name": User.last_name, "role": User.role}
PHONE = re.compile(r"\+?[0-9][0-9 ()-]{3,30}", re.ASCII)
# action → (column, value, event, past-tense word)
ACTIONS: dict[str, tuple[str, bool, str, str]] = {
    "activate": ("is_active", True, "user.activated", "active"),
    "deactivate": ("is_active", False, "user.deactivated", "inactive"),
    "verify": ("is_verified", True, "user.verified", "verified"),
    "unverify": ("is_verified", False, "user.unverified", "unverified"),
}
# Reading -----------------------------------------------------------------------------------------------------


def get_user(user_id: int) -> User:
    """Return the user or raise NotFound."""
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None:
        raise NotFound("User not found.")
    return user


def parse_filters(args: Mapping[str, str]) -> dict[str, Any]:
    """Return validated list filters (role, is_active, cooperative_id) from query arguments; 422 when invalid."""
    errors: dict[str, str] = {}
    filters: dict[str, Any] = {}
    role = (args.get("role") or "").strip()
    if role:
        if role.upper() in Role.__members__:
            filters["role"] = Role[role.upper()]
        else:
            errors["role"] = f"must be one of {', '.join(Role.__members__)}"
    active = (args.get("is_active") or "").strip().lower()
    if active:
        if active in ("true", "1", "false", "0"):
            filters["is_active"] = active in ("true", "1")
        else:
            errors["is_active"] = "must be true or false"
    coop = (args.get("cooperative_id") or "").strip()
    if coop:
        if id_from_text(coop) is not None:
            filters["cooperative_id"] = id_from_text(coop)
        else:
            errors["cooperative_id"] = "must be a cooperative id"
    if errors:
        raise ValidationFailed("Check the filters.", errors)
    return filters


def users_query(q: str = "", *, role: Role | None = None, is_active=None, cooperative_id=None) -> sa.Select:
    """Return the query of users matching a search over name and email and the given filters (unordered)."""
    query = sa.select(User)
    if q:
        full_name = User.first_name + " " + User.last_name
        query = query.where(
            sa.or_(*(column.icontains(q, autoescape=True) for column in (User.email, full_name, User.last_name)))
        )
    if role is not None:
        query = query.where(User.role == role)
    if is_active is not None:
        query = query.where(User.is_active.is_(is_active))
    if cooperative_id is not None:
        query = query.where(User.cooperative_id == cooperative_id)
    return query


def list_users(args: Mapping[str, str], *, per_page: int | None = None, lenient: bool = False) -> Page[User]:
    """Return one page of accounts searched (name, email), filtered (role, is_active, cooperative_id) and sorted.

    Lenient (the HTML list): arguments it cannot read fall back to their defaults, and refused filters are
    set aside in `ignored`; otherwise they are refused with 422.
    """
    query = list_query(args, SORTS, "created_at", per_page=per_page, lenient=lenient)
    ignored: dict[str, str] = {}
    try:
        filters = parse_filters(args)
    except ValidationFailed as exc:
        if not lenient:
            raise
        filters, ignored = {}, exc.fields
    return page_of(users_query(query.q, **filters), query, SORTS, filters=filters, ignored=ignored)


def find_by_email(email: object) -> User | None:
    """Return the user with this email (case and surrounding spaces ignored), if any."""
    text = clean_lookup_text(email, 254)
    return db.session.scalar(sa.select(User).where(User.email == text.lower())) if text else None


# Shared checks -----------------------------------------------------------------------------------------------


def _unknown_fields(data: Mapping[str, Any], allowed: tuple[str, ...], errors: dict[str, str]) -> None:
    """Note every field the endpoint does not accept."""
    for name in data:
        if name not in allowed:
            errors[str(name)[:64]] = "unknown field"


def _role(value: object, errors: dict[str, str]) -> Role | None:
    """Return the role named by value; note an error otherwise."""
    if isinstance(value, str) and value.strip().upper() in Role.__members__:
        return Role[value.strip().upper()]
    errors["role"] = f"must be one of {', '.join(Role.__members__)}"
    return None


def _phone(value: object, errors: dict[str, str]) -> str | None:
    """Return an optional phone number (digits, spaces, + ( ) -, at most 32 characters); note an error otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not PHONE.fullmatch(value.strip()):
        errors["phone"] = "enter a phone number of digits (a leading + allowed), at most 32 characters"
        return None
    return value.strip()


def _cooperative_id(value: object, errors: dict[str, str]) -> int | None:
    """Return an optional id of an existing cooperative; note an error otherwise."""
    if value is None:
        return None
    if not is_id(value) or db.session.get(Cooperative, value) is None:
        errors["cooperative_id"] = "choose an existing cooperative"
        return None
    return value


def user_state(user: User) -> dict[str, Any]:
    """Return the audited fields of a user (never the password)."""
    return {name: getattr(user, name) for name in AUDITED}


def _rooms(user: User, *coop_ids: int | None) -> list[str]:
    """Return the rooms told about a change of this user: staff overviews, the cooperatives, the user."""
    return realtime.rooms_for(roles=AUDIENCE, coop_ids=[user.cooperative_id, *coop_ids], user_ids=[user.id])


def signal_user_change(
    event: str, user: User, before: dict | None, after: dict | None, *, extra_coops=(), **kw
) -> None:
    """Audit and signal a change of one user; membership counts move when a cooperative is involved."""
    topics = ["users", "cooperatives"] if user.cooperative_id or any(extra_coops) else ["users"]
    audit_and_signal(
        event, "user", user.id, before=before, after=after, topics=topics, rooms=_rooms(user, *extra_coops), **kw
    )


def disconnect_users(user_ids: list[int]) -> None:
    """Close the sockets of users whose sessions just ended (after the commit)."""
    for user_id in user_ids:
        connections.kick_user(user_id)


# Creating ----------------------------------------------------------------------------------------------------


def _create_fields(data: Mapping[str, Any], allowed: tuple[str, ...], role: Role | None) -> dict[str, Any]:
    """Check the types of a new account's fields (accounts.create_user checks the rest); 422 when wrong."""
    errors: dict[str, str] = {}
    _unknown_fields(data, allowed, errors)
    fields: dict[str, Any] = {}
    for name in ("first_name", "last_name", "email", "password"):
        value = data.get(name)
        if value is None or value == "":
            errors[name] = "required"
        elif not isinstance(value, str):
            errors[name] = "must be text"
        fields[name] = value
    fields["phone"] = _phone(data.get("phone"), errors)
    fields["role"] = role or _role(data.get("role"), errors)
    fields["cooperative_id"] = None if role else data.get("cooperative_id")
    if fields["cooperative_id"] is not None and not is_id(fields["cooperative_id"]):
        errors["cooperative_id"] = "choose an existing cooperative"
    fields["parent_organization_id"] = None if role else data.get("parent_organization_id")
    if fields["parent_organization_id"] is not None and not is_id(fields["parent_organization_id"]):
        errors["parent_organization_id"] = "choose an existing parent organization"
    if errors:
        raise ValidationFailed("Check the account details.", errors)
    return fields


@refusals_roll_back
def create_account(data: object, *, actor_id: int, role: Role | None = None, now: datetime | None = None) -> User:
    """Create an account (role from the body, or fixed by the caller for staff accounts); 409 for a used email."""
    data = require_mapping(data)
    fields = _create_fields(data, STAFF_FIELDS if role else CREATE_FIELDS, role)
    try:
        return accounts.create_user(**fields, actor_id=actor_id, now=now or utcnow())
    except sa.exc.IntegrityError:  # a concurrent create took the email between the check and the commit
        db.session.rollback()
        raise Conflict("email already in use", {"email": "email already in use"}) from None


# Editing -----------------------------------------------------------------------------------------------------


def _edit_changes(user: User, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the fields of an edit whose values differ from the user's; 422 for unknown or invalid fields."""
    errors: dict[str, str] = {}
    _unknown_fields(data, EDITABLE_FIELDS, errors)
    if not data:
        errors["body"] = f"send at least one of {', '.join(EDITABLE_FIELDS)}"
    wanted: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        if name in data:
            wanted[name] = text_field(data, name, errors, min_len=1, max_len=100)
    if "phone" in data:
        wanted["phone"] = _phone(data["phone"], errors)
    if "role" in data:
        wanted["role"] = _role(data["role"], errors)
    if "cooperative_id" in data:
        wanted["cooperative_id"] = _cooperative_id(data["cooperative_id"], errors)
    if errors:
        raise ValidationFailed("Check the account details.", errors)
    role = wanted.get("role", user.role)
    if "role" in wanted and role not in accounts.ROLES_NEEDING_COOPERATIVE and "cooperative_id" not in wanted:
        wanted["cooperative_id"] = None  # leaving a cooperative role leaves the cooperative
    coop = wanted.get("cooperative_id", user.cooperative_id)
    if role in accounts.ROLES_NEEDING_COOPERATIVE and coop is None:
        errors["cooperative_id"] = f"a {role.label} account needs a cooperative"
    elif role not in accounts.ROLES_NEEDING_COOPERATIVE and coop is not None:
        errors["cooperative_id"] = f"a {role.label} account has no cooperative"
    if errors:
        raise ValidationFailed("Check the account details.", errors)
    return {name: value for name, value in wanted.items() if getattr(user, name) != value}


def _relink_leader(user: User, role: Role, coop_id: int | None, now: datetime) -> None:
    """Keep the user's leader link in step with a new role or cooperative (one leader per cooperative)."""
    link = db.session.scalar(sa.select(LeaderLink).where(LeaderLink.user_id == user.id))
    if role is not Role.LEADER:
        if link is not None:
            db.session.delete(link)
        return
    taken = db.session.scalar(
        sa.select(LeaderLink.id).where(LeaderLink.cooperative_id == coop_id, LeaderLink.user_id != user.id)
    )
    if taken:
        raise Conflict("That cooperative already has a leader.", {"cooperative_id": "already has a leader"})
    if link is None:
        db.session.add(LeaderLink(cooperative_id=coop_id, user_id=user.id, created_at=now))
    else:
        link.cooperative_id = coop_id


@refusals_roll_back
def update_user(user_id: int, data: object, *, actor_id: int, now: datetime | None = None) -> User:
    """Change names, phone, role or cooperative; a role or cooperative change signs the user out everywhere."""
    now = now or utcnow()
    user = get_user(user_id)
    changes = _edit_changes(user, require_mapping(data))
    if "role" in changes and user.id == actor_id:
        raise Conflict("You cannot change your own role.", {"role": "you cannot demote yourself"})
    if not changes:
        return user
    before = {name: getattr(user, name) for name in changes}
    old_coop = user.cooperative_id
    scope_changed = "role" in changes or "cooperative_id" in changes
    if scope_changed:
        _relink_leader(user, changes.get("role", user.role), changes.get("cooperative_id", old_coop), now)
        end_all_sessions(user)
    for name, value in changes.items():
        setattr(user, name, value)
    db.session.flush()
    summary = f"{person_name(actor_id)} updated the account of {user.full_name} ({', '.join(changes)})"
    after = {name: getattr(user, name) for name in changes}
    extra = [old_coop] if scope_changed else []
    signal_user_change(
        "user.updated", user, before, after, extra_coops=extra, actor_id=actor_id, summary=summary, now=now
    )
    realtime.commit()
    if scope_changed:
        disconnect_users([user.id])
    return user
