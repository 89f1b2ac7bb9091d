"""Public home page, the /dashboard redirect, and the plain summary for cooperative accounts."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from ..security import home_url_for, is_safe_next
from ..services import alerts
from ..services.signed_out import REASONS, signed_out_reason
from .bell import bell_context
from .dashboards.render import shared_banner

bp = Blueprint("main", __name__)
bp.add_app_template_global(bell_context, "bell_context")  # base.html renders the bell into every page's top bar


@bp.get("/")
def home():
    """Show the public landing page with the partners."""
    return render_template("main/home.html", partners=alerts.shown_partners())


@bp.get("/dashboard")
@login_required
def dashboard():
    """Send the user to their own dashboard."""
    return redirect(home_url_for(current_user))


@bp.get("/dashboard/alert-banner")
@login_required
def alert_banner():
    """Return the emergency alert banner fragment (the newest active alert) for any signed-in user.

    The shared fragment and ETag of the pushed banner, except that a warning the user dismissed stays hidden for
    this session (a newer alert shows again); a critical alert cannot be dismissed."""
    alert = alerts.active_alert()
    if alert is not None and alert.severity.value != "CRITICAL" and session.get("dismissed_alert") == alert.id:
        return render_template("main/_alert_banner.html", alert=None)
    return shared_banner()


@bp.post("/dashboard/alert-banner/dismiss")
@login_required
def dismiss_alert():
    """Hide the active warning banner for the rest of this session; answer with the (now empty) banner."""
    alert = alerts.active_alert()
    if alert is not None and alert.severity.value != "CRITICAL":
        session["dismissed_alert"] = alert.id
    return alert_banner()


@bp.get("/notifications/bell")
@login_required
def bell():
    """Return the top bar's notification bell (the unread count) of the signed-in user."""
    return render_template("layouts/_bell.html", **bell_context())


@bp.get("/dashboard/summary")
@login_required
def summary():
    """Show the plain summary page of cooperative and parent-organization accounts."""
    return render_template("main/placeholder_dashboard.html", dashboard_title="Summary")


@bp.get("/signed-out")
def signed_out():
    """Explain why this window was signed out (deactivated, signed out elsewhere, session ended) and offer sign-in."""
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    reason = signed_out_reason(session.get("_user_id"))
    reason = "expired" if reason == "active" else reason
    target = request.args.get("next")
    login = url_for("auth.login", next=target) if is_safe_next(target) else url_for("auth.login")
    title, text = REASONS[reason]
    return render_template("auth/signed_out.html", reason=reason, title=title, text=text, login_url=login)
