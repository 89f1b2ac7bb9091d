"""Member statements: `/api/statements/<member_id>?from=&to=&format=json|csv|pdf` (SPEC §10).

The member, their leader, finance and the super admin may read one; anyone else gets 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, stream_with_context
from flask_login import current_user, login_required

from ...models import Role
from ...models.types import utcnow
from ...services import audit
from ...services.errors import ValidationFailed
from ...services.exports import FORMATS, csv_chunks, pdf_bytes
from ...services.reports.statements import (
    build_statement,
    statement_json,
    statement_member,
    statement_period,
    statement_table,
)

STATEMENT_FORMATS = ("json", "csv", "pdf")

bp = Blueprint("api_statements", __name__, url_prefix="/api/statements")


@bp.get("/<id:member_id>")
@login_required
def statement(member_id: int):
    """Return a member's statement as JSON, CSV (streamed) or PDF."""
    fmt = (request.args.get("format") or "json").strip()
    if fmt not in STATEMENT_FORMATS:
        raise ValidationFailed("Check the format.", {"format": "must be one of json, csv, pdf"})
    member = statement_member(current_user, member_id)
    now = utcnow()
    period = statement_period(member, request.args, now)
    if current_user.role is Role.SUPER_ADMIN:
        audit.record_view_as("statement", actor_id=current_user.id, chosen={"member": member.id})
    result = build_statement(member, current_user, period, now)
    if fmt == "json":
        return jsonify(statement_json(result))
    table = statement_table(result, now)
    media, extension = FORMATS[fmt]
    headers = {"Content-Disposition": f'attachment; filename="{table.filename}.{extension}"'}
    if fmt == "pdf":
        return Response(pdf_bytes(table), mimetype=media, headers=headers)
    return Response(stream_with_context(csv_chunks(table)), content_type=media, headers=headers)
