"""Deployment tests drive Chromium like tests/e2e: the same browser fixtures, and the browser marker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import browser, new_page, page  # noqa: F401  (shared fixtures: Debian's Chromium)

DEPLOY_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """Everything under deploy/ drives a browser (this hook sees the whole session's items: filter by path)."""
    for item in items:
        if DEPLOY_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
