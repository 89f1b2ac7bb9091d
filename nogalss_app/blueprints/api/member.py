"""API area: member (to be filled)."""

from __future__ import annotations

from flask import Blueprint


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints."""
    return []
