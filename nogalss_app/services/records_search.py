"""Searching the ledger and the cooperatives for the super admin's lists: filters, sort columns, counts."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Cooperative, LeaderLink, ParentOrganization, Role, Transaction, TxCategory, TxStatus, TxType, User
from .errors import ValidationFailed
from .fields import clean_lookup_text, id_from_text
from .pages import Page, list_query, page_of
from .stats.compute import LOCAL_TZ

TRANSACTION_SORTABLE = {
    "created_at": Transaction.created_at,
    "amount_kobo": Transaction.amount_kobo,
    "status": Transaction.status,
    "type": Transaction.type,
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


@dataclass(frozen=True)
class TransactionFilters:
    """What a ledger search is narrowed to (every field optional)."""

    q: str = ""
    type: TxType | None = None
    status: TxStatus | None = None
    category: TxCategory | None = None
    user_id: int | None = None
    cooperative_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def _enum_arg(args: Mapping[str, str], name: str, enum_cls: type, errors: dict[str, str]) -> Any:
    """Return the enum member named by a query argument (None when absent), noting an error."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if raw.upper() not in enum_cls.__members__:
        errors[name] = f"must be one of {', '.join(enum_cls.__members__)}"
        return None
    return enum_cls[raw.upper()]


def _id_arg(args: Mapping[str, str], name: str, errors: dict[str, str]) -> int | None:
    """Return a positive id from a query argument (None when absent), noting an error."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    found = id_from_text(raw)
    if found is None:
        errors[name] = "must be a positive whole number"
    return found


def _date_arg(args: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    """Return an ISO date (YYYY-MM-DD) from a query argument (None when absent), noting an error."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "must be a date like 2026-01-31"
        return None


def transaction_filters(args: Mapping[str, str], q: str = "") -> TransactionFilters:
    """Validate the filters of a ledger search (dates are Nigerian calendar days, both ends included)."""
    errors: dict[str, str] = {}
    filters = TransactionFilters(
        q=q,
        type=_enum_arg(args, "type", TxType, errors),
        status=_enum_arg(args, "status", TxStatus, errors),
        category=_enum_arg(args, "category", TxCategory, errors),
        user_id=_id_arg(args, "user_id", errors),
        cooperative_id=_id_arg(args, "cooperative_id", errors),
        date_from=_date_arg(args, "date_from", errors),
        date_to=_date_arg(args, "date_to", errors),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["date_to"] = "must not be before date_from"
    if errors:
        raise ValidationFailed("Check the filters.", errors)
    return filters


def local_day_start(day: date) -> datetime:
    """Return the UTC instant at which a Nigerian calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def like_pattern(text: str) -> str:
    """Return a case-insensitive 'contains' pattern with LIKE wildcards escaped (escape character '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def transactions_query(filters: TransactionFilters) -> sa.Select:
    """Return the SELECT of ledger lines matching the filters (unordered)."""
    query = sa.select(Transaction).outerjoin(User, User.id == Transaction.user_id)
    if filters.q:
        pattern = like_pattern(filters.q)
        columns = (Transaction.reference, Transaction.description, User.email)
        query = query.where(sa.or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    for column, value in (
        (Transaction.type, filters.type),
        (Transaction.status, filters.status),
        (Transaction.category, filters.category),
        (Transaction.user_id, filters.user_id),
        (Transaction.cooperative_id, filters.cooperative_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.date_from:
        query = query.where(Transaction.created_at >= local_day_start(filters.date_from))
    if filters.date_to:
        query = query.where(Transaction.created_at < local_day_start(filters.date_to + timedelta(days=1)))
    return query


def member_count_column() -> sa.ScalarSelect:
    """Return a correlated count of the cooperative's active MEMBER users (sortable)."""
    return (
        sa.select(sa.func.count(User.id))
        .where(User.cooperative_id == Cooperative.id, User.role == Role.MEMBER, User.is_active.is_(True))
        .scalar_subquery()
    )


COOPERATIVE_SORTABLE = {
    "name": Cooperative.name,
    "registration_number": Cooperative.registration_number,
    "created_at": Cooperative.created_at,
    "member_count": member_count_column(),
}


@dataclass(frozen=True)
class CooperativeFilters:
    """What a cooperative search is narrowed to."""

    q: str = ""
    state: str | None = None
    parent_organization_id: int | None = None
    is_active: bool | None = None


def cooperative_filters(args: Mapping[str, str], q: str = "") -> CooperativeFilters:
    """Validate the filters of a cooperative search."""
    errors: dict[str, str] = {}
    state = (args.get("state") or "").strip() or None
    if state and (len(state) > 100 or clean_lookup_text(state, 100) is None):
        errors["state"] = "at most 100 characters" if len(state) > 100 else "must be one line of text"
    org_id = _id_arg(args, "parent_organization_id", errors)
    raw_active = (args.get("is_active") or "").strip().lower()
    if raw_active not in ("", "true", "false"):
        errors["is_active"] = "must be true or false"
    if errors:
        raise ValidationFailed("Check the filters.", errors)
    is_active = None if not raw_active else raw_active == "true"
    return CooperativeFilters(q=q, state=state, parent_organization_id=org_id, is_active=is_active)


def cooperatives_query(filters: CooperativeFilters) -> sa.Select:
    """Return the SELECT of cooperatives matching the filters (unordered)."""
    query = sa.select(Cooperative)
    if filters.q:
        pattern = like_pattern(filters.q)
        columns = (Cooperative.name, Cooperative.registration_number, Cooperative.city)
        query = query.where(sa.or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    if filters.state:
        query = query.where(sa.func.lower(Cooperative.state) == filters.state.lower())
    if filters.parent_organization_id is not None:
        query = query.where(Cooperative.parent_organization_id == filters.parent_organization_id)
    if filters.is_active is not None:
        query = query.where(Cooperative.is_active.is_(filters.is_active))
    return query


def member_counts(coop_ids: Iterable[int]) -> dict[int, int]:
    """Return the number of active MEMBER users of each cooperative."""
    ids = list(set(coop_ids))
    query = (
        sa.select(User.cooperative_id, sa.func.count(User.id))
        .where(User.cooperative_id.in_(ids), User.role == Role.MEMBER, User.is_active.is_(True))
        .group_by(User.cooperative_id)
    )
    return dict(db.session.execute(query).tuples().all()) if ids else {}


def leaders(coop_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Return the leader (id and name) of each cooperative that has one."""
    ids = list(set(coop_ids))
    if not ids:
        return {}
    query = sa.select(LeaderLink.cooperative_id, User).join(User, User.id == LeaderLink.user_id)
    rows = db.session.execute(query.where(LeaderLink.cooperative_id.in_(ids))).all()
    return {coop_id: {"id": user.id, "name": user.full_name} for coop_id, user in rows}


def parent_organizations_query(q: str = "") -> sa.Select:
    """Return the SELECT of parent organizations, optionally searched by name (unordered)."""
    query = sa.select(ParentOrganization)
    if q:
        query = query.where(ParentOrganization.name.ilike(like_pattern(q), escape="\\"))
    return query


PARENT_SORTABLE = {"name": ParentOrganization.name, "created_at": ParentOrganization.created_at}


def list_parent_organizations(args: Mapping[str, str]) -> Page[ParentOrganization]:
    """Return one page of parent organizations (for pickers), searched by name and sorted."""
    query = list_query(args, PARENT_SORTABLE, "name", "asc")
    return page_of(parent_organizations_query(query.q), query, PARENT_SORTABLE)


def all_parent_organizations() -> list[ParentOrganization]:
    """Return every parent organization by name (for pickers)."""
    return list(db.session.scalars(sa.select(ParentOrganization).order_by(ParentOrganization.name)))


def user_ref_id(reference: str) -> int | None:
    """Return the id of the user named by an email address or a numeric id (None when unknown)."""
    found = id_from_text(reference)
    if found is not None:
        return db.session.scalar(sa.select(User.id).where(User.id == found))
    text = clean_lookup_text(reference, 254)
    return db.session.scalar(sa.select(User.id).where(User.email == text.lower())) if text else None


PICKER_LIMIT = 100


def cooperative_choices(q: str = "", *, limit: int | None = PICKER_LIMIT) -> list[tuple[int, str]]:
    """Return (id, "name (code)") of cooperatives by name (at most `limit`; None: all), searched by name or code."""
    query = sa.select(Cooperative).order_by(Cooperative.name)
    if q:
        pattern = like_pattern(q)
        columns = (Cooperative.name, Cooperative.registration_number)
        query = query.where(sa.or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    return [(c.id, f"{c.name} ({c.registration_number})") for c in db.session.scalars(query.limit(limit))]


def member_choices(q: str = "") -> list[tuple[int, str]]:
    """Return (id, "name (email)") of up to 100 members and leaders by last name, searched by name or email."""
    query = sa.select(User).where(User.role.in_([Role.MEMBER, Role.LEADER])).order_by(User.last_name, User.id)
    if q:
        pattern = like_pattern(q)
        columns = (User.email, User.first_name, User.last_name)
        query = query.where(sa.or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    return [(u.id, f"{u.full_name} ({u.email})") for u in db.session.scalars(query.limit(PICKER_LIMIT))]


def organization_choices(q: str = "") -> list[tuple[int, str]]:
    """Return (id, name) of up to 100 parent organizations by name, searched by name."""
    query = parent_organizations_query(q).order_by(ParentOrganization.name)
    return [(org.id, org.name) for org in db.session.scalars(query.limit(PICKER_LIMIT))]


def viewing_label(
    *, cooperative_id: int | None = None, member_id: int | None = None, organization_id: int | None = None
) -> str | None:
    """Describe whose dashboard a super admin is looking at: the organization, member, or else the cooperative."""
    if organization_id is not None:
        org = db.session.get(ParentOrganization, organization_id)
        return org.name if org else None
    if member_id is not None:
        member = db.session.get(User, member_id)
        return f"{member.full_name} ({member.email})" if member else None
    if cooperative_id is not None:
        coop = db.session.get(Cooperative, cooperative_id)
        return f"{coop.name} ({coop.registration_number})" if coop else None
    return None
