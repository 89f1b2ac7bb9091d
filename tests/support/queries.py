"""Count the SQL statements a block of code runs (panels must run a small, fixed number)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from nogalss_app.extensions import db


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Collect the SQL statements run inside the block."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def build_counting(panel, scope) -> tuple[object, list[str]]:
    """Build a panel from a cold session (nothing cached); return what it built and the SQL it ran."""
    db.session.expunge_all()
    with count_queries() as seen:
        data = panel.build(scope)
    return data, seen
