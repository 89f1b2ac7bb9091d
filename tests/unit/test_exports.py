"""Exports (SPEC §10, BAD_INPUTS 35): CSV and XLSX parse back to the same kobo, text cannot become a formula."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from nogalss_app.services.exports import Column, Kind, SummaryLine, Table, csv_chunks, xlsx_chunks
from nogalss_app.services.exports.table import amount_text, safe_text
from nogalss_app.services.periods import Period

PERIOD = Period(date(2026, 3, 1), date(2026, 3, 31))
GENERATED = datetime(2026, 4, 1, 8, 15, tzinfo=UTC)  # 09:15 in Lagos
COLUMNS = (
    Column("day", "Date", Kind.DATE),
    Column("at", "Recorded", Kind.DATETIME),
    Column("name", "Member"),
    Column("amount_kobo", "Amount", Kind.AMOUNT),
    Column("lines", "Lines", Kind.COUNT),
)
HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "\nLF"]


def rows() -> list[dict]:
    """Rows with awkward amounts (negative, sub-naira, large), awkward text and an empty cell."""
    amounts = [0, 1, 99, 100, 123_450, -5, -250_075, 999_999_999_999_99, 7]
    names = ["Adaeze O.", 'Quote "this", comma', "Ọlá Àdìsá — ₦", "line\r\nbreak", *HOSTILE, None]
    return [
        {
            "day": date(2026, 3, 1 + i % 31),
            "at": datetime(2026, 3, 31, 23, 30, tzinfo=UTC),  # already 1 April in Lagos
            "name": names[i % len(names)],
            "amount_kobo": amounts[i % len(amounts)],
            "lines": i,
        }
        for i in range(40)
    ]


def table(data=None, **fields) -> Table:
    """A table over the sample rows (or the given ones), rows read lazily like a query's."""
    return Table(
        title="Cash flow",
        organisation="Nogalss Apex & Co",
        period=PERIOD,
        generated_at=GENERATED,
        columns=COLUMNS,
        rows=(row for row in (rows() if data is None else data)),
        **fields,
    )


def parse_csv(data: bytes) -> list[list[str]]:
    """Parse CSV bytes the way a spreadsheet importer would (csv module, UTF-8 with BOM)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def kobo_of(text: str) -> int:
    """Turn exported naira text back into kobo without a float."""
    assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", text), text
    return int(Decimal(text) * 100)


def test_csv_is_utf8_crlf_with_header_rows_totals_and_the_same_kobo():
    data = b"".join(csv_chunks(table()))
    assert data.startswith("\ufeff".encode())
    parsed = parse_csv(data)
    outside_quotes = re.sub(rb'"(?:[^"]|"")*"', b"", data)
    assert outside_quotes.count(b"\r\n") == len(parsed) and outside_quotes.count(b"\n") == len(parsed)
    header, body, total = parsed[0], parsed[1:-1], parsed[-1]
    assert header == ["Date", "Recorded", "Member", "Amount", "Lines"]
    source = rows()
    assert len(body) == len(source)
    assert [kobo_of(line[3]) for line in body] == [row["amount_kobo"] for row in source]
    assert [int(line[4]) for line in body] == [row["lines"] for row in source]
    assert body[0][0] == "2026-03-01" and body[0][1] == "2026-04-01 00:30"
    assert total[:3] == ["Total", "", ""]  # the label goes in the first column that is not summed
    assert kobo_of(total[3]) == sum(row["amount_kobo"] for row in source)
    assert int(total[4]) == sum(range(40))


def test_csv_quotes_commas_quotes_and_line_breaks_per_rfc_4180():
    data = b"".join(csv_chunks(table()))
    assert b'"Quote ""this"", comma"' in data
    assert b'"line\r\nbreak"' in data
    names = [line[2] for line in parse_csv(data)[1:-1]]
    assert 'Quote "this", comma' in names and "line\r\nbreak" in names and "Ọlá Àdìsá — ₦" in names


def test_csv_amounts_have_exactly_two_decimals_from_integer_kobo():
    assert [amount_text(k) for k in (0, 1, 99, 100, 123_450, -5, -250_075)] == [
        "0.00",
        "0.01",
        "0.99",
        "1.00",
        "1234.50",
        "-0.05",
        "-2500.75",
    ]
    assert amount_text(999_999_999_999_999_99) == "999999999999999.99"  # 17 digits: no float could hold it
    with pytest.raises(TypeError):
        amount_text(1.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_cell_that_could_start_a_formula_begins_with_a_quote_in_csv(text):
    data = [{"day": None, "at": None, "name": text, "amount_kobo": -100, "lines": None}]
    body = parse_csv(b"".join(csv_chunks(table(data))))[1]
    assert body[2] == "'" + text
    assert body[3] == "-1.00"  # an amount the product formats itself keeps its sign


def test_headings_and_summary_labels_are_text_cells_too():
    columns = (Column("name", "=Name"), Column("amount_kobo", "Amount", Kind.AMOUNT))
    summary = (SummaryLine("-Opening", 1_000), SummaryLine("Closing", -2_000))
    export = Table("T", "Org", PERIOD, GENERATED, columns, iter([]), summary=summary)
    parsed = parse_csv(b"".join(csv_chunks(export)))
    assert parsed[0] == ["'=Name", "Amount"]
    assert parsed[1] == ["Total", "0.00"]
    assert parsed[2:] == [[], ["'-Opening", "10.00"], ["Closing", "-20.00"]]


def test_safe_text_leaves_ordinary_text_alone():
    assert [safe_text(t) for t in ("Adaeze", " =not first", "a=b", "50%", "'quoted")] == [
        "Adaeze",
        " =not first",
        "a=b",
        "50%",
        "'quoted",
    ]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (Column("x", "X", Kind.AMOUNT), 1.5),
        (Column("x", "X", Kind.AMOUNT), Decimal("1.50")),
        (Column("x", "X", Kind.AMOUNT), True),
        (Column("x", "X", Kind.AMOUNT), "100"),
        (Column("x", "X", Kind.COUNT), 2.0),
        (Column("x", "X", Kind.DATE), datetime(2026, 1, 1, tzinfo=UTC)),
        (Column("x", "X", Kind.DATETIME), datetime(2026, 1, 1)),
        (Column("x", "X"), 1.5),
    ],
)
def test_a_value_of_the_wrong_kind_is_a_programming_error_not_a_silent_cell(column, value):
    export = Table("T", "Org", PERIOD, GENERATED, (column,), iter([{"x": value}]))
    with pytest.raises(TypeError):
        b"".join(csv_chunks(export))


def test_csv_streams_in_chunks_as_rows_arrive():
    produced = []

    def lazy_rows():
        for i in range(5_000):
            produced.append(i)
            yield {"name": f"member {i}", "amount_kobo": i, "lines": 1, "day": None, "at": None}

    export = Table("T", "Org", PERIOD, GENERATED, COLUMNS, lazy_rows())
    chunks = csv_chunks(export, chunk_bytes=4096)
    first = next(chunks)
    assert 4096 <= len(first) < 8192
    assert len(produced) < 5_000  # the first chunk left before the last row was read
    rest = b"".join(chunks)
    assert len(parse_csv(first + rest)) == 5_002


def read_xlsx(data: bytes):
    """Open exported bytes with openpyxl; return the first worksheet."""
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def test_xlsx_parses_back_with_openpyxl_to_the_same_kobo_and_counts():
    sheet = read_xlsx(b"".join(xlsx_chunks(table())))
    values = list(sheet.iter_rows(values_only=True))
    header, body = values[0], values[1:41]
    assert header == ("Date", "Recorded", "Member", "Amount", "Lines")
    source = rows()
    # openpyxl reads a number as a float; its shortest repr is the decimal text that was written.
    assert [int(Decimal(repr(line[3])) * 100) for line in body] == [row["amount_kobo"] for row in source]
    assert [line[4] for line in body] == [row["lines"] for row in source]
    assert body[0][0] == datetime(2026, 3, 1) and body[0][1] == datetime(2026, 4, 1, 0, 30)
    total = values[-1]
    assert total[0] == "Total"
    assert int(Decimal(repr(total[3])) * 100) == sum(row["amount_kobo"] for row in source)
    assert sheet["D2"].number_format == '"\u20a6"#,##0.00;-"\u20a6"#,##0.00'
    assert sheet["A2"].number_format == "yyyy-mm-dd"


def test_xlsx_amounts_are_written_as_exact_decimals_in_the_file():
    data = b"".join(xlsx_chunks(table()))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    amount_cells = re.findall(r'<c r="D([0-9]+)"[^>]*><v>([^<]*)</v></c>', xml)
    written = {int(row): text for row, text in amount_cells}
    assert written[2] == "0.00" and written[6] == "1234.50" and written[7] == "-0.05" and written[8] == "-2500.75"
    assert written[9] == "999999999999.99"  # the largest sample amount, 14 significant digits, exact
    assert "E" not in "".join(written.values())


def test_xlsx_keeps_amounts_beyond_double_precision_as_exact_text():
    data = [{"day": None, "at": None, "name": "big", "amount_kobo": 10**15 + 1, "lines": 1}]
    sheet = read_xlsx(b"".join(xlsx_chunks(table(data))))
    assert sheet["D2"].value == "10000000000000.01"


@pytest.mark.parametrize("text", HOSTILE)
def test_a_text_cell_that_could_start_a_formula_begins_with_a_quote_in_xlsx(text):
    data = [{"day": None, "at": None, "name": text, "amount_kobo": -100, "lines": None}]
    export = b"".join(xlsx_chunks(table(data)))
    cell = read_xlsx(export)["C2"]
    assert cell.data_type == "s"
    # XlsxWriter stores a carriage return as the OOXML escape _x000D_, which openpyxl leaves as it is.
    assert cell.value.replace("_x000D_", "\r") == "'" + text
    with zipfile.ZipFile(io.BytesIO(export)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()  # no formula anywhere


def test_xlsx_prints_the_organisation_period_generation_time_and_page_numbers():
    data = b"".join(xlsx_chunks(table()))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "&amp;LNogalss Apex &amp;&amp; Co" in xml  # '&' escaped for the header language, then for XML
    assert "1 Mar 2026 \u2013 31 Mar 2026" in xml and "Generated 1 Apr 2026, 09:15 WAT" in xml
    assert "Page &amp;P of &amp;N" in xml


def test_xlsx_is_built_in_a_temporary_directory_that_is_removed(tmp_path):
    chunks = xlsx_chunks(table(), chunk_bytes=1024, tmpdir=str(tmp_path))
    first = next(chunks)
    assert first.startswith(b"PK") and len(first) == 1024
    assert len(list(tmp_path.iterdir())) == 1  # the workbook waits there while it is sent
    b"".join(chunks)
    assert list(tmp_path.iterdir()) == []


def test_an_abandoned_download_removes_its_temporary_file(tmp_path):
    chunks = xlsx_chunks(table(), chunk_bytes=1024, tmpdir=str(tmp_path))
    next(chunks)
    chunks.close()  # what a WSGI server does when the client goes away
    assert list(tmp_path.iterdir()) == []


def test_a_table_needs_distinct_columns_and_an_aware_time():
    with pytest.raises(ValueError):
        Table("T", "Org", PERIOD, GENERATED, (Column("a", "A"), Column("a", "B")), iter([]))
    with pytest.raises(ValueError):
        Table("T", "Org", PERIOD, datetime(2026, 1, 1), COLUMNS, iter([]))
    assert table().filename == "report_2026-03-01_2026-03-31"
