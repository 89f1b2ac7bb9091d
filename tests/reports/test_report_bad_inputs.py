"""BAD_INPUTS rows 27 (dates at the calendar's edges, malformed, backwards, too long → 422, nothing written) and
35 (a text cell beginning with =, +, - or @ in a CSV or XLSX export begins with ')."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import openpyxl
import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import AuditLog, LoanStatus, Role, WithdrawalStatus
from nogalss_app.models.types import utcnow
from tests import factories

BAD_RANGES = [
    {"from": "0001-01-01", "to": "2026-01-31"},
    {"from": "2026-01-01", "to": "9999-12-31"},
    {"from": "2026-02-30", "to": "2026-03-01"},
    {"from": "2026-1-1", "to": "2026-01-31"},
    {"from": "yesterday", "to": "2026-01-31"},
    {"from": "2026-03-01", "to": "2026-02-01"},
    {"from": "2020-01-01", "to": "2025-01-01"},
    {"from": "", "to": "2026-01-31\u0000"},
    {"preset": "next_month"},
    {"preset": "this_month", "from": "2026-01-01"},
    {"from": "2026-01-01", "to": "2026-01-31", "format": "docx"},
    {"from": "2026-01-01", "to": "2026-01-31", "cooperative": "abc"},
]


def _query(args: dict) -> str:
    return urlencode(args)


@pytest.mark.parametrize("args", BAD_RANGES)
def test_bad_report_ranges_are_refused_with_422_and_nothing_is_written(login_as, client, args):
    login_as("SUPER_ADMIN")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog))
    urls = [f"/api/reports/cashflow?{_query(args)}"]
    if "format" not in args:  # the page has no format; its downloads do
        urls.append(f"/reports/loans?{_query(args)}")
    for url in urls:
        response = client.get(url)
        expected = 404 if "cooperative" in args else 422
        assert response.status_code == expected, (url, response.get_data(as_text=True))
        if url.startswith("/api/"):
            assert response.get_json()["error"]["code"] in ("validation_error", "not_found")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog)) == before


@pytest.mark.parametrize("args", [{"actor": "-1"}, {"actor": "x"}, {"action": "a" * 65}, {"entity": "line\nbreak"}])
def test_bad_audit_filters_are_refused(login_as, client, args):
    login_as("SUPER_ADMIN")
    response = client.get(f"/api/reports/audit?preset=this_month&{_query(args)}")
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(response.get_json()["error"]["fields"]) == set(args)


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


def test_formula_text_is_defused_in_csv_and_xlsx(login_as, client):
    login_as("SUPER_ADMIN")
    member = factories.user(role=Role.MEMBER, first_name="=cmd", last_name="|x")
    for index, text in enumerate(FORMULAS):
        factories.WithdrawalFactory(user=member, reason=text, amount_kobo=100 + index, status=WithdrawalStatus.PENDING)
        factories.LoanFactory(user=member, purpose=text, status=LoanStatus.ACTIVE, decided_at=utcnow())
    response = client.get("/api/reports/withdrawals?preset=this_month&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = rows[0]
    reasons = [row[header.index("Reason")] for row in rows[1:5]]
    assert reasons == ["'" + text for text in FORMULAS]
    assert all(row[header.index("Member")].startswith("'=cmd") for row in rows[1:5])
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/reports/withdrawals?preset=this_month&format=xlsx").data))
    cells = [str(cell) for row in book.active.iter_rows(values_only=True) for cell in row if cell is not None]
    for text in FORMULAS:
        assert "'" + text in cells
        assert text not in cells
