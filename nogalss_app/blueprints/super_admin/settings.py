"""Super admin pages for settings (fees in naira, allocation in percent, withdrawals per role) and API tokens."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...services import api_tokens, settings, users
from ...services.errors import ServiceError, ValidationFailed
from ...services.money import MoneyError, format_naira, parse_naira
from ..web import Outcome, refusal

PERCENT = re.compile(r"(0|[1-9][0-9]{0,2})(?:\.([0-9]{1,2}))?", re.ASCII)
FEE_FIELDS = {"member_fee": "member_fee_kobo", "cooperative_fee": "cooperative_fee_kobo"}
ALLOCATION_LABELS = {
    "apex_funds_bp": "Apex Fund",
    "nogalss_funds_bp": "Nogalss Fund",
    "cooperative_bp": "Cooperative",
    "leader_bp": "Leader",
    "parent_organization_bp": "Parent organization",
}


def parse_percent(text: str | None) -> int:
    """Parse percent text such as '40', '12.5' or '12.25' (0 to 100, at most 2 decimals) into basis points."""
    cleaned = (text or "").strip().removesuffix("%").strip()
    match = PERCENT.fullmatch(cleaned)
    if not match:
        raise ValueError("enter a percentage such as 40 or 12.5 (at most 2 decimal places)")
    bp = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if bp > 10_000:
        raise ValueError("must be at most 100")
    return bp


def percent_text(bp: int) -> str:
    """Return basis points as percent text without the sign: 4000 → '40', 1250 → '12.5'."""
    whole, hundredths = divmod(bp, 100)
    return f"{whole}.{hundredths:02d}".rstrip("0").rstrip(".") if hundredths else str(whole)


def settings_page(outcome: Outcome | None = None):
    """Show the current fees, allocation split and withdrawal switches with their forms."""
    outcome = outcome or Outcome()
    current = settings.get_settings()
    values = {
        "member_fee": format_naira(current.member_fee_kobo).lstrip("₦"),
        "cooperative_fee": format_naira(current.cooperative_fee_kobo).lstrip("₦"),
        **{name: percent_text(bp) for name, bp in current.allocation_bp.items()},
        "loan_interest": percent_text(current.loan_interest_bp),
    }
    context = {
        "page_title": "Settings",
        "current": current,
        "labels": ALLOCATION_LABELS,
        "values": values,
        **outcome.context(),
    }
    return render_template("super_admin/settings.html", **context), outcome.status


def save_fees():
    """Change the registration fees from naira text."""
    data, errors = {}, {}
    for name, field in FEE_FIELDS.items():
        try:
            data[field] = parse_naira(request.form.get(name))
        except MoneyError as exc:
            errors[name] = exc.message
    try:
        if errors:
            raise ValidationFailed("Check the fees.", errors)
        settings.update_fees(data, actor_id=current_user.id)
    except ServiceError as exc:
        return settings_page(refusal(exc, form_id="fees", names={field: name for name, field in FEE_FIELDS.items()}))
    flash("Registration fees saved.", "success")
    return redirect(url_for("super_admin.people_settings"), 303)


def save_allocation():
    """Change the registration-fee split from percent text (it must total 100 %)."""
    data, errors = {}, {}
    for field in ALLOCATION_LABELS:
        try:
            data[field] = parse_percent(request.form.get(field))
        except ValueError as exc:
            errors[field] = str(exc)
    try:
        if errors:
            raise ValidationFailed("Check the allocation.", errors)
        if sum(data.values()) != 10_000:
            total = percent_text(sum(data.values()))
            raise ValidationFailed(f"The parts add up to {total} %, not 100 %.", {"allocation": "must total 100 %"})
        settings.update_allocation(data, actor_id=current_user.id)
    except ServiceError as exc:
        return settings_page(refusal(exc, form_id="allocation"))
    flash("Allocation split saved.", "success")
    return redirect(url_for("super_admin.people_settings"), 303)


def save_withdrawals():
    """Switch withdrawals on or off for members and leaders."""
    data = {role.value: role.value in request.form for role in settings.WITHDRAWAL_ROLES}
    try:
        settings.update_withdrawals(data, actor_id=current_user.id)
    except ServiceError as exc:
        return settings_page(refusal(exc, form_id="withdrawals"))
    flash("Withdrawal settings saved.", "success")
    return redirect(url_for("super_admin.people_settings"), 303)


def save_loans():
    """Change the flat loan interest from percent text (5 or 5.25 = 500 or 525 basis points)."""
    try:
        try:
            data = {"loan_interest_bp": parse_percent(request.form.get("loan_interest"))}
        except ValueError as exc:
            raise ValidationFailed("Check the loan interest.", {"loan_interest": str(exc)}) from None
        settings.update_loans(data, actor_id=current_user.id)
    except ServiceError as exc:
        return settings_page(refusal(exc, form_id="loans", names={"loan_interest_bp": "loan_interest"}))
    flash("Loan interest saved.", "success")
    return redirect(url_for("super_admin.people_settings"), 303)


def tokens_page(outcome: Outcome | None = None, **extra: Any):
    """Show the API tokens (never their secrets, except once right after creation) and the create form."""
    outcome = outcome or Outcome()
    context = {
        "page_title": "API tokens",
        "tokens": api_tokens.tokens_with_owners(),
        **outcome.context(),
        **extra,
    }
    return render_template("super_admin/tokens.html", **context), outcome.status


def create_token():
    """Create a token for the account with the given email and show its secret this once."""
    owner = users.find_by_email(request.form.get("email"))
    try:
        if owner is None:
            raise ValidationFailed("Check the token.", {"email": "no account has this email"})
        row, secret = api_tokens.create_token(owner.id, request.form.get("name", ""), actor_id=current_user.id)
    except ServiceError as exc:
        return tokens_page(refusal(exc, form_id="token", names={"user_id": "email"}))
    return tokens_page(new_token=row, new_secret=secret, new_owner=owner.email)


def revoke_token(token_id: int):
    """Revoke a token after the confirm step."""
    try:
        row = api_tokens.revoke_token(token_id, actor_id=current_user.id)
    except ServiceError as exc:
        return tokens_page(refusal(exc))
    flash(f"Token “{row.name}” revoked.", "success")
    return redirect(url_for("super_admin.people_tokens"), 303)


def register(bp: Blueprint) -> None:
    """Add the settings and token pages."""
    bp.add_url_rule("/settings", "people_settings", settings_page, methods=["GET"])
    bp.add_url_rule("/settings/fees", "people_save_fees", save_fees, methods=["POST"])
    bp.add_url_rule("/settings/allocation", "people_save_allocation", save_allocation, methods=["POST"])
    bp.add_url_rule("/settings/withdrawals", "people_save_withdrawals", save_withdrawals, methods=["POST"])
    bp.add_url_rule("/settings/loans", "people_save_loans", save_loans, methods=["POST"])
    bp.add_url_rule("/tokens", "people_tokens", tokens_page, methods=["GET"])
    bp.add_url_rule("/tokens", "people_create_token", create_token, methods=["POST"])
    bp.add_url_rule("/tokens/<id:token_id>/revoke", "people_revoke_token", revoke_token, methods=["POST"])
