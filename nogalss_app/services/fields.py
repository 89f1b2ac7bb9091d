"""Field rules every service applies to what it is sent: text, emails, ids, amounts, statuses, notes.

One place for the rules of BAD_INPUTS rows 23–25, so a form, a JSON body and a query string are refused the same
way (422 with the field's message, or "not found" for an id that cannot exist) and nothing reaches the database
that it could not store or compare: text is valid Unicode without control characters (tab, CR and LF only where
several lines are allowed), and an id fits the 32-bit integer columns of every table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any, TypeVar

from ..models import normalise_email
from .errors import ValidationFailed
from .money import MoneyError, check_amount, require_kobo

# The largest single amount accepted anywhere (₦100,000,000): contributions, loans, withdrawals, expenses,
# repayments and adjustments.
MAX_AMOUNT_KOBO = 100_000_000 * 100
# Row ids are 32-bit integers on every table; a larger number cannot name a row (and PostgreSQL refuses to
# compare one with an INTEGER column), so it is simply not found.
MAX_ID = 2**31 - 1
EMAIL_MAX = 254
MULTILINE_CONTROLS = frozenset("\t\n\r")

_ID_TEXT = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)
_EMAIL_LOCAL = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
_EMAIL_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+"
_EMAIL = re.compile(f"{_EMAIL_LOCAL}@{_EMAIL_DOMAIN}", re.ASCII)
_PHONE = re.compile(r"\+?[0-9][0-9 -]*[0-9]", re.ASCII)
_REG_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9/.\- ]*", re.ASCII)
_ACCOUNT_NUMBER = re.compile(r"[0-9]{10}", re.ASCII)

E = TypeVar("E", bound=Enum)


# Ids ---------------------------------------------------------------------------------------------------------


def is_id(value: object) -> bool:
    """Return True for a JSON integer that can be a row id (1 to 2**31 - 1; booleans excluded)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def id_from_text(text: object) -> int | None:
    """Return the id written in a URL, query string or form field (ASCII digits, no sign), or None."""
    raw = text.strip() if isinstance(text, str) else ""
    if not _ID_TEXT.fullmatch(raw) or int(raw) > MAX_ID:
        return None
    return int(raw)


def id_or_text(text: object) -> int | str | None:
    """Return a form's id text as an id, None when empty, or the text itself (for the service to refuse)."""
    raw = text.strip() if isinstance(text, str) else ""
    if not raw:
        return None
    found = id_from_text(raw)
    return found if found is not None else raw


def ids_field(value: object, name: str, *, most: int) -> list[int]:
    """Return the distinct ids of a list of 1 to `most` JSON integers (sorted), or refuse with 422."""
    if not isinstance(value, list) or not 1 <= len(value) <= most:
        raise ValidationFailed("Check the ids.", {name: f"send a list of 1 to {most} ids"})
    if not all(is_id(item) for item in value):
        raise ValidationFailed("Check the ids.", {name: "every id must be a positive whole number of a record"})
    return sorted(set(value))


# Text --------------------------------------------------------------------------------------------------------


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Return why text cannot be stored (control characters, lone surrogates), or None when it can."""
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            return "must be valid text (it holds a broken character)"
        if (code < 32 or 127 <= code < 160) and not (multiline and ch in MULTILINE_CONTROLS):
            return "must not contain control characters"
    return None


def require_mapping(data: object) -> Mapping[str, Any]:
    """Return data if it is an object of fields, else refuse."""
    if not isinstance(data, Mapping):
        raise ValidationFailed("Send the fields as an object.", {"body": "must be an object of fields"})
    return data


def text_field(
    data: Mapping[str, Any],
    name: str,
    errors: dict[str, str],
    *,
    min_len: int | None = None,
    max_len: int,
    required: bool = True,
    multiline: bool = False,
) -> str | None:
    """Return a trimmed text field within its length limits (None when optional and empty); note errors.

    `multiline` allows tab, CR and LF (free text such as a description or a reason); nothing allows NUL,
    another control character or a lone surrogate. With `min_len` the length message names both limits.
    """
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = "required"
        return None
    if not isinstance(value, str):
        errors[name] = "must be text"
        return None
    value = value.strip()
    problem = text_problem(value, multiline=multiline)
    if problem:
        errors[name] = problem
        return None
    if not (min_len or 1) <= len(value) <= max_len:
        limits = f"{min_len} to {max_len}" if min_len else f"at most {max_len}"
        errors[name] = f"must be {limits} characters"
        return None
    return value


def email_field(data: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool = True) -> str | None:
    """Return an email address in canonical form (trimmed, lower case), or note why it is not one.

    CR, LF and every other control character are refused here, even at the ends where trimming would drop them,
    so an address can never smuggle a header.
    """
    raw = data.get(name)
    if isinstance(raw, str) and ("\r" in raw or "\n" in raw):
        errors[name] = "must be one line: no line breaks"
        return None
    value = text_field(data, name, errors, max_len=EMAIL_MAX, required=required)
    if value is None:
        return None
    value = normalise_email(value)
    if not _EMAIL.fullmatch(value):
        errors[name] = "must be an email address like name@example.com"
        return None
    return value


def phone_field(data: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool = True) -> str | None:
    """Return a phone number of 7 to 15 digits (spaces, hyphens and a leading + allowed), or note why not."""
    value = text_field(data, name, errors, max_len=32, required=required)
    digits = sum(ch.isdigit() for ch in value or "")
    if value is not None and not (_PHONE.fullmatch(value) and 7 <= digits <= 15):
        errors[name] = "must be a phone number like 08031234567 or +2348031234567"
        return None
    return value


def registration_number_field(data: Mapping[str, Any], name: str, errors: dict[str, str]) -> str | None:
    """Return a cooperative's registration number (its join code): letters, digits, spaces and / . - only."""
    value = text_field(data, name, errors, max_len=64)
    if value is not None and not _REG_NUMBER.fullmatch(value):
        errors[name] = "use letters, digits, spaces and / . - only"
        return None
    return value


def account_number_field(data: Mapping[str, Any], name: str, errors: dict[str, str], *, required: bool) -> str | None:
    """Return a bank account number of exactly 10 digits, or note why not."""
    value = text_field(data, name, errors, max_len=64, required=required)
    if value is not None and not _ACCOUNT_NUMBER.fullmatch(value):
        errors[name] = "must be exactly 10 digits"
        return None
    return value


def clean_lookup_text(value: object, max_len: int) -> str | None:
    """Return text to look something up by (an email, a reference, a search), or None when it cannot match."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > max_len or text_problem(value):
        return None
    return value


# Amounts, statuses and notes ---------------------------------------------------------------------------------


def amount_field(
    data: Mapping[str, Any], errors: dict[str, str], *, maximum_kobo: int = MAX_AMOUNT_KOBO, name: str = "amount_kobo"
) -> int | None:
    """Return data[name] if it is a JSON integer within 1..maximum_kobo; note errors."""
    if data.get(name) is None:
        errors[name] = "required"
        return None
    try:
        return check_amount(require_kobo(data[name]), maximum_kobo=maximum_kobo)
    except MoneyError as exc:
        errors[name] = exc.message
        return None


def parse_status(value: object, enum_cls: type[E]) -> E:
    """Return the status named by value (an enum member or its name), or refuse with 422."""
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, str) and value.strip().upper() in enum_cls.__members__:
        return enum_cls[value.strip().upper()]
    raise ValidationFailed("Unknown status.", {"status": f"must be one of {', '.join(enum_cls.__members__)}"})


def status_arg(args: Mapping[str, str], enum_cls: type[E]) -> E | None:
    """Return the status a list is filtered by (?status=; None when absent or "all"), or refuse with 422."""
    raw = args.get("status")
    if raw in (None, "", "all"):
        return None
    if raw.upper() not in enum_cls.__members__:
        raise ValidationFailed("Check the list parameters.", {"status": f"must be one of {', '.join(enum_cls)}"})
    return enum_cls[raw.upper()]


def notes_value(notes: object) -> str | None:
    """Return optional decision notes (at most 500 characters, several lines allowed), or refuse with 422."""
    errors: dict[str, str] = {}
    value = text_field({"notes": notes}, "notes", errors, min_len=1, max_len=500, required=False, multiline=True)
    if errors:
        raise ValidationFailed("Check the notes.", errors)
    return value
