"""Jinja filters: the only place naira and percentages become text."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from .services.money import format_bp, format_naira


def format_datetime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """Format a UTC datetime for display (UTC, labelled)."""
    return "" if value is None else value.strftime(fmt)


def init_app(app: Flask) -> None:
    """Register the template filters."""
    app.add_template_filter(format_naira, "naira")
    app.add_template_filter(format_bp, "percent")
    app.add_template_filter(format_datetime, "datetime")
