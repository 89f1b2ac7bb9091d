"""Small factories that build consistent rows directly (services are tested through their own calls)."""

from __future__ import annotations

import itertools

from nogalss_app.extensions import db
from nogalss_app.models import Cooperative, LeaderLink, ParentOrganization, Role, User
from nogalss_app.services.passwords import hash_password

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    """Hash once per password per run (argon2 is deliberately slow)."""
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def parent_org(**fields) -> ParentOrganization:
    """Create a parent organization."""
    n = next(_seq)
    org = ParentOrganization(name=fields.pop("name", f"Parent Org {n}"), **fields)
    db.session.add(org)
    db.session.commit()
    return org


def cooperative(**fields) -> Cooperative:
    """Create a cooperative (and a parent organization when none is given)."""
    n = next(_seq)
    if "parent_organization_id" not in fields:
        fields["parent_organization_id"] = parent_org().id
    coop = Cooperative(
        name=fields.pop("name", f"Cooperative {n}"),
        registration_number=fields.pop("registration_number", f"COOP-{n:05d}"),
        **fields,
    )
    db.session.add(coop)
    db.session.commit()
    return coop


def user(role: str | Role = Role.MEMBER, password: str = PASSWORD, **fields) -> User:
    """Create an active user; MEMBER and LEADER get a cooperative, a LEADER also leads it."""
    role = Role(role)
    n = next(_seq)
    if role in (Role.MEMBER, Role.LEADER) and "cooperative_id" not in fields:
        fields["cooperative_id"] = cooperative().id
    person = User(
        email=fields.pop("email", f"{role.value.lower()}{n}@example.test"),
        first_name=fields.pop("first_name", role.label.split()[0]),
        last_name=fields.pop("last_name", f"Person{n}"),
        password_hash=_hash(password),
        role=role,
        is_verified=fields.pop("is_verified", True),
        **fields,
    )
    db.session.add(person)
    db.session.flush()
    if role is Role.LEADER and person.cooperative_id:
        db.session.add(LeaderLink(cooperative_id=person.cooperative_id, user_id=person.id))
    db.session.commit()
    return person
