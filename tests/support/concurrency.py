"""Run calls at the same moment in threads, as simultaneous requests or jobs would (PostgreSQL tests only)."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(app, count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(i) for i < count in threads released together, each in its own app context.

    Return what each call returned, or the exception it raised: the outcome is what the test inspects.
    """
    barrier = threading.Barrier(count, timeout=30)
    outcomes: list[object] = [None] * count

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                outcomes[i] = work(i)
            except Exception as exc:  # noqa: BLE001 - reported through the outcome
                outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
