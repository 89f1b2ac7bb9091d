"""The super admin's choice of whose dashboard to open: a cooperative, a member or a parent organization."""

from __future__ import annotations

from flask import render_template, request

from ...services import records_search
from ...services.fields import clean_lookup_text

# Dashboard → the query parameter that names whose dashboard a super admin opens.
CHOICE_PARAM = {"leader": "cooperative", "cooperative": "cooperative", "member": "member", "parent_org": "organization"}
CHOICES = {
    "cooperative": records_search.cooperative_choices,
    "member": records_search.member_choices,
    "organization": records_search.organization_choices,
}


def picker_page(key: str, spec: dict):
    """List cooperatives, members or parent organizations (with search) to choose from."""
    q = clean_lookup_text((request.args.get("q") or "").strip()[:100], 100) or ""
    param = CHOICE_PARAM.get(key, "member")
    choices = CHOICES[param](q)
    noun = "parent organization" if param == "organization" else param
    return render_template("dashboards/picker.html", key=key, spec=spec, choices=choices, param=param, noun=noun, q=q)
