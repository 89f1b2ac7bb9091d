"""Form routes of the apex_funds dashboard."""

from __future__ import annotations

from flask import Blueprint


def register(bp: Blueprint) -> None:
    """Add this dashboard's form routes (none yet)."""
