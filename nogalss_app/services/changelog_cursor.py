"""A process's cursor over the ChangeLog: which ids it has taken, and which missing ids may still appear.

Ids come from a sequence when a row is inserted, but transactions commit in any order: a row can become visible
after a newer one. Such ids are gaps below the newest id taken; they are read again until they appear or can no
longer appear — on PostgreSQL when every transaction that might still commit them has ended (from the snapshot's
xmin/xmax), elsewhere after a short grace (SQLite has one writer at a time, so no such gaps).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

GAP_SPAN = 5000  # never track more missing ids than this
GAP_GRACE = 2.0  # seconds a missing id is waited for where no snapshot tells (SQLite)
GAP_MAX_AGE = 600.0  # a missing id is given up after this long in any case


@dataclass
class _Gap:
    """A ChangeLog id below the newest row taken that this process has not seen (yet)."""

    first: float
    xmax: int | None = None  # PostgreSQL: transactions below this xid may still commit it


@dataclass
class Cursor:
    """The ChangeLog ids this process has taken: every id up to `high` except the `gaps`."""

    high: int = 0
    gaps: dict[int, _Gap] = field(default_factory=dict)

    def take(self, rows, snapshot: tuple[int, int] | None, now: float) -> list:
        """Return the rows not taken before, and move the cursor past them."""
        fresh = [row for row in rows if row.id > self.high or row.id in self.gaps]
        for row in fresh:
            self.gaps.pop(row.id, None)
        ids = {row.id for row in fresh}
        top = max(ids, default=self.high)
        for missing in range(max(self.high + 1, top - GAP_SPAN), top):
            if missing not in ids:
                self.gaps[missing] = _Gap(first=now)
        self.high = max(self.high, top)
        self._settle(snapshot, now)
        return fresh

    def _settle(self, snapshot: tuple[int, int] | None, now: float) -> None:
        """Give up missing ids that can no longer appear."""
        for gap_id, gap in list(self.gaps.items()):
            if now - gap.first > GAP_MAX_AGE:
                del self.gaps[gap_id]
            elif snapshot is None:
                if now - gap.first > GAP_GRACE:
                    del self.gaps[gap_id]
            elif gap.xmax is None:
                # Noted on the next read, not the first: the inserting transaction surely has its xid by then.
                if now - gap.first > 0.2:
                    gap.xmax = snapshot[1]
            elif snapshot[0] >= gap.xmax:
                del self.gaps[gap_id]  # every transaction that could have inserted it has ended


def pg_snapshot(conn) -> tuple[int, int] | None:
    """Return PostgreSQL's (xmin, xmax) of a fresh snapshot; None elsewhere."""
    if conn.dialect.name != "postgresql":
        return None
    row = conn.execute(
        sa.text(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
            " pg_snapshot_xmax(pg_current_snapshot())::text::bigint"
        )
    ).one()
    return int(row[0]), int(row[1])
