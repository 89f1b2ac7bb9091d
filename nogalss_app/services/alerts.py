"""Emergency alerts (one active at a time, shown to everyone) and the partners listed on the home page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..extensions import db
from ..models import EmergencyAlert, Partner, Severity
from ..models.types import utcnow
from . import realtime
from .audit import audit_and_signal, person_name
from .errors import Conflict, NotFound, ValidationFailed
from .fields import is_id, require_mapping, text_field
from .pages import Page, list_query, page_of
from .transitions import refusals_roll_back

MAX_URL_LENGTH = 500
URL_SCHEMES = ("http", "https")
PARTNER_FIELDS = ("name", "website", "logo_url", "description", "is_active")
PARTNER_SORTS = {"name": Partner.name, "created_at": Partner.created_at}


# Emergency alerts --------------------------------------------------------------------------------------------


def _alert_state(alert: EmergencyAlert) -> dict[str, Any]:
    """Return the audited fields of an alert."""
    return {"title": alert.title, "severity": alert.severity, "is_active": alert.is_active}


def _severity(value: object, errors: dict[str, str]) -> Severity | None:
    """Return the severity named by value (INFO, WARNING or CRITICAL); note an error otherwise."""
    if isinstance(value, str) and value.strip().upper() in Severity.__members__:
        return Severity[value.strip().upper()]
    errors["severity"] = f"must be one of {', '.join(Severity.__members__)}"
    return None


def active_alert() -> EmergencyAlert | None:
    """Return the newest active alert, if any."""
    query = (
        sa.select(EmergencyAlert)
        .where(EmergencyAlert.is_active.is_(True))
        .order_by(EmergencyAlert.created_at.desc(), EmergencyAlert.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def _alert_fields(data: object) -> dict[str, Any]:
    """Return title, message and severity of a new alert, or refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    fields = {
        "title": text_field(data, "title", errors, min_len=3, max_len=200),
        "message": text_field(data, "message", errors, min_len=3, max_len=2000, multiline=True),
        "severity": _severity(data.get("severity"), errors),
    }
    if errors:
        raise ValidationFailed("Check the alert.", errors)
    return fields


def _deactivate(where: sa.ColumnElement, now: datetime) -> int:
    """Deactivate the active alerts matching `where` (compare-and-set on is_active); return how many."""
    statement = (
        sa.update(EmergencyAlert)
        .where(where, EmergencyAlert.is_active.is_(True))
        .values(is_active=False, deactivated_at=now)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount


def _alert_signal(event: str, alert: EmergencyAlert, before: dict, actor_id: int, summary: str, now: datetime) -> None:
    """Audit and signal an alert change to every dashboard, then commit."""
    audit_and_signal(
        event,
        "emergency_alert",
        alert.id,
        actor_id=actor_id,
        before=before,
        after=_alert_state(alert),
        topics=["alerts"],
        rooms=realtime.rooms_for(everyone=True),
        summary=summary,
        now=now,
    )
    realtime.commit()


@refusals_roll_back
def raise_alert(data: Mapping[str, Any], *, actor_id: int, now: datetime | None = None) -> EmergencyAlert:
    """Raise an alert for every dashboard, replacing (deactivating) any active one."""
    now = now or utcnow()
    fields = _alert_fields(data)
    replaced = list(db.session.scalars(sa.select(EmergencyAlert.id).where(EmergencyAlert.is_active.is_(True))))
    _deactivate(EmergencyAlert.id.in_(replaced), now)
    alert = EmergencyAlert(**fields, is_active=True, created_by_id=actor_id, created_at=now)
    db.session.add(alert)
    db.session.flush()
    summary = f"{person_name(actor_id)} raised a {alert.severity.label.lower()} alert: {alert.title}"
    _alert_signal("alert.created", alert, {"replaced": replaced}, actor_id, summary, now)
    return alert


@refusals_roll_back
def deactivate_alert(alert_id: int, *, actor_id: int, now: datetime | None = None) -> EmergencyAlert:
    """Take an active alert down from every dashboard."""
    now = now or utcnow()
    alert = db.session.get(EmergencyAlert, alert_id) if is_id(alert_id) else None
    if alert is None:
        raise NotFound("Alert not found.")
    before = _alert_state(alert)
    if _deactivate(EmergencyAlert.id == alert.id, now) != 1:
        raise Conflict("This alert is already inactive.")
    db.session.refresh(alert)
    summary = f"{person_name(actor_id)} took down the alert: {alert.title}"
    _alert_signal("alert.deactivated", alert, before, actor_id, summary, now)
    return alert


# Partners ----------------------------------------------------------------------------------------------------


def _url(data: Mapping[str, Any], name: str, errors: dict[str, str]) -> str | None:
    """Return an optional http(s) URL of at most 500 characters; refuse javascript:, data: and the like."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        errors[name] = "must be text"
        return None
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        errors[name] = f"must be at most {MAX_URL_LENGTH} characters"
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme.lower() not in URL_SCHEMES or not host or not value.isprintable() or " " in value:
        errors[name] = "must be a web address starting with http:// or https://"
        return None
    return value


def _partner_fields(data: object, *, partial: bool) -> dict[str, Any]:
    """Return the validated partner fields present in data (name required unless partial), or refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if not partial or "name" in data:
        out["name"] = text_field(data, "name", errors, min_len=1, max_len=200)
    for name in ("website", "logo_url"):
        if name in data:
            out[name] = _url(data, name, errors)
    if "description" in data:
        out["description"] = text_field(
            data, "description", errors, min_len=1, max_len=1000, required=False, multiline=True
        )
    if "is_active" in data:
        out["is_active"] = data["is_active"]
        if not isinstance(data["is_active"], bool):
            errors["is_active"] = "must be true or false"
    if partial and not out:
        errors["body"] = f"send at least one of {', '.join(PARTNER_FIELDS)}"
    if errors:
        raise ValidationFailed("Check the partner.", errors)
    return out


def _partner_state(partner: Partner) -> dict[str, Any]:
    """Return the audited fields of a partner."""
    return {name: getattr(partner, name) for name in PARTNER_FIELDS}


def _partner_signal(
    event: str, partner_id: int, before: dict | None, after: dict | None, actor_id: int, summary: str, now: datetime
) -> None:
    """Audit and signal a partner change to everyone, then commit."""
    rooms = realtime.rooms_for(everyone=True)
    audit_and_signal(
        event,
        "partner",
        partner_id,
        actor_id=actor_id,
        before=before,
        after=after,
        topics=["partners"],
        rooms=rooms,
        summary=summary,
        now=now,
    )
    realtime.commit()


def list_partners(args: Mapping[str, str]) -> Page[Partner]:
    """Return one page of partners (shown and hidden), searched by name and sorted."""
    query = list_query(args, PARTNER_SORTS, "name", "asc")
    select = sa.select(Partner)
    if query.q:
        select = select.where(Partner.name.icontains(query.q, autoescape=True))
    return page_of(select, query, PARTNER_SORTS)


def shown_partners() -> list[Partner]:
    """Return the partners shown on the home page, by name."""
    return list(db.session.scalars(sa.select(Partner).where(Partner.is_active).order_by(Partner.name)))


def all_partners() -> list[Partner]:
    """Return every partner by name (the content page)."""
    return list(db.session.scalars(sa.select(Partner).order_by(Partner.name, Partner.id)))


def active_alerts() -> list[EmergencyAlert]:
    """Return the active alerts, newest first."""
    query = (
        sa.select(EmergencyAlert)
        .where(EmergencyAlert.is_active.is_(True))
        .order_by(EmergencyAlert.created_at.desc(), EmergencyAlert.id.desc())
    )
    return list(db.session.scalars(query))


def _partner(partner_id: int) -> Partner:
    """Return the partner or raise NotFound."""
    partner = db.session.get(Partner, partner_id) if is_id(partner_id) else None
    if partner is None:
        raise NotFound("Partner not found.")
    return partner


@refusals_roll_back
def create_partner(data: Mapping[str, Any], *, actor_id: int, now: datetime | None = None) -> Partner:
    """Add a partner; the name is stored as plain text, exactly as given (templates escape it)."""
    now = now or utcnow()
    partner = Partner(**_partner_fields(data, partial=False), created_at=now)
    db.session.add(partner)
    db.session.flush()
    summary = f"{person_name(actor_id)} added the partner {partner.name}"
    _partner_signal("partner.created", partner.id, None, _partner_state(partner), actor_id, summary, now)
    return partner


@refusals_roll_back
def update_partner(partner_id: int, data: Mapping[str, Any], *, actor_id: int, now: datetime | None = None) -> Partner:
    """Change the given fields of a partner."""
    now = now or utcnow()
    partner = _partner(partner_id)
    fields = _partner_fields(data, partial=True)
    before = _partner_state(partner)
    for name, value in fields.items():
        setattr(partner, name, value)
    db.session.flush()
    summary = f"{person_name(actor_id)} updated the partner {partner.name}"
    _partner_signal("partner.updated", partner.id, before, _partner_state(partner), actor_id, summary, now)
    return partner


@refusals_roll_back
def delete_partner(partner_id: int, *, actor_id: int, now: datetime | None = None) -> None:
    """Remove a partner from the home page list."""
    now = now or utcnow()
    partner = _partner(partner_id)
    before, name = _partner_state(partner), partner.name
    db.session.delete(partner)
    db.session.flush()
    summary = f"{person_name(actor_id)} removed the partner {name}"
    _partner_signal("partner.deleted", partner_id, before, None, actor_id, summary, now)
