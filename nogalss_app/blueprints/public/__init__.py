"""Public pages (registration, sandbox checkout) and the public registration API."""

from __future__ import annotations

from flask import Blueprint

from . import api, pages


def blueprints() -> list[Blueprint]:
    """Return the public page blueprint and the registration API blueprint."""
    return [pages.bp, api.bp]
