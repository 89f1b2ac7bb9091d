"""Parent organizations managed by a super admin: list, create, edit, (de)activate, delete while unused (SPEC §5).

Cooperatives register under a parent organization, so a fresh install creates one first. An organization that
cooperatives (or its own logins) name cannot be deleted (409): it is deactivated instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Allocation, Cooperative, ParentOrganization, Role, User
from ..models.types import utcnow
from . import realtime
from .audit import audit_and_signal, person_name
from .errors import Conflict, NotFound, ValidationFailed
from .fields import email_field, is_id, phone_field, registration_number_field, require_mapping, text_field
from .pages import Page, list_query, paginate
from .transitions import refusals_roll_back

FIELDS = ("name", "registration_number", "email", "phone", "address", "is_active")
SORTABLE = {
    "name": ParentOrganization.name,
    "registration_number": ParentOrganization.registration_number,
    "created_at": ParentOrganization.created_at,
}
AUDIENCE = (Role.SUPER_ADMIN, Role.APEX)
HAS_COOPERATIVES = "This parent organization has cooperatives and cannot be deleted; deactivate it instead."
HAS_HISTORY = "Logins or fee shares name this parent organization; deactivate it instead."
NAME_TAKEN = ("A parent organization with that name exists.", {"name": "already in use"})
NUMBER_TAKEN = ("registration number already in use", {"registration_number": "already in use"})


@dataclass(frozen=True)
class OrganizationRow:
    """A parent organization as the lists show it: with its number of cooperatives."""

    org: ParentOrganization
    cooperative_count: int


def rows_of(orgs: list[ParentOrganization]) -> list[OrganizationRow]:
    """Return the organizations with their cooperative counts (one query for any number)."""
    ids = [org.id for org in orgs]
    counts: dict[int, int] = {}
    if ids:
        query = (
            sa.select(Cooperative.parent_organization_id, sa.func.count(Cooperative.id))
            .where(Cooperative.parent_organization_id.in_(ids))
            .group_by(Cooperative.parent_organization_id)
        )
        counts = dict(db.session.execute(query).tuples().all())
    return [OrganizationRow(org, counts.get(org.id, 0)) for org in orgs]


def list_organizations(args: Mapping[str, str]) -> Page[OrganizationRow]:
    """Return one page of parent organizations: search q (name or registration number), sort and paging."""
    query = list_query(args, SORTABLE, "name", "asc")
    select = sa.select(ParentOrganization)
    if query.q:
        pattern = "%" + query.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        select = select.where(
            sa.or_(
                ParentOrganization.name.ilike(pattern, escape="\\"),
                ParentOrganization.registration_number.ilike(pattern, escape="\\"),
            )
        )
    rows, total = paginate(select, query, SORTABLE)
    return Page(rows_of(rows), total, query)


def get_organization(org_id: object) -> ParentOrganization:
    """Return a parent organization or refuse with 404."""
    org = db.session.get(ParentOrganization, org_id) if is_id(org_id) else None
    if org is None:
        raise NotFound("Parent organization not found.")
    return org


def _optional(data: Mapping[str, Any], name: str, check, errors: dict[str, str]) -> str | None:
    """Return an optional field validated by one of the field rules (None when empty)."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return check(data, name, errors) or None


def _fields(data: object) -> dict[str, Any]:
    """Validate every field of an organization (a create or a full replace); refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {
        "name": text_field(data, "name", errors, max_len=200),
        "registration_number": registration_number_field(data, "registration_number", errors),
        "email": _optional(data, "email", email_field, errors),
        "phone": _optional(data, "phone", phone_field, errors),
        "address": text_field(data, "address", errors, max_len=300, required=False),
    }
    if "is_active" in data and not isinstance(data["is_active"], bool):
        errors["is_active"] = "must be true or false"
    if errors:
        raise ValidationFailed("Check the parent organization.", errors)
    if isinstance(data.get("is_active"), bool):
        out["is_active"] = data["is_active"]
    return out


def _check_unique(fields: dict[str, Any], own_id: int | None) -> None:
    """Refuse (409) a name or registration number another organization uses (ignoring case)."""
    others = sa.select(ParentOrganization.id).where(ParentOrganization.id != (own_id or 0))
    name = fields["name"].lower()
    if db.session.scalar(others.where(sa.func.lower(ParentOrganization.name) == name).limit(1)):
        raise Conflict(*NAME_TAKEN)
    number = fields["registration_number"].lower()
    if db.session.scalar(others.where(sa.func.lower(ParentOrganization.registration_number) == number).limit(1)):
        raise Conflict(*NUMBER_TAKEN)


def state_of(org: ParentOrganization) -> dict[str, Any]:
    """Return the audited fields of an organization."""
    return {name: getattr(org, name) for name in FIELDS}


def _signal(event: str, org: ParentOrganization, before, after, actor_id: int | None, verb: str, now) -> None:
    """Audit and signal an organization change to the dashboards that name organizations and to its own view."""
    audit_and_signal(
        event,
        "parent_organization",
        org.id,
        actor_id=actor_id,
        before=before,
        after=after,
        topics=["cooperatives"],
        rooms=realtime.rooms_for(roles=AUDIENCE, org_ids=[org.id]),
        summary=f"{person_name(actor_id)} {verb} the parent organization {org.name}",
        now=now,
    )


def _save(org: ParentOrganization, fields: dict[str, Any]) -> None:
    """Write the fields and flush; a concurrent duplicate becomes a 409 (nothing is kept)."""
    for name, value in fields.items():
        setattr(org, name, value)
    try:
        with db.session.begin_nested():
            db.session.add(org)
            db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("That name or registration number is already in use.") from None


@refusals_roll_back
def create_organization(
    data: Mapping[str, Any], *, actor_id: int | None, now: datetime | None = None
) -> ParentOrganization:
    """Create an active parent organization under which cooperatives may register; 409 on a duplicate."""
    now = now or utcnow()
    fields = _fields(data)
    _check_unique(fields, None)
    org = ParentOrganization(is_active=True, created_at=now)
    _save(org, fields)
    _signal("parent_organization.created", org, None, state_of(org), actor_id, "created", now)
    realtime.commit()
    return org


@refusals_roll_back
def update_organization(
    org_id: object, data: Mapping[str, Any], *, actor_id: int, partial: bool = False, now: datetime | None = None
) -> ParentOrganization:
    """Replace (or with `partial`, change only the sent fields of) an organization; `is_active` (de)activates it."""
    now = now or utcnow()
    org = get_organization(org_id)
    before = state_of(org)
    if partial:
        data = {**before, **require_mapping(data)}
    fields = _fields(data)
    _check_unique(fields, org.id)
    _save(org, fields)
    verb = "updated"
    if before["is_active"] != org.is_active:
        verb = "activated" if org.is_active else "deactivated"
    _signal(f"parent_organization.{verb}", org, before, state_of(org), actor_id, verb, now)
    realtime.commit()
    return org


@refusals_roll_back
def delete_organization(org_id: object, *, actor_id: int, now: datetime | None = None) -> None:
    """Delete an organization that no cooperative, login or fee share names; otherwise refuse (409)."""
    now = now or utcnow()
    org = get_organization(org_id)
    db.session.scalar(sa.select(ParentOrganization.id).where(ParentOrganization.id == org.id).with_for_update())
    if db.session.scalar(sa.select(Cooperative.id).where(Cooperative.parent_organization_id == org.id).limit(1)):
        raise Conflict(HAS_COOPERATIVES)
    for model in (User, Allocation):
        if db.session.scalar(sa.select(model.id).where(model.parent_organization_id == org.id).limit(1)):
            raise Conflict(HAS_HISTORY)
    _signal("parent_organization.deleted", org, state_of(org), None, actor_id, "deleted", now)
    try:
        db.session.delete(org)
        realtime.commit()
    except IntegrityError:  # a cooperative registered under it at this very moment
        db.session.rollback()
        raise Conflict(HAS_COOPERATIVES) from None
