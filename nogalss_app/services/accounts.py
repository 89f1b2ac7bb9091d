"""Create accounts and parent organizations (CLI, seeding, and later the admin API)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Cooperative, LeaderLink, ParentOrganization, Role, User
from ..models.types import utcnow
from . import audit, realtime
from .errors import Conflict, ValidationFailed
from .fields import email_field, is_id, text_field
from .passwords import hash_password, password_problem

ROLES_NEEDING_COOPERATIVE = frozenset({Role.MEMBER, Role.LEADER, Role.COOPERATIVE})


def create_user(
    *,
    email: str,
    password: str,
    role: Role,
    first_name: str,
    last_name: str,
    phone: str | None = None,
    cooperative_id: int | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> User:
    """Create an active, verified account; a LEADER is linked to lead their cooperative."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    email = email_field({"email": email}, "email", errors) or ""
    errors |= _user_errors(password, first_name, last_name, role, cooperative_id)
    if errors:
        raise ValidationFailed("Check the account details.", errors)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise Conflict("email already in use", {"email": "email already in use"})
    if role is Role.LEADER and db.session.scalar(
        sa.select(LeaderLink.id).where(LeaderLink.cooperative_id == cooperative_id)
    ):
        raise Conflict("That cooperative already has a leader.", {"cooperative_id": "already has a leader"})
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone,
        cooperative_id=cooperative_id,
        is_verified=True,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    if role is Role.LEADER:
        db.session.add(LeaderLink(cooperative_id=cooperative_id, user_id=user.id, created_at=now))
    audit.record(
        "user.create",
        "user",
        user.id,
        actor_id=actor_id,
        after={"email": email, "role": role, "cooperative_id": cooperative_id},
    )
    realtime.notify(
        "user.created",
        ["users"],
        rooms=realtime.rooms_for(roles=[Role.SUPER_ADMIN, Role.APEX], coop_ids=[cooperative_id]),
        actor_id=actor_id,
        summary=f"Account created for {user.full_name} ({role.label})",
    )
    realtime.commit()
    return user


def _user_errors(password, first_name, last_name, role, cooperative_id) -> dict[str, str]:
    """Return field errors for a new account (the email is checked by the caller)."""
    errors: dict[str, str] = {}
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    names = {"first_name": first_name, "last_name": last_name}
    for field in names:
        text_field(names, field, errors, max_len=100)
    if role in ROLES_NEEDING_COOPERATIVE:
        coop = db.session.get(Cooperative, cooperative_id) if is_id(cooperative_id) else None
        if coop is None:
            errors["cooperative_id"] = "choose an existing cooperative"
    elif cooperative_id is not None:
        errors["cooperative_id"] = f"a {role.label} account has no cooperative"
    return errors


def create_parent_organization(
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> ParentOrganization:
    """Create a parent organization under which cooperatives register."""
    errors: dict[str, str] = {}
    name = text_field({"name": name}, "name", errors, max_len=200) or ""
    if errors:
        raise ValidationFailed("Check the organization.", {"name": "required, at most 200 characters"})
    if db.session.scalar(sa.select(ParentOrganization.id).where(ParentOrganization.name == name)):
        raise Conflict("A parent organization with that name exists.", {"name": "already in use"})
    org = ParentOrganization(name=name, email=email, phone=phone, address=address, created_at=now or utcnow())
    db.session.add(org)
    db.session.flush()
    audit.record("parent_organization.create", "parent_organization", org.id, actor_id=actor_id, after={"name": name})
    realtime.notify(
        "parent_organization.created",
        ["cooperatives"],
        rooms=realtime.rooms_for(roles=[Role.SUPER_ADMIN, Role.APEX]),
        actor_id=actor_id,
        summary=f"Parent organization {name} created",
    )
    realtime.commit()
    return org
