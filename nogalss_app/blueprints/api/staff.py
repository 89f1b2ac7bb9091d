"""API area: staff mutations — finance's withdrawal queue and expenses, apex and leader loan decisions."""

from __future__ import annotations

from flask import Blueprint

from . import staff_finance, staff_loans


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints."""
    return [*staff_finance.blueprints(), *staff_loans.blueprints()]
