"""The JSON API (SPEC §5): one module per area, each a blueprint behind its role guard."""

from __future__ import annotations

from flask import Blueprint


def api_blueprints() -> list[Blueprint]:
    """Return every API blueprint."""
    from . import (
        admin_content,
        admin_records,
        admin_users,
        notifications,
        payments,
        registration,
        roles,
    )

    return [
        *admin_users.blueprints(),
        *admin_records.blueprints(),
        *admin_content.blueprints(),
        *roles.blueprints(),
        *notifications.blueprints(),
        *payments.blueprints(),
        *registration.blueprints(),
    ]
