"""Which panels each dashboard shows, in display order, and how to find one and read its options."""

from __future__ import annotations

from .panel import Panel
from .panels import apex, apex_funds, cooperative, finance, leader, member, nogalss_funds, parent_org, super_admin

DASHBOARD_PANELS: dict[str, list[Panel]] = {
    "super_admin": super_admin.PANELS,
    "finance": finance.PANELS,
    "apex_funds": apex_funds.PANELS,
    "nogalss_funds": nogalss_funds.PANELS,
    "apex": apex.PANELS,
    "leader": leader.PANELS,
    "member": member.PANELS,
    "cooperative": cooperative.PANELS,
    "parent_org": parent_org.PANELS,
}


def dashboard_panels() -> dict[str, list[Panel]]:
    """Return every dashboard's panels in display order."""
    return DASHBOARD_PANELS


def find_panel(dashboard: str, name: str) -> Panel | None:
    """Return a dashboard's panel by name, or None."""
    return next((p for p in dashboard_panels().get(dashboard, []) if p.name == name), None)


def clean_options(panel: Panel, args: dict[str, str]) -> dict[str, str]:
    """Return the panel's options from query args, falling back to defaults for unknown values."""
    return {key: (args.get(key) if args.get(key) in allowed else allowed[0]) for key, allowed in panel.options.items()}
