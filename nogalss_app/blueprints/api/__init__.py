"""The JSON API (SPEC §5): one module per area, each a blueprint behind its role guard."""

from __future__ import annotations

from flask import Blueprint


def api_blueprints() -> list[Blueprint]:
    """Return every API blueprint."""
    from . import (
        admin_content,
        admin_records,
        admin_users,
        member,
        notifications,
        payments,
        registration,
        staff,
    )

    return [
        *admin_users.blueprints(),
        *admin_records.blueprints(),
        *admin_content.blueprints(),
        *staff.blueprints(),
        *member.blueprints(),
        *notifications.blueprints(),
        *payments.blueprints(),
        *registration.blueprints(),
    ]
