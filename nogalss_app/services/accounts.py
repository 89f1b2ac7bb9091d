"""Create accounts and parent organizations (CLI, seeding, and later the admin API)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Cooperative, LeaderLink, ParentOrganization, Role, User
from ..models.types import utcnow
from . import audit, parent_organizations, realtime
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
    parent_organization_id: int | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> User:
    """Create an active, verified account; a LEADER is linked to lead their cooperative, a PARENT_ORGANIZATION
    login to its organization."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    email = email_field({"email": email}, "email", errors) or ""
    errors |= _user_errors(password, first_name, last_name, role, cooperative_id)
    errors |= _organization_errors(role, parent_organization_id)
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
        parent_organization_id=parent_organization_id,
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
        after={
            "email": email,
            "role": role,
            "cooperative_id": cooperative_id,
            "parent_organization_id": parent_organization_id,
        },
    )
    realtime.notify(
        "user.created",
        ["users"],
        rooms=realtime.rooms_for(
            roles=[Role.SUPER_ADMIN, Role.APEX], coop_ids=[cooperative_id], org_ids=[parent_organization_id]
        ),
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


def _organization_errors(role: Role, parent_organization_id: int | None) -> dict[str, str]:
    """Return the field error of the organization link: required for a PARENT_ORGANIZATION login, else none."""
    if role is Role.PARENT_ORGANIZATION:
        org = db.session.get(ParentOrganization, parent_organization_id) if is_id(parent_organization_id) else None
        return {} if org is not None else {"parent_organization_id": "choose an existing parent organization"}
    if parent_organization_id is not None:
        return {"parent_organization_id": f"a {role.label} account has no parent organization"}
    return {}


def create_parent_organization(
    *,
    name: str,
    registration_number: str,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> ParentOrganization:
    """Create a parent organization under which cooperatives register (the admin API's verb)."""
    data = {"name": name, "registration_number": registration_number, "email": email, "phone": phone}
    return parent_organizations.create_organization(data | {"address": address}, actor_id=actor_id, now=now)
