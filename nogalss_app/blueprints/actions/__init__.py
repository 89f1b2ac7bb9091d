"""HTML form routes of each dashboard (htmx posts that re-render the affected panel)."""

from __future__ import annotations

import importlib

from flask import Blueprint


def register(key: str, bp: Blueprint) -> None:
    """Add the form routes of dashboard `key` (module actions/<key>.py) to its blueprint."""
    module = importlib.import_module(f"{__name__}.{key}")
    module.register(bp)
