"""Form routes and management pages of the super admin dashboard (people & settings; records)."""

from __future__ import annotations

from flask import Blueprint


def register(bp: Blueprint) -> None:
    """Add the super admin's management routes."""
    from . import notifications, super_admin_people, super_admin_records

    super_admin_people.register(bp)
    super_admin_records.register(bp)
    notifications.register(bp, "super_admin")
