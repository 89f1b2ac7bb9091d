"""The super admin's choice of which cooperative (leader view) or member (member view) to open."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request

from ...extensions import db
from ...models import Cooperative, Role, User


def picker_page(key: str, spec: dict):
    """List cooperatives or members (with search) to choose from."""
    q = (request.args.get("q") or "").strip()[:100]
    if key == "leader":
        query = sa.select(Cooperative).order_by(Cooperative.name)
        if q:
            query = query.where(
                sa.or_(Cooperative.name.ilike(f"%{q}%"), Cooperative.registration_number.ilike(f"%{q}%"))
            )
        choices = [(c.id, f"{c.name} ({c.registration_number})") for c in db.session.scalars(query.limit(100))]
        param, noun = "cooperative", "cooperative"
    else:
        query = sa.select(User).where(User.role.in_([Role.MEMBER, Role.LEADER])).order_by(User.last_name, User.id)
        if q:
            query = query.where(
                sa.or_(User.email.ilike(f"%{q}%"), User.first_name.ilike(f"%{q}%"), User.last_name.ilike(f"%{q}%"))
            )
        choices = [(u.id, f"{u.full_name} ({u.email})") for u in db.session.scalars(query.limit(100))]
        param, noun = "member", "member"
    return render_template("dashboards/picker.html", key=key, spec=spec, choices=choices, param=param, noun=noun, q=q)
