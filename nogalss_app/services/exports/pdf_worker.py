"""Lay out printable HTML as a PDF in a child process: `python -m nogalss_app.services.exports.pdf_worker`.

Reads the HTML (UTF-8) on stdin, writes the PDF on stdout. WeasyPrint's layout is CPU-bound Python (about 100
table rows a second here): in the server's own process it would hold the gevent loop, and every socket of that
process with it, for the whole layout. A child process keeps the server responsive and returns its memory.
"""

from __future__ import annotations

import sys

from .pdf_layout import layout_pdf


def main() -> int:
    """Convert stdin to stdout."""
    sys.stdout.buffer.write(layout_pdf(sys.stdin.buffer.read().decode("utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
