"""PDF exports (SPEC §10): every page names the organisation, the period and the generation time, and is numbered."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from nogalss_app.services.errors import ValidationFailed
from nogalss_app.services.exports import Column, Kind, SummaryLine, Table, pdf_bytes, render_html
from nogalss_app.services.money import format_naira
from nogalss_app.services.periods import Period

PERIOD = Period(date(2026, 3, 31), date(2026, 4, 1))
GENERATED = datetime(2026, 4, 2, 7, 5, tzinfo=UTC)
COLUMNS = (
    Column("day", "Date", Kind.DATE),
    Column("name", "Member"),
    Column("amount_kobo", "Amount", Kind.AMOUNT),
    Column("lines", "Lines", Kind.COUNT),
)


def table(count: int, **fields) -> Table:
    """A table of `count` rows (read lazily)."""
    rows = (
        {"day": date(2026, 3, 31), "name": f"Member {i}", "amount_kobo": 100_000 + i, "lines": 1} for i in range(count)
    )
    defaults = {"title": "Cash flow", "organisation": "Nogalss Apex Body", "period": PERIOD, "generated_at": GENERATED}
    return Table(columns=COLUMNS, rows=rows, **(defaults | fields))


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    """Return the text of each page (poppler's pdftotext; .ci/run installs poppler-utils)."""
    if not shutil.which("pdftotext"):
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext is required under CI=true (apt-get install poppler-utils)")
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def test_every_page_has_the_organisation_period_generation_time_and_its_number(tmp_path):
    pages = pdf_pages(pdf_bytes(table(150)), tmp_path)
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Nogalss Apex Body" in page
        assert "31 Mar 2026 \u2013 1 Apr 2026" in page
        assert "Generated 2 Apr 2026, 08:05 WAT" in page
        assert f"Page {number} of {len(pages)}" in page
        assert "Amount" in page  # the table's heading repeats on each page


def test_the_pdf_shows_every_row_once_and_the_total_on_the_last_page(tmp_path):
    pages = pdf_pages(pdf_bytes(table(150)), tmp_path)
    text = "".join(pages)
    assert all(text.count(f"Member {i} ") == 1 for i in range(150))
    total = format_naira(sum(100_000 + i for i in range(150)))
    assert total in pages[-1] and all(total not in page for page in pages[:-1])
    assert "Total" in pages[-1]


def test_summary_lines_and_an_empty_period_are_printed(tmp_path):
    summary = (SummaryLine("Opening position", 500_000), SummaryLine("Closing position", -125))
    pages = pdf_pages(pdf_bytes(table(0, summary=summary)), tmp_path)
    assert len(pages) == 1
    assert "No rows in this period." in pages[0]
    assert "Opening position" in pages[0] and "\u20a65,000.00" in pages[0] and "-\u20a61.25" in pages[0]


def test_text_from_the_database_is_escaped_and_nothing_is_fetched(tmp_path):
    hostile = '<img src="file:///etc/passwd"><script>x</script>&amp;'
    rows = [{"day": None, "name": hostile, "amount_kobo": 1, "lines": 1}]
    export = Table("Fees", hostile, PERIOD, GENERATED, COLUMNS, iter(rows))
    html = render_html(export)
    assert "<img" not in html and "<script" not in html and "&lt;img" in html
    pages = pdf_pages(pdf_bytes(Table("Fees", hostile, PERIOD, GENERATED, COLUMNS, iter(rows))), tmp_path)
    assert "<script>x</script>&amp;" in pages[0].replace("\n", "")


def test_a_pdf_too_long_to_print_is_refused_before_any_layout():
    with pytest.raises(ValidationFailed) as caught:
        pdf_bytes(table(11), max_rows=10)
    assert caught.value.status == 422
    assert "CSV or XLSX" in caught.value.fields["format"]


def test_the_child_process_lays_out_the_same_document_as_the_server_would(tmp_path):
    in_child = pdf_pages(pdf_bytes(table(40)), tmp_path)
    in_process = pdf_pages(pdf_bytes(table(40), in_child=False), tmp_path)
    assert in_child == in_process and len(in_child) == 2
