"""Form route "mark read" of the notifications panel, added to every dashboard blueprint that shows one."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from ...services import notifications
from ...services.errors import ValidationFailed
from ...services.fields import id_from_text
from ..web import answer

PANEL = "notifications"


def read_target() -> int | None:
    """Return the notification id of the form, or None for "all"; refuse neither, both or garbage with 422."""
    raw_id, raw_all = request.form.get("id"), request.form.get("all")
    if (raw_id is None) == (raw_all is None):
        raise ValidationFailed("Say which notifications to mark as read.", {"id": "send either id or all"})
    if raw_all is not None:
        if raw_all != "true":
            raise ValidationFailed("Say which notifications to mark as read.", {"all": "must be true"})
        return None
    found = id_from_text(raw_id)
    if found is None:
        raise ValidationFailed("Say which notifications to mark as read.", {"id": "must be a notification id"})
    return found


def mark(user_id: int) -> str:
    """Mark the form's notification, or all of the user's, as read; return the notice."""
    target = read_target()
    if target is None:
        count = notifications.mark_all_read(user_id)
        return f"Marked {count} notification{'' if count == 1 else 's'} as read."
    notifications.mark_read(user_id, target)
    return "Marked as read."


def register(bp: Blueprint, dashboard: str) -> None:
    """Add POST <dashboard>/notifications/read, answering with that dashboard's notifications panel."""

    def notifications_read():
        """Mark one of the user's notifications (id) or all of them (all=true) as read."""
        return answer(dashboard, PANEL, lambda: mark(current_user.id))

    bp.add_url_rule("/notifications/read", view_func=notifications_read, methods=["POST"])
