"""Export benchmark: time and peak memory of CSV, XLSX and PDF exports of N generated ledger rows.

    .venv/bin/python -m bench.exports [--rows 10000,100000] [--pdf-rows 1000,2000]

Each measurement runs in a fresh child process; a thread samples its resident memory (/proc/self/statm) every
5 ms, and the table reports the peak above the footprint just before the export, the output size and the time. The
"held in memory" rows join the same chunks into one bytes object — what a non-streaming export would do — for
comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from nogalss_app.services.exports import Column, Kind, Table, csv_chunks, pdf_bytes, xlsx_chunks
from nogalss_app.services.periods import Period

COLUMNS = (
    Column("day", "Date", Kind.DATE),
    Column("at", "Recorded", Kind.DATETIME),
    Column("reference", "Reference"),
    Column("member", "Member"),
    Column("category", "Category"),
    Column("amount_kobo", "Amount", Kind.AMOUNT),
    Column("lines", "Lines", Kind.COUNT),
)
CATEGORIES = ("CONTRIBUTION", "LOAN_REPAYMENT", "WITHDRAWAL", "REGISTRATION_FEE", "EXPENSE")
START = datetime(2026, 1, 1, tzinfo=UTC)


def ledger_rows(count: int) -> Iterator[dict]:
    """Yield `count` ledger-like rows, made on the fly as a database cursor would hand them out."""
    for i in range(count):
        at = START + timedelta(minutes=7 * i)
        yield {
            "day": at.date(),
            "at": at,
            "reference": f"NGL-{i:08d}",
            "member": f"Member {i % 5_000} of cooperative {i % 37}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "amount_kobo": (i * 7_919) % 50_000_000 - (5_000_000 if i % 5 == 2 else 0),
            "lines": 1 + i % 3,
        }


def table(count: int) -> Table:
    """The benchmark's table of `count` rows."""
    return Table(
        title="Ledger",
        organisation="Nogalss Apex Body",
        period=Period(date(2026, 1, 1), date(2026, 12, 31)),
        generated_at=datetime.now(UTC),
        columns=COLUMNS,
        rows=ledger_rows(count),
    )


PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 1e6


def rss_mb() -> float:
    """Return this process's resident memory now, in MB (Linux /proc)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_MB


class PeakRss:
    """Sample resident memory every 5 ms on a thread; keep the highest value seen."""

    def __init__(self) -> None:
        self.peak = rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.wait(0.005):
            self.peak = max(self.peak, rss_mb())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())


def measure(fmt: str, rows: int, hold: bool) -> dict:
    """Export once in this process; return seconds, bytes, chunks and resident memory (before, peak)."""
    baseline = rss_mb()
    with PeakRss() as peak:
        result = export(fmt, rows, hold)
    return {**result, "rss_before_mb": baseline, "peak_extra_mb": peak.peak - baseline}


def export(fmt: str, rows: int, hold: bool) -> dict:
    """Export once; return seconds, output bytes and chunk count."""
    started = time.perf_counter()
    if fmt == "pdf":
        # In this process, so the layout's own memory is measured (the server lays PDFs out in a child process).
        data = pdf_bytes(table(rows), max_rows=rows, in_child=False)
        size, chunks = len(data), 1
    else:
        produce = csv_chunks if fmt == "csv" else xlsx_chunks
        if hold:
            data = b"".join(produce(table(rows)))
            size, chunks = len(data), 1
        else:
            size = chunks = 0
            for chunk in produce(table(rows)):  # sent on as they come, as a streamed response does
                size += len(chunk)
                chunks += 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": size, "chunks": chunks}


def run_child(fmt: str, rows: int, hold: bool) -> dict:
    """Measure in a fresh interpreter so peaks do not carry over between measurements."""
    args = [sys.executable, "-m", "bench.exports", "--child", fmt, "--rows", str(rows)] + (["--hold"] if hold else [])
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def plan(rows: list[int], pdf_rows: list[int]) -> list[tuple[str, int, bool]]:
    """Return the measurements to make: streamed CSV/XLSX at each size, held-in-memory at the largest, PDFs."""
    steps = [(fmt, n, False) for n in rows for fmt in ("csv", "xlsx")]
    steps += [(fmt, max(rows), True) for fmt in ("csv", "xlsx")]
    return steps + [("pdf", n, False) for n in pdf_rows]


def main() -> int:
    """Run every measurement with a progress line each, then print the Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000", help="CSV/XLSX sizes, comma-separated")
    parser.add_argument("--pdf-rows", default="1000,2000", help="PDF sizes (2,000 is the PDF cap)")
    parser.add_argument("--child", choices=("csv", "xlsx", "pdf"), help=argparse.SUPPRESS)
    parser.add_argument("--hold", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, int(args.rows), args.hold)))
        return 0
    steps = plan([int(n) for n in args.rows.split(",")], [int(n) for n in args.pdf_rows.split(",") if n])
    heading = "| format | rows | mode | time s | rows/s | output MB | chunks | RSS before MB | peak RSS above it MB |"
    lines = [heading, "|---" * 9 + "|"]
    for index, (fmt, rows, hold) in enumerate(steps, start=1):
        print(f"[{index}/{len(steps)}] {fmt} {rows:,} rows{' held in memory' if hold else ''} ...", file=sys.stderr)
        result = run_child(fmt, rows, hold)
        mode = "held in memory" if hold else ("whole (laid out)" if fmt == "pdf" else "streamed")
        lines.append(
            f"| {fmt.upper()} | {rows:,} | {mode} | {result['seconds']:.2f} | {rows / result['seconds']:,.0f} "
            f"| {result['bytes'] / 1e6:.1f} | {result['chunks']:,} | {result['rss_before_mb']:.0f} "
            f"| {result['peak_extra_mb']:.1f} |"
        )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
