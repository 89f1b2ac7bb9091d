"""SPEC §9 step 7 in Chromium: finance clicks the net figure and sees the ledger rows behind it, downloads the
month's cash-flow report as PDF and CSV; the member downloads a statement whose closing balance is the balance on
their dashboard. Saves screenshots of a report page and of the PDF's first page (docs/screenshots)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path

from playwright.sync_api import expect

from tests.support.browser import sign_in

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _download(page, link):
    """Click a download link and return the file's bytes and suggested name."""
    with page.expect_download(timeout=30_000) as info:
        link.click()
    download = info.value
    return Path(download.path()).read_bytes(), download.suggested_filename


def test_finance_drills_down_and_downloads_the_months_cashflow(seeded_deployment, page):
    server = seeded_deployment.servers[0]
    sign_in(page, server, "finance")
    net = page.locator("#panel-overview a[data-figure=net]")
    shown = net.inner_text().strip()
    net.click()
    expect(page).to_have_url(re.compile(r"/figures/finance/overview/net"))
    expect(page.locator("h1")).to_have_text("Net")
    expect(page.locator("dd[data-total-kobo]")).to_have_text(shown)
    assert page.locator("tbody tr").count() > 0
    page.locator("tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("Transaction")

    page.goto(f"{server.url}/reports/cashflow?preset=last_month")
    expect(page.locator("h1")).to_have_text("Cash flow")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "report-cashflow.png"), full_page=True)
    data, name = _download(page, page.locator("a[data-download]", has_text="CSV"))
    assert re.fullmatch(r"cashflow_\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv", name)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Month", "Kind", "Category", "Lines", "Inflow", "Outflow"]
    assert any(row and row[0] == "Closing position" for row in rows)
    assert len(rows) > 5  # last month of the demo has ledger lines
    pdf, name = _download(page, page.locator("a[data-download]", has_text="PDF"))
    assert pdf.startswith(b"%PDF") and name.endswith(".pdf")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    assert b"Cash flow" in text and b"Page 1 of" in text and b"Closing position" in text
    (SHOTS / "report-cashflow.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(SHOTS / "report-cashflow.pdf"),
            str(SHOTS / "report-cashflow-pdf"),
        ],
        check=True,
    )
    (SHOTS / "report-cashflow.pdf").unlink()
    assert page.console_errors == []


def test_a_slow_download_shows_progress(seeded_deployment, page):
    server = seeded_deployment.servers[0]
    sign_in(page, server, "finance", path="/reports/cashflow?preset=this_year")
    held = []
    page.route(re.compile(r".*/api/reports/cashflow\?.*format=xlsx.*"), lambda route: held.append(route))
    page.locator("a[data-download]", has_text="XLSX").click()
    status = page.locator(".download-status")
    expect(status).to_contain_text("Preparing XLSX", timeout=5_000)
    with page.expect_download(timeout=30_000) as info:
        held[0].continue_()
    assert info.value.suggested_filename.endswith(".xlsx")
    expect(status).to_contain_text("XLSX ready")


def test_the_member_downloads_a_statement_closing_at_their_balance(seeded_deployment, page):
    server = seeded_deployment.servers[0]
    sign_in(page, server, "member1")
    balance = page.locator("#panel-savings a[data-figure=balance]").inner_text().strip()
    pdf, name = _download(page, page.get_by_role("link", name="Download statement"))
    assert name.startswith("statement_") and name.endswith(".pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    closing = next(line for line in text.splitlines() if "Closing balance" in line)
    assert closing.split()[-1] == balance
    assert page.console_errors == []
