"""Registration: validate a member or cooperative sign-up and open its fee payment (SPEC §5).

No account exists until the fee is paid: the sign-up waits in the PENDING payment's details (with an argon2id
hash, never the password) and `payments.confirm_payment` creates it, re-checking uniqueness at that moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Cooperative, ParentOrganization, Payment, PaymentPurpose, PaymentStatus, Role, User
from ..models import normalise_email as _normalise
from ..models.types import utcnow
from . import audit, ledger, realtime, settings
from . import fields as rules
from .errors import Conflict, ValidationFailed
from .passwords import hash_password, password_problem

NAME_MAX = 100
EMAIL_IN_USE = "email already in use"

# field → maximum length, for the cooperative's own text fields (all required).
COOPERATIVE_TEXT = {
    "name": 200,
    "address": 300,
    "city": 100,
    "state": 100,
    "bank_name": 100,
    "bank_account_name": 200,
}
# The cooperative's other fields, validated one by one below.
COOPERATIVE_OTHER_FIELDS = ("registration_number", "phone", "email", "bank_account_number", "parent_organization_id")


def _text(data: Mapping, field: str, errors: dict[str, str], max_len: int) -> str:
    """Return a required, trimmed text field ("" when refused), collecting its error."""
    return rules.text_field(data, field, errors, max_len=max_len) or ""


def _email(data: Mapping, field: str, errors: dict[str, str]) -> str:
    """Return a required email in canonical form ("" when refused), collecting its error."""
    return rules.email_field(data, field, errors) or ""


def _phone(data: Mapping, field: str, errors: dict[str, str]) -> str:
    """Return a required phone number ("" when refused), collecting its error."""
    return rules.phone_field(data, field, errors) or ""


def _password(data: Mapping, errors: dict[str, str]) -> str:
    """Return the password if acceptable, collecting its error."""
    password = data.get("password")
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
        return ""
    return password


def _check_mapping(data: object) -> Mapping:
    """Refuse anything that is not a JSON object."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("Send the registration as a JSON object.", {"data": "must be an object"})
    return data


def email_taken(email: str) -> bool:
    """Return whether a user already signs in with this email (case and spaces ignored)."""
    return db.session.scalar(sa.select(User.id).where(User.email == _normalise(email))) is not None


def registration_number_taken(registration_number: str) -> bool:
    """Return whether a cooperative already uses this registration number (ignoring case)."""
    query = sa.select(Cooperative.id).where(
        sa.func.lower(Cooperative.registration_number) == registration_number.strip().lower()
    )
    return db.session.scalar(query.limit(1)) is not None


def _open_payment(
    purpose: PaymentPurpose,
    amount_kobo: int,
    email: str,
    details: dict,
    *,
    gateway: str,
    cooperative_id: int | None,
    now: datetime,
) -> Payment:
    """Add a PENDING registration payment with its audit row; the caller notifies and commits."""
    payment = Payment(
        reference=ledger.new_reference("FEE"),
        purpose=purpose,
        status=PaymentStatus.PENDING,
        amount_kobo=amount_kobo,
        currency="NGN",
        email=email,
        gateway=ledger.check_gateway(gateway),
        details=details,
        cooperative_id=cooperative_id,
        created_at=now,
    )
    db.session.add(payment)
    db.session.flush()
    after = {
        "reference": payment.reference,
        "purpose": purpose,
        "amount_kobo": amount_kobo,
        "email": email,
        "status": PaymentStatus.PENDING,
    }
    audit.record("payment.start", "payment", payment.id, actor_id=None, after=after, now=now)
    return payment


def _announce_start(payment: Payment, summary: str, now: datetime) -> None:
    """Signal the super admin's activity feed that a registration awaits payment, then commit."""
    realtime.notify(
        "payment.started",
        ["activity"],
        rooms=realtime.rooms_for(roles=[Role.SUPER_ADMIN]),
        actor_id=None,
        summary=summary,
        now=now,
    )
    realtime.commit()


def _member_fields(data: Mapping) -> tuple[dict, Cooperative | None]:
    """Validate a member sign-up; return its fields and the cooperative chosen by code."""
    errors: dict[str, str] = {}
    fields = {
        "first_name": _text(data, "first_name", errors, NAME_MAX),
        "last_name": _text(data, "last_name", errors, NAME_MAX),
        "email": _email(data, "email", errors),
        "phone": _phone(data, "phone", errors),
        "password": _password(data, errors),
    }
    code = _text(data, "cooperative_code", errors, 64)
    coop = None
    if code and "cooperative_code" not in errors:
        coop = db.session.scalar(sa.select(Cooperative).where(Cooperative.registration_number == code))
        if coop is None or not coop.is_active:
            errors["cooperative_code"] = "no active cooperative has this code"
    if errors:
        raise ValidationFailed("Check the registration details.", errors)
    return fields, coop


def start_member_registration(data: dict, *, gateway: str = "sandbox", now: datetime | None = None) -> Payment:
    """Validate a member sign-up and open its PENDING fee payment; the account is created once it is paid."""
    now = now or utcnow()
    fields, coop = _member_fields(_check_mapping(data))
    if email_taken(fields["email"]):
        raise Conflict(EMAIL_IN_USE, {"email": EMAIL_IN_USE})
    details = {
        "first_name": fields["first_name"],
        "last_name": fields["last_name"],
        "email": fields["email"],
        "phone": fields["phone"],
        "password_hash": hash_password(fields["password"]),
        "cooperative_id": coop.id,
    }
    fee = settings.get_settings().member_fee_kobo
    payment = _open_payment(
        PaymentPurpose.MEMBER_REGISTRATION,
        fee,
        fields["email"],
        details,
        gateway=gateway,
        cooperative_id=coop.id,
        now=now,
    )
    name = f"{fields['first_name']} {fields['last_name']}"
    _announce_start(payment, f"{name} started registering as a member of {coop.name}", now)
    return payment


def _parent_org_id(data: Mapping, errors: dict[str, str]) -> int | None:
    """Return the id of an existing, active parent organization, collecting its error."""
    value = data.get("parent_organization_id")
    if not isinstance(value, int) or isinstance(value, bool):
        errors["parent_organization_id"] = "required: the id of a parent organization"
        return None
    org = db.session.get(ParentOrganization, value) if rules.is_id(value) else None
    if org is None or not org.is_active:
        errors["parent_organization_id"] = "no active parent organization has this id"
        return None
    return org.id


def _cooperative_fields(data: Mapping) -> dict:
    """Validate a cooperative sign-up (the cooperative, its contact person who signs in as the cooperative, and
    its leader); return the fields."""
    errors: dict[str, str] = {}
    fields: dict = {field: _text(data, field, errors, max_len) for field, max_len in COOPERATIVE_TEXT.items()}
    fields["registration_number"] = rules.registration_number_field(data, "registration_number", errors) or ""
    fields["phone"] = _phone(data, "phone", errors)
    fields["email"] = _email(data, "email", errors)
    fields["bank_account_number"] = rules.account_number_field(data, "bank_account_number", errors, required=True)
    fields["parent_organization_id"] = _parent_org_id(data, errors)
    fields["contact_first_name"] = _text(data, "first_name", errors, NAME_MAX)
    fields["contact_last_name"] = _text(data, "last_name", errors, NAME_MAX)
    # The contact person signs in with contact_email; without one, the cooperative's email is used.
    contact_field = "contact_email" if data.get("contact_email") is not None else "email"
    fields["contact_email"] = _email(data, contact_field, errors)
    fields["password"] = _password(data, errors)
    fields |= _leader_fields(data, errors)
    if fields["leader_email"] and fields["leader_email"] == fields["contact_email"]:
        errors["leader_email"] = "the leader needs their own sign-in email, not the cooperative's"
    if errors:
        raise ValidationFailed("Check the registration details.", errors)
    fields["contact_field"] = contact_field
    return fields


def _leader_fields(data: Mapping, errors: dict[str, str]) -> dict:
    """Validate the leader's details (their own sign-in); return them under `leader_*` keys."""
    leader = {
        "leader_first_name": _text(data, "leader_first_name", errors, NAME_MAX),
        "leader_last_name": _text(data, "leader_last_name", errors, NAME_MAX),
        "leader_email": _email(data, "leader_email", errors),
        "leader_phone": _phone(data, "leader_phone", errors),
    }
    problem = password_problem(data.get("leader_password"))
    if problem:
        errors["leader_password"] = problem
    leader["leader_password"] = "" if problem else data.get("leader_password")
    return leader


def start_cooperative_registration(data: dict, *, gateway: str = "sandbox", now: datetime | None = None) -> Payment:
    """Validate a cooperative sign-up and open its PENDING fee payment; it is created once it is paid."""
    now = now or utcnow()
    fields = _cooperative_fields(_check_mapping(data))
    contact_field = fields.pop("contact_field")
    if registration_number_taken(fields["registration_number"]):
        raise Conflict("registration number already in use", {"registration_number": "already in use"})
    if email_taken(fields["contact_email"]):
        raise Conflict(EMAIL_IN_USE, {contact_field: EMAIL_IN_USE})
    if email_taken(fields["leader_email"]):
        raise Conflict(EMAIL_IN_USE, {"leader_email": EMAIL_IN_USE})
    details = {key: value for key, value in fields.items() if key not in ("password", "leader_password")}
    details["password_hash"] = hash_password(fields["password"])
    details["leader_password_hash"] = hash_password(fields["leader_password"])
    fee = settings.get_settings().cooperative_fee_kobo
    payment = _open_payment(
        PaymentPurpose.COOPERATIVE_REGISTRATION,
        fee,
        fields["contact_email"],
        details,
        gateway=gateway,
        cooperative_id=None,
        now=now,
    )
    _announce_start(payment, f"{fields['name']} started registering as a cooperative", now)
    return payment
