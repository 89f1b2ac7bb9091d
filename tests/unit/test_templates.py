"""Templates: no htmx 2 habits (htmx's own upgrade check), nothing the Content-Security-Policy would block."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "nogalss_app" / "templates"


def test_htmx_upgrade_check_finds_no_htmx2_habits():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/tools/htmx_upgrade_check.py"), "--no-color", str(TEMPLATES)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Scanning" in result.stderr + result.stdout  # it really looked at the templates
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_upgrade_check_would_catch_an_htmx2_habit(tmp_path):
    (tmp_path / "old.html").write_text('<body hx-headers=\'{"X-CSRFToken": "t"}\'><div hx-get="/x"></div></body>')
    result = subprocess.run(
        [sys.executable, str(ROOT / "tests/tools/htmx_upgrade_check.py"), "--no-color", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1


def test_no_template_needs_unsafe_inline_script_or_style():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.DOTALL)  # Jinja comments don't render
        checks = {
            "inline <script>": re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text),
            "<style> block": re.search(r"<style[\s>]", text),
            "style attribute": re.search(r"\sstyle=", text),
            "on* handler": re.search(r"\son[a-z]+\s*=", text),
            "hx-on": re.search(r"\shx-on", text),
            "javascript: URL": re.search(r"javascript:", text, re.IGNORECASE),
            "|safe": re.search(r"\|\s*safe\b", text),
        }
        offenders += [f"{path.relative_to(TEMPLATES)}: {what}" for what, found in checks.items() if found]
    assert offenders == []
