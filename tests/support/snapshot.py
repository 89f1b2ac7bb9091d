""" "Nothing written, nothing emitted": row counts of every table, to compare before and after a refusal."""

from __future__ import annotations

import sqlalchemy as sa

from nogalss_app.extensions import db


def row_counts() -> dict[str, int]:
    """Return the number of rows in every table (to prove a refusal wrote nothing, not even a change signal)."""
    db.session.rollback()
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


COUNTED_ON_PURPOSE = frozenset({"login_attempts", "throttle_events"})


def table_counts() -> dict[str, int]:
    """Return row_counts() without the throttles' counts (failed sign-ins and sign-up attempts are counted on
    purpose, refused or not)."""
    return {name: count for name, count in row_counts().items() if name not in COUNTED_ON_PURPOSE}


def assert_nothing_changed(before: dict[str, int]) -> None:
    """Assert that no table gained or lost rows since `before` (ChangeLog included: nothing was emitted)."""
    after = table_counts()
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert changed == {}, f"rows changed: {changed}"


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    """Assert a JSON error response of SPEC §5; return its error object."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"] and isinstance(error["fields"], dict)
    if code:
        assert error["code"] == code
    return error
