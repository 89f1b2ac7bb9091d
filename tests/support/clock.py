"""Fixed moments for tests that pass `now` to the services (the services never read the clock themselves)."""

from __future__ import annotations

from datetime import UTC, datetime

# "Now" of the service tests: the last day of a month, to exercise calendar-month arithmetic.
NOW = datetime(2025, 8, 31, 12, 0, tzinfo=UTC)
# When a saver made the contribution that lets them borrow (more than six months before NOW).
LONG_AGO = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
