"""The super admin's choice of which cooperative (leader view) or member (member view) to open."""

from __future__ import annotations

from flask import render_template, request

from ...services import records_search
from ...services.fields import clean_lookup_text


def picker_page(key: str, spec: dict):
    """List cooperatives or members (with search) to choose from."""
    q = clean_lookup_text((request.args.get("q") or "").strip()[:100], 100) or ""
    if key == "leader":
        choices, param = records_search.cooperative_choices(q), "cooperative"
    else:
        choices, param = records_search.member_choices(q), "member"
    noun = param
    return render_template("dashboards/picker.html", key=key, spec=spec, choices=choices, param=param, noun=noun, q=q)
