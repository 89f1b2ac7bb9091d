"""Cooperatives managed by a super admin: list, create (no fee), update, (de)activate, delete when unused.

Financial history is never erased: a cooperative with members or any money record (payment, ledger line,
allocation, contribution, loan, withdrawal) cannot be deleted — it is deactivated instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Allocation,
    Contribution,
    Cooperative,
    LeaderLink,
    Loan,
    ParentOrganization,
    Payment,
    Role,
    Transaction,
    User,
    Withdrawal,
)
from ..models.types import utcnow
from . import connections, realtime, records_search
from .audit import audit_and_signal, person_name
from .errors import Conflict, NotFound, ValidationFailed
from .fields import (
    account_number_field,
    email_field,
    is_id,
    phone_field,
    registration_number_field,
    require_mapping,
    text_field,
)
from .pages import Page, list_query, paginate
from .registration import registration_number_taken
from .transitions import refusals_roll_back

# field → (maximum length, required); registration_number, phone, email and the account number have their own rules.
TEXT_FIELDS = {
    "name": (200, True),
    "address": (300, False),
    "city": (100, False),
    "state": (100, False),
    "bank_name": (100, False),
    "bank_account_name": (200, False),
}
FIELDS = (*TEXT_FIELDS, "registration_number", "phone", "email", "bank_account_number", "parent_organization_id")
# Dashboards that name cooperatives: overviews, distributions, fund allocations.
AUDIENCE = (Role.SUPER_ADMIN, Role.APEX, Role.APEX_FUNDS, Role.NOGALSS_FUNDS)
DELETE_REFUSED = "This cooperative has members or money records and cannot be deleted; deactivate it instead."


@dataclass(frozen=True)
class CooperativeRow:
    """A cooperative as the lists show it: with its number of active members and its leader (id and name)."""

    coop: Cooperative
    member_count: int
    leader: dict[str, Any] | None


def rows_of(coops: list[Cooperative]) -> list[CooperativeRow]:
    """Return the cooperatives with their member counts and leaders (two queries for any number)."""
    ids = [coop.id for coop in coops]
    counts, leaders = records_search.member_counts(ids), records_search.leaders(ids)
    return [CooperativeRow(coop, counts.get(coop.id, 0), leaders.get(coop.id)) for coop in coops]


def list_cooperatives(args: Mapping[str, str]) -> Page[CooperativeRow]:
    """Return one page of cooperatives: search q (name, registration number, city), filters, sort and paging."""
    query = list_query(args, records_search.COOPERATIVE_SORTABLE, "name", "asc")
    filters = records_search.cooperative_filters(args, query.q)
    select = records_search.cooperatives_query(filters).options(selectinload(Cooperative.parent_organization))
    rows, total = paginate(select, query, records_search.COOPERATIVE_SORTABLE)
    return Page(rows_of(rows), total, query, filters=filters)


def get_cooperative(coop_id: int) -> Cooperative:
    """Return a cooperative or refuse with 404."""
    coop = db.session.get(Cooperative, coop_id) if is_id(coop_id) else None
    if coop is None:
        raise NotFound("Cooperative not found.")
    return coop


def _optional(data: Mapping[str, Any], name: str, check, errors: dict[str, str]) -> str | None:
    """Return an optional field validated by one of the field rules (None when empty)."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check(data, name, errors) or None


def _parent_id(data: Mapping[str, Any], current: int | None, errors: dict[str, str]) -> int | None:
    """Return an existing parent organization id (an inactive one only if it is already the current one)."""
    value = data.get("parent_organization_id")
    org = db.session.get(ParentOrganization, value) if is_id(value) else None
    if org is None:
        errors["parent_organization_id"] = "required: the id of an existing parent organization"
        return None
    if not org.is_active and org.id != current:
        errors["parent_organization_id"] = "this parent organization is inactive"
    return org.id


def _fields(data: object, current: Cooperative | None = None) -> dict[str, Any]:
    """Validate every field of a cooperative (a full create or replace); refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {
        name: text_field(data, name, errors, max_len=size, required=req) for name, (size, req) in TEXT_FIELDS.items()
    }
    out["registration_number"] = registration_number_field(data, "registration_number", errors)
    out["phone"] = _optional(data, "phone", phone_field, errors)
    out["email"] = _optional(data, "email", email_field, errors)
    out["bank_account_number"] = account_number_field(data, "bank_account_number", errors, required=False)
    out["parent_organization_id"] = _parent_id(data, current.parent_organization_id if current else None, errors)
    if "is_active" in data and not isinstance(data["is_active"], bool):
        errors["is_active"] = "must be true or false"
    if errors:
        raise ValidationFailed("Check the cooperative.", errors)
    if isinstance(data.get("is_active"), bool):
        out["is_active"] = data["is_active"]
    return out


def _check_unique(registration_number: str, own_id: int | None) -> None:
    """Refuse (409) a registration number another cooperative uses, whatever its case."""
    if own_id is not None:
        own = db.session.get(Cooperative, own_id)
        if own.registration_number.lower() == registration_number.lower():
            return
    if registration_number_taken(registration_number):
        raise Conflict("registration number already in use", {"registration_number": "already in use"})


def _state(coop: Cooperative) -> dict[str, Any]:
    """Return the audited fields of a cooperative."""
    return {name: getattr(coop, name) for name in (*FIELDS, "is_active")}


def _signal(event: str, coop: Cooperative, before: dict | None, after: dict | None, actor_id: int, summary: str, now):
    """Audit and signal a cooperative change to the dashboards that name it and to its own people."""
    people = db.session.scalars(sa.select(User.id).where(User.cooperative_id == coop.id)).all() if before else []
    audit_and_signal(
        event,
        "cooperative",
        coop.id,
        actor_id=actor_id,
        before=before,
        after=after,
        topics=["cooperatives"],
        rooms=realtime.rooms_for(roles=AUDIENCE, coop_ids=[coop.id] if before else [], user_ids=people),
        summary=summary,
        now=now,
    )


@contextmanager
def _refused_on_integrity_error(message: str, fields: dict[str, str] | None = None) -> Iterator[None]:
    """Turn a constraint violation caused by a concurrent writer into a 409 (nothing is kept)."""
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        raise Conflict(message, fields) from None


TAKEN = ("registration number already in use", {"registration_number": "already in use"})


@refusals_roll_back
def create_cooperative(data: Mapping[str, Any], *, actor_id: int, now: datetime | None = None) -> Cooperative:
    """Create an active cooperative directly (an admin-created cooperative pays no registration fee)."""
    now = now or utcnow()
    fields = _fields(data)
    _check_unique(fields["registration_number"], None)
    coop = Cooperative(**({"is_active": True} | fields), created_at=now)
    with _refused_on_integrity_error(*TAKEN):
        db.session.add(coop)
        db.session.flush()
        summary = f"{person_name(actor_id)} created the cooperative {coop.name} ({coop.registration_number})"
        _signal("cooperative.created", coop, None, _state(coop), actor_id, summary, now)
        realtime.commit()
    return coop


def _update_event(before: dict[str, Any], coop: Cooperative) -> tuple[str, str]:
    """Return the event and verb of an update: activation and deactivation are named as such."""
    if before["is_active"] != coop.is_active:
        return ("cooperative.activated", "activated") if coop.is_active else ("cooperative.deactivated", "deactivated")
    return "cooperative.updated", "updated"


@refusals_roll_back
def update_cooperative(
    coop_id: int, data: Mapping[str, Any], *, actor_id: int, now: datetime | None = None
) -> Cooperative:
    """Replace every field of a cooperative; an `is_active` field (de)activates it."""
    now = now or utcnow()
    coop = get_cooperative(coop_id)
    fields = _fields(data, coop)
    _check_unique(fields["registration_number"], coop.id)
    before = _state(coop)
    with _refused_on_integrity_error(*TAKEN):
        for name, value in fields.items():
            setattr(coop, name, value)
        db.session.flush()
        _announce(coop, before, actor_id, now)
        realtime.commit()
    return coop


def _announce(coop: Cooperative, before: dict[str, Any], actor_id: int, now: datetime) -> None:
    """Signal an update (activation and deactivation are named as such)."""
    event, verb = _update_event(before, coop)
    summary = f"{person_name(actor_id)} {verb} the cooperative {coop.name} ({coop.registration_number})"
    _signal(event, coop, before, _state(coop), actor_id, summary, now)


@refusals_roll_back
def set_active(coop_id: int, active: bool, *, actor_id: int, now: datetime | None = None) -> Cooperative:
    """Activate or deactivate a cooperative, keeping its other fields (already so: nothing is written)."""
    now = now or utcnow()
    coop = get_cooperative(coop_id)
    if coop.is_active is bool(active):
        return coop
    before = _state(coop)
    coop.is_active = bool(active)
    _announce(coop, before, actor_id, now)
    realtime.commit()
    return coop


def has_history(coop_id: int) -> bool:
    """Return whether anyone belongs to the cooperative or any money record names it."""
    checks = (User, LeaderLink, Payment, Transaction, Allocation, Contribution, Loan, Withdrawal)
    return any(
        db.session.scalar(sa.select(model.id).where(model.cooperative_id == coop_id).limit(1)) is not None
        for model in checks
    )


@refusals_roll_back
def delete_cooperative(coop_id: int, *, actor_id: int, now: datetime | None = None) -> None:
    """Delete a cooperative nobody belongs to and no money record names; otherwise refuse (409)."""
    now = now or utcnow()
    coop = get_cooperative(coop_id)
    db.session.scalar(sa.select(Cooperative.id).where(Cooperative.id == coop.id).with_for_update())
    if has_history(coop.id):
        raise Conflict(DELETE_REFUSED)
    before = _state(coop)
    summary = f"{person_name(actor_id)} deleted the cooperative {coop.name} ({coop.registration_number})"
    _signal("cooperative.deleted", coop, before, None, actor_id, summary, now)
    with _refused_on_integrity_error(DELETE_REFUSED):  # someone joined or paid at this very moment
        db.session.delete(coop)
        realtime.commit()


def _new_leader(coop: Cooperative, user_id: object) -> User:
    """Return the active member of this cooperative who is to lead it, or refuse (422 / 409)."""
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None or user.cooperative_id != coop.id:
        raise ValidationFailed("Choose a member of this cooperative.", {"user_id": "not a member of this cooperative"})
    if user.role is Role.LEADER:
        raise Conflict("This member already leads the cooperative.", {"user_id": "already the leader"})
    if user.role is not Role.MEMBER or not user.is_active:
        raise ValidationFailed("Choose an active member of this cooperative.", {"user_id": "not an active member"})
    return user


@refusals_roll_back
def change_leader(coop_id: int, user_id: object, *, actor_id: int, now: datetime | None = None) -> User:
    """Make a member of the cooperative its leader; the previous leader becomes a member (SPEC §5, Leaders).

    Fee shares already paid keep the leader they named; fees paid from now on name the new leader. Both users'
    sockets are disconnected after the commit (their rooms and dashboards change).
    """
    now = now or utcnow()
    coop = get_cooperative(coop_id)
    db.session.scalar(sa.select(Cooperative.id).where(Cooperative.id == coop.id).with_for_update())
    user = _new_leader(coop, user_id)
    link = db.session.scalar(sa.select(LeaderLink).where(LeaderLink.cooperative_id == coop.id))
    previous = db.session.get(User, link.user_id) if link else None
    if link is not None:
        db.session.delete(link)
        db.session.flush()
    if previous is not None:
        previous.role = Role.MEMBER
        previous.session_version += 1  # a role change ends the sessions, as every role change does
    user.role = Role.LEADER
    user.session_version += 1
    db.session.add(LeaderLink(cooperative_id=coop.id, user_id=user.id, created_at=now))
    people = [user.id] + ([previous.id] if previous else [])
    before = {"leader_user_id": previous.id if previous else None}
    summary = f"{person_name(actor_id)} made {user.full_name} the leader of {coop.name}"
    audit_and_signal(
        "cooperative.leader_changed",
        "cooperative",
        coop.id,
        actor_id=actor_id,
        before=before,
        after={"leader_user_id": user.id},
        topics=["users", "cooperatives", "allocations"],
        rooms=realtime.rooms_for(roles=AUDIENCE, coop_ids=[coop.id], user_ids=people),
        summary=summary,
        now=now,
    )
    with _refused_on_integrity_error("The leader changed at this very moment; try again."):
        realtime.commit()
    for person in people:
        connections.kick_user(person)
    return user


def leader_candidates(coop_id: int) -> list[tuple[int, str]]:
    """Return the active members of a cooperative who could lead it, by name."""
    query = sa.select(User).where(User.cooperative_id == coop_id, User.role == Role.MEMBER, User.is_active.is_(True))
    return [(u.id, f"{u.full_name} ({u.email})") for u in db.session.scalars(query.order_by(User.first_name))]
