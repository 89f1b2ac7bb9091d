"""Super admin management routes: super_admin_people (to be filled)."""

from __future__ import annotations

from flask import Blueprint


def register(bp: Blueprint) -> None:
    """Add these routes (none yet)."""
