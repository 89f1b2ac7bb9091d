"""API area: the signed-in user's own in-app notifications (read them, mark one or all as read)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...models import Notification, Role
from ...security import require_roles
from ...services import notifications
from ...services.errors import ValidationFailed
from ...services.fields import is_id
from ..web import iso, json_body, page_json

bp = Blueprint("api_notifications", __name__, url_prefix="/api")
bp.before_request(require_roles(set(Role)))


def notification_json(row: Notification) -> dict[str, Any]:
    """Return a notification as JSON fields."""
    return {
        "id": row.id,
        "title": row.title,
        "body": row.body,
        "link": row.link,
        "is_read": row.is_read,
        "created_at": iso(row.created_at),
    }


def read_target(data: Mapping[str, Any]) -> int | None:
    """Return the notification id to mark, or None for all; refuse neither, both or anything else with 422."""
    has_id, has_all = "id" in data, "all" in data
    if has_id == has_all:
        message = "send either id or all, not both" if has_id else "send id or all: true"
        raise ValidationFailed("Say which notifications to mark as read.", {"id": message})
    if has_all:
        if data["all"] is not True:
            raise ValidationFailed("Say which notifications to mark as read.", {"all": "must be true"})
        return None
    value = data["id"]
    if not is_id(value):
        raise ValidationFailed("Say which notifications to mark as read.", {"id": "must be a notification id"})
    return value


def mark(user_id: int, target: int | None) -> int:
    """Mark one notification (target id) or all of the user's as read; return how many changed."""
    if target is None:
        return notifications.mark_all_read(user_id)
    before = notifications.unread_count(user_id)
    notifications.mark_read(user_id, target)
    return before - notifications.unread_count(user_id)


@bp.get("/notifications")
def list_notifications():
    """List the caller's own notifications, newest first, with the unread count."""
    page = page_json(notifications.list_own(current_user.id, request.args), notification_json)
    return jsonify({"unread": notifications.unread_count(current_user.id), **page})


@bp.patch("/notifications")
def mark_read():
    """Mark one of the caller's notifications ({id}) or all of them ({all: true}) as read."""
    marked = mark(current_user.id, read_target(json_body()))
    return jsonify({"marked": marked, "unread": notifications.unread_count(current_user.id)})


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints."""
    return [bp]
