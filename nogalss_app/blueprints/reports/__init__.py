"""Reports (SPEC §10): the Reports page of each role and `/api/reports/<name>` as JSON, CSV, XLSX or PDF.

A view parses the period and filters, builds the audience from the signed-in user (a leader their cooperative, a
fund its own share, a super admin an optional `?cooperative=`, logged), runs one report and renders or streams it.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for
from flask_login import current_user

from ...extensions import db
from ...models import Cooperative, Recipient, Role
from ...models.types import utcnow
from ...security import require_roles
from ...services import audit
from ...services.errors import Forbidden, NotFound, ValidationFailed
from ...services.exports import FORMATS, csv_chunks, pdf_bytes, xlsx_chunks
from ...services.fields import id_from_text
from ...services.periods import PRESETS, period_from_args
from ...services.reports import REPORTS, Audience, Report, Request, json_chunks, report_filters, reports_for, table_for
from . import statements
from .view import page_context

REPORT_ROLES = frozenset(role for report in REPORTS.values() for role in report.roles)
FUND_ROLES = {Role.APEX_FUNDS: Recipient.APEX_FUNDS, Role.NOGALSS_FUNDS: Recipient.NOGALSS_FUNDS}

bp = Blueprint("reports", __name__, url_prefix="/reports")
api = Blueprint("api_reports", __name__, url_prefix="/api/reports")
bp.before_request(require_roles(REPORT_ROLES))
api.before_request(require_roles(REPORT_ROLES))


def audience(name: str) -> Audience:
    """Return who runs the report and what they may see; a super admin's chosen cooperative is logged."""
    role = current_user.role
    if role is Role.LEADER:
        return Audience(current_user.id, role, cooperative_id=current_user.cooperative_id)
    if role in FUND_ROLES:
        return Audience(current_user.id, role, fund=FUND_ROLES[role])
    raw = request.args.get("cooperative")
    if role is Role.SUPER_ADMIN and raw not in (None, ""):
        coop_id = id_from_text(raw)
        if coop_id is None or db.session.get(Cooperative, coop_id) is None:
            raise NotFound("No such cooperative.")
        audit.record_view_as("reports", actor_id=current_user.id, chosen={"cooperative": coop_id, "report": name})
        return Audience(current_user.id, role, cooperative_id=coop_id)
    return Audience(current_user.id, role)


def find_report(name: str) -> Report:
    """Return the report the caller may run; 403 for a known report of another role, 404 for an unknown one."""
    report = REPORTS.get(name)
    if report is None:
        raise NotFound("No such report.")
    if current_user.role not in report.roles:
        raise Forbidden("Your role may not run this report.")
    return report


def report_request(report: Report) -> Request:
    """Return the validated run: audience, period (422 when malformed) and the report's filters."""
    now = utcnow()
    period = period_from_args(request.args, now)
    filters = report_filters(report.name, request.args)
    return Request(audience(report.name), period, now, filters)


@bp.get("")
def index():
    """List the reports the caller's role may run."""
    return render_template("reports/index.html", reports=reports_for(current_user.role), presets=PRESETS)


@bp.get("/<name>")
def report_page(name: str):
    """Show a report for a period: the table with its totals and the download links."""
    report = find_report(name)
    run = report_request(report)
    return render_template("reports/report.html", **page_context(report, run, request.args))


@api.get("/<name>")
def report_api(name: str):
    """Return a report as JSON (streamed), CSV or XLSX (streamed), or PDF."""
    report = find_report(name)
    fmt = (request.args.get("format") or "json").strip()
    if fmt != "json" and fmt not in FORMATS:
        raise ValidationFailed("Check the format.", {"format": "must be one of json, csv, xlsx, pdf"})
    run = report_request(report)
    if fmt == "json":
        return Response(stream_with_context(json_chunks(report, run)), mimetype="application/json")
    table = table_for(report, run)
    media, extension = FORMATS[fmt]
    headers = {"Content-Disposition": f'attachment; filename="{table.filename}.{extension}"'}
    if fmt == "pdf":
        return Response(pdf_bytes(table), mimetype=media, headers=headers)
    chunks = csv_chunks(table) if fmt == "csv" else xlsx_chunks(table)
    return Response(stream_with_context(chunks), content_type=media, headers=headers)


@bp.app_context_processor
def reports_link() -> dict:
    """Offer the Reports page to signed-in users whose role has reports."""
    if current_user.is_authenticated and current_user.role in REPORT_ROLES:
        return {"reports_url": url_for("reports.index")}
    return {"reports_url": None}


def blueprints() -> list[Blueprint]:
    """Return the Reports page and JSON blueprints."""
    return [bp, api, statements.bp]
