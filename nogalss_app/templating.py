"""Jinja filters and globals: the only place naira, percentages and times become text."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, request, url_for
from flask_login import current_user

from .services import charts
from .services.money import format_bp, format_naira
from .services.stats.compute import LOCAL_TZ


def format_datetime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """Format a UTC datetime in Nigerian time (WAT)."""
    return "" if value is None else value.astimezone(LOCAL_TZ).strftime(fmt)


def format_clock(value: datetime | None) -> str:
    """Format a time of day hh:mm:ss in Nigerian time."""
    return format_datetime(value, "%H:%M:%S")


def format_date(value: datetime | None) -> str:
    """Format a date in Nigerian time."""
    return format_datetime(value, "%d %b %Y")


# The super admin's management pages, offered beside the dashboards.
MANAGE_PAGES = (
    ("Users", "super_admin.people_users"),
    ("Cooperatives", "super_admin.records_cooperatives"),
    ("Parent organizations", "super_admin.records_parent_organizations"),
    ("Transactions", "super_admin.records_transactions"),
    ("Alerts & partners", "super_admin.people_content"),
    ("Settings", "super_admin.people_settings"),
    ("API tokens", "super_admin.people_tokens"),
)


def nav_links() -> dict:
    """Offer the dashboards the signed-in user may open."""
    from .security import DASHBOARDS, dashboards_open_to

    if not current_user.is_authenticated:
        return {"nav_links": []}
    keys = dashboards_open_to(current_user.role)
    if len(keys) < 2:
        return {"nav_links": [], "manage_links": []}
    links = []
    for key in keys:
        url = url_for(f"{key}.index")
        links.append({"label": DASHBOARDS[key]["title"], "url": url, "active": request.path == url})
    manage = [
        {"label": label, "url": url_for(endpoint), "active": request.path == url_for(endpoint)}
        for label, endpoint in MANAGE_PAGES
    ]
    return {"nav_links": links, "manage_links": manage}


def init_app(app: Flask) -> None:
    """Register the template filters and context."""
    app.add_template_filter(format_naira, "naira")
    app.add_template_filter(format_bp, "percent")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_clock, "clock")
    app.context_processor(nav_links)
    app.add_template_global(charts.bar_chart, "chart_layout")
    app.add_template_global(charts.short_naira, "short_naira")
