"""WeasyPrint, configured once: the print stylesheet, and no fetching of anything outside the document."""

from __future__ import annotations

from pathlib import Path

import weasyprint

STYLESHEET = Path(__file__).resolve().with_name("pdf.css")


def layout_pdf(html: str) -> bytes:
    """Return the PDF of printable HTML; nothing outside the document is ever fetched."""
    no_fetching = weasyprint.URLFetcher(allowed_protocols=frozenset())
    document = weasyprint.HTML(string=html, url_fetcher=no_fetching)
    stylesheet = weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=no_fetching)
    return document.write_pdf(stylesheets=[stylesheet])
