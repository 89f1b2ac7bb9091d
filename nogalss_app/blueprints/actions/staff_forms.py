"""Helpers of the staff form routes (finance, apex, leader, notifications): parse, run one verb, answer a panel."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping

from flask import request

from ...models import Role
from ...security import require_roles
from ...services.errors import ServiceError, ValidationFailed
from ...services.money import MoneyError, parse_naira
from .common import panel_reply

# Record ids fit a 32-bit column; a larger number in a URL is simply not found.
ID = "int(max=2147483647)"


def roles_only(roles: Iterable[Role]) -> Callable:
    """Narrow one form route to fewer roles than its dashboard admits (the guard of security.py, reused)."""
    guard = require_roles(roles)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            return guard() or view(*args, **kwargs)

        return wrapper

    return decorate


def naira_kobo(name: str) -> int:
    """Return the naira text of form field `name` as kobo, or refuse with the field's message (422)."""
    try:
        return parse_naira(request.form.get(name))
    except MoneyError as exc:
        raise ValidationFailed("Check the amount.", {name: exc.message}) from None


def renamed(error: ServiceError, names: Mapping[str, str]) -> ServiceError:
    """Return the refusal with its field names translated to the form's (amount_kobo → amount)."""
    if not error.fields or not names:
        return error
    return type(error)(error.message, {names.get(key, key): message for key, message in error.fields.items()})


def answer(dashboard: str, panel: str, action: Callable[[], str], *, names: Mapping[str, str] | None = None):
    """Run a form's action; re-render the panel with its notice, or with the refusal and what was typed."""
    try:
        notice = action()
    except ServiceError as exc:
        return panel_reply(dashboard, panel, error=renamed(exc, names or {}), form_values=request.form)
    return panel_reply(dashboard, panel, notice=notice)


def optional_text(name: str) -> str | None:
    """Return a form field's text, or None when left empty."""
    value = request.form.get(name, "")
    return value if value.strip() else None
