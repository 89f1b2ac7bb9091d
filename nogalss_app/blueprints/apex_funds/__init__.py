"""The Apex Funds dashboard: its page and panels (read only: no forms, no JSON beyond its stats)."""

from __future__ import annotations

from flask import Blueprint

from .. import dashboards


def blueprints() -> list[Blueprint]:
    """Return the page blueprint and the stats blueprint."""
    return list(dashboards.make("apex_funds"))
