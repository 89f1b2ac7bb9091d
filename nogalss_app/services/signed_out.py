"""Why a browser's session no longer signs anyone in, for the page that explains it (never a silent jump to login)."""

from __future__ import annotations

from ..extensions import db
from ..models import User

REASONS = {
    "deactivated": (
        "Your account was deactivated",
        "An administrator switched your account off, so every window was signed out. Ask your cooperative "
        "leader or the Nogalss office to activate it again.",
    ),
    "elsewhere": (
        "You were signed out on this device",
        "You logged out on another device, or an administrator changed your access; every session ended. "
        "Sign in again to carry on.",
    ),
    "expired": (
        "Your session has ended",
        "You signed out in this browser, or the session expired after a long time without use. Sign in again to "
        "carry on.",
    ),
}


def signed_out_reason(session_id: object) -> str:
    """Return "active", "deactivated", "elsewhere" or "expired" for the session's remembered user id ("id:version")."""
    if not isinstance(session_id, str):
        return "expired"
    user_id, _, version = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isdigit()) or len(user_id) > 18:
        return "expired"
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return "deactivated"
    if str(user.session_version) != version:
        return "elsewhere"
    return "active"
