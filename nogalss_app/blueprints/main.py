"""Public home page, the /dashboard redirect, and the plain summary for cooperative accounts."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template
from flask_login import current_user, login_required

from ..security import home_url_for
from ..services import alerts
from .dashboards.render import shared_banner

bp = Blueprint("main", __name__)


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
    """Return the emergency alert banner fragment (the newest active alert) for any signed-in user."""
    return shared_banner()  # the same shared fragment and ETag as the pushed banner


@bp.get("/dashboard/summary")
@login_required
def summary():
    """Show the plain summary page of cooperative and parent-organization accounts."""
    return render_template("main/placeholder_dashboard.html", dashboard_title="Summary")
