"""API area: public registration — a member (with a cooperative code) or a cooperative signs up and pays its fee.

No account exists until the fee is paid: `POST /api/auth/register` validates the sign-up, opens its fee payment
and answers where to pay (201 {reference, authorization_url}). Only the fields services/registration.py reads
are used, so a slipped-in `role` or `is_active` is never applied.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_wtf.csrf import generate_csrf

from ...services import settings
from ...services.payments import flow
from ..payments import started_json
from ..web import callback_url, count_registration, current_gateway, json_body

bp = Blueprint("api_registration", __name__, url_prefix="/api/auth")


@bp.get("/register")
def registration_info():
    """Answer the current fees and a CSRF token for the registration POST (scripts have no page to read it from)."""
    current = settings.get_settings()
    return jsonify(
        {
            "kinds": ["member", "cooperative"],
            "member_fee_kobo": current.member_fee_kobo,
            "cooperative_fee_kobo": current.cooperative_fee_kobo,
            "csrf_token": generate_csrf(),
        }
    )


@bp.post("/register")
def register():
    """Validate a member or cooperative sign-up and open its fee payment (201 {reference, authorization_url})."""
    count_registration()
    data = json_body()
    started = flow.start_registration(current_gateway(), data.get("kind"), data, callback_url=callback_url())
    return jsonify({**started_json(started), "kind": data["kind"]}), 201


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints."""
    return [bp]
