"""The demo data of `flask seed-demo` inside a test's database, for tests that want every panel full."""

from __future__ import annotations

import random

import pytest

from nogalss_app import seed
from nogalss_app.models.types import utcnow
from nogalss_app.services import passwords


@pytest.fixture
def demo(app):
    """Seed the demo data as `flask seed-demo` does; return the demo password."""
    password = app.config["DEMO_PASSWORD"]
    plan = seed.build_plan(password, utcnow(), random.Random(2026))
    with passwords.reusing_hash_of(password):
        for when, _, _, action in plan.steps:
            action(when)
    seed.mark_history_delivered()
    return password
