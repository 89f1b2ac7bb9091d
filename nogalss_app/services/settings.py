"""Platform settings with the SPEC defaults: fees, allocation split, withdrawals per role, loan interest."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Role, Setting
from . import audit, realtime
from .errors import ValidationFailed
from .money import DEFAULT_ALLOCATION_BP, MoneyError, check_amount, require_kobo

FEES_KEY = "fees"
ALLOCATION_KEY = "allocation"
WITHDRAWALS_KEY = "withdrawals"
LOANS_KEY = "loans"

DEFAULT_FEES = {"member_fee_kobo": 5_000_00, "cooperative_fee_kobo": 50_000_00}
ALLOCATION_FIELDS = tuple(f"{name}_bp" for name, _ in DEFAULT_ALLOCATION_BP)
DEFAULT_ALLOCATION = {f"{name}_bp": bp for name, bp in DEFAULT_ALLOCATION_BP}
WITHDRAWAL_ROLES = (Role.MEMBER, Role.LEADER)
DEFAULT_WITHDRAWALS = {"MEMBER": True, "LEADER": True}
MAX_FEE_KOBO = 10_000_000_00
DEFAULT_LOANS = {"loan_interest_bp": 500}
MAX_INTEREST_BP = 10_000


@dataclass(frozen=True)
class Settings:
    """A snapshot of every setting."""

    member_fee_kobo: int
    cooperative_fee_kobo: int
    allocation_bp: dict[str, int]
    withdrawals_enabled: dict[str, bool]
    loan_interest_bp: int = DEFAULT_LOANS["loan_interest_bp"]

    def allocation_shares(self) -> list[tuple[str, int]]:
        """Return (recipient, bp) pairs in the canonical order for split_by_bp."""
        return [(field.removesuffix("_bp"), self.allocation_bp[field]) for field in ALLOCATION_FIELDS]

    def withdrawals_enabled_for(self, role: Role) -> bool:
        """Return whether users of this role may request withdrawals."""
        return self.withdrawals_enabled.get(role.value, False)


def _read(key: str, default: dict) -> dict:
    """Return a stored setting merged over its default."""
    row = db.session.get(Setting, key)
    return {**default, **(row.value if row else {})}


def get_settings() -> Settings:
    """Load all settings (defaults where nothing is stored)."""
    stored = {row.key: row.value for row in db.session.scalars(sa.select(Setting))}
    fees = {**DEFAULT_FEES, **stored.get(FEES_KEY, {})}
    return Settings(
        member_fee_kobo=fees["member_fee_kobo"],
        cooperative_fee_kobo=fees["cooperative_fee_kobo"],
        allocation_bp={**DEFAULT_ALLOCATION, **stored.get(ALLOCATION_KEY, {})},
        withdrawals_enabled={**DEFAULT_WITHDRAWALS, **stored.get(WITHDRAWALS_KEY, {})},
        loan_interest_bp={**DEFAULT_LOANS, **stored.get(LOANS_KEY, {})}["loan_interest_bp"],
    )


def _write(key: str, value: dict, *, actor_id: int | None, default: dict) -> None:
    """Store a setting with an audit row (before → after)."""
    before = _read(key, default)
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=value, updated_by_id=actor_id)
        db.session.add(row)
    else:
        row.value = value
        row.updated_by_id = actor_id
    audit.record("settings.update", "setting", key, actor_id=actor_id, before=before, after=value)


def _fee(data: dict, field: str, fields_errors: dict[str, str]) -> int | None:
    """Validate one fee field, collecting its error."""
    try:
        return check_amount(require_kobo(data.get(field), field), maximum_kobo=MAX_FEE_KOBO)
    except MoneyError as exc:
        fields_errors[field] = str(exc)
        return None


def update_fees(data: dict, *, actor_id: int | None, only: tuple[str, ...] = tuple(DEFAULT_FEES)) -> Settings:
    """Change registration fees (`only` limits which: APEX may change the member fee alone)."""
    errors: dict[str, str] = {}
    new = dict(_read(FEES_KEY, DEFAULT_FEES))
    for field in only:
        if field in data or len(only) == 1:
            value = _fee(data, field, errors)
            if value is not None:
                new[field] = value
    if not any(field in data for field in only) and not errors:
        errors[only[0]] = "required"
    if errors:
        raise ValidationFailed("Check the fees.", errors)
    _write(FEES_KEY, new, actor_id=actor_id, default=DEFAULT_FEES)
    realtime.notify(
        "settings.fees_updated",
        ["settings", "fees"],
        rooms=realtime.rooms_for(everyone=True),
        actor_id=actor_id,
        summary="Registration fees changed",
    )
    realtime.commit()
    return get_settings()


def update_allocation(data: dict, *, actor_id: int | None) -> Settings:
    """Change the registration-fee split; the five parts must total exactly 10000 bp."""
    errors: dict[str, str] = {}
    new: dict[str, int] = {}
    for field in ALLOCATION_FIELDS:
        value = data.get(field)
        if not isinstance(value, int) or isinstance(value, bool):
            errors[field] = "must be a whole number of basis points (a JSON integer)"
        elif not 0 <= value <= 10_000:
            errors[field] = "must be between 0 and 10000"
        else:
            new[field] = value
    if not errors and sum(new.values()) != 10_000:
        raise ValidationFailed(
            "The allocation must total exactly 100% (10000 basis points).",
            {"allocation": f"totals {sum(new.values())} basis points, not 10000"},
        )
    if errors:
        raise ValidationFailed("Check the allocation.", errors)
    _write(ALLOCATION_KEY, new, actor_id=actor_id, default=DEFAULT_ALLOCATION)
    realtime.notify(
        "settings.allocation_updated",
        ["settings"],
        rooms=realtime.rooms_for(
            roles=[Role.SUPER_ADMIN, Role.APEX_FUNDS, Role.NOGALSS_FUNDS, Role.APEX, Role.FINANCE]
        ),
        actor_id=actor_id,
        summary="Allocation split changed",
    )
    realtime.commit()
    return get_settings()


def update_withdrawals(data: dict, *, actor_id: int | None) -> Settings:
    """Enable or disable withdrawals per role (MEMBER, LEADER)."""
    errors: dict[str, str] = {}
    new = dict(_read(WITHDRAWALS_KEY, DEFAULT_WITHDRAWALS))
    for role in WITHDRAWAL_ROLES:
        if role.value in data:
            if not isinstance(data[role.value], bool):
                errors[role.value] = "must be true or false"
            else:
                new[role.value] = data[role.value]
    unknown = set(data) - {role.value for role in WITHDRAWAL_ROLES}
    for key in unknown:
        errors[str(key)[:64]] = "unknown role for withdrawals"
    if errors or not data:
        raise ValidationFailed("Check the withdrawal settings.", errors or {"MEMBER": "required"})
    _write(WITHDRAWALS_KEY, new, actor_id=actor_id, default=DEFAULT_WITHDRAWALS)
    realtime.notify(
        "settings.withdrawals_updated",
        ["settings", "withdrawals"],
        rooms=realtime.rooms_for(everyone=True),
        actor_id=actor_id,
        summary="Withdrawal settings changed",
    )
    realtime.commit()
    return get_settings()


def update_loans(data: dict, *, actor_id: int | None) -> Settings:
    """Change the flat loan interest (basis points of the principal for the whole term; new applications only)."""
    value = data.get("loan_interest_bp") if isinstance(data, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(
            "Check the loan settings.", {"loan_interest_bp": "must be a whole number of basis points (500 = 5%)"}
        )
    if not 0 <= value <= MAX_INTEREST_BP:
        raise ValidationFailed("Check the loan settings.", {"loan_interest_bp": "must be between 0 and 10000"})
    _write(LOANS_KEY, {"loan_interest_bp": value}, actor_id=actor_id, default=DEFAULT_LOANS)
    realtime.notify(
        "settings.loans_updated",
        ["settings", "loan_limit"],
        rooms=realtime.rooms_for(everyone=True),
        actor_id=actor_id,
        summary=f"Loan interest changed to {value} basis points",
    )
    realtime.commit()
    return get_settings()
