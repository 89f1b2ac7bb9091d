"""Status changes with compare-and-set, and the rule that a refused verb leaves nothing behind.

`transition_status` is the only way a service moves a loan, withdrawal, expense or ledger line along its state
machine (services/states.py): the UPDATE names the status the row had, so of two concurrent decisions exactly one
wins and the other is refused with 409.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import Enum
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa

from ..extensions import db
from . import states
from .errors import Conflict, ServiceError

P = ParamSpec("P")
R = TypeVar("R")


def refusals_roll_back(verb: Callable[P, R]) -> Callable[P, R]:
    """Roll the session back when a verb refuses, so a refusal leaves no pending write and no row lock."""

    @functools.wraps(verb)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return verb(*args, **kwargs)
        except ServiceError:
            db.session.rollback()
            raise

    return wrapper


def transition_status(row: Any, new_status: Enum, what: str, **values: Any) -> None:
    """Move row to new_status if the state machine allows it, by compare-and-set on the status it had."""
    old = row.status
    states.check_transition(old, new_status, what)
    model = type(row)
    result = db.session.execute(
        sa.update(model)
        .where(model.id == row.id, model.status == old)
        .values(status=new_status, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(f"This {what} was changed by someone else; reload and try again.")
    db.session.refresh(row)
