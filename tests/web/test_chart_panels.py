"""The charts of the panels, as served: axes, gridlines, values, full labels, one scale, and the table's order."""

from __future__ import annotations

import re

from nogalss_app import seed
from tests.support.client import sign_in
from tests.support.panels import panel_fragment


def signed_in(app, local: str, password: str):
    """Return a client signed in as a demo account."""
    return sign_in(app.test_client(), type("Demo", (), {"email": seed.demo_email(local)}), password)


def chart_labels(html: str) -> list[str]:
    """Return the category labels of the panel's chart, top to bottom."""
    svg = re.search(r'<svg class="chart-svg".*?</svg>', html, re.S).group(0)
    return re.findall(r'<text x="1" y="\d+" fill="#1c2430" font-weight="600">([^<]+)</text>', svg)


def table_labels(html: str) -> list[str]:
    """Return the row headers of the panel's table, top to bottom."""
    body = re.search(r"<tbody>.*?</tbody>", html, re.S).group(0)
    return [label.strip() for label in re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', body)]


def test_finance_compares_inflow_and_outflow_in_one_chart_with_ticks_values_and_the_tables_order(app, demo):
    html = panel_fragment("finance", signed_in(app, "finance", demo), "monthly")

    assert html.count('<svg class="chart-svg"') == 1 and "preserveAspectRatio" not in html
    assert 'class="chart-legend"' in html and "Inflow</li>" in html and "Outflow</li>" in html
    svg = re.search(r'<svg class="chart-svg".*?</svg>', html, re.S).group(0)
    assert svg.count("<line") >= 4 and ">₦0</text>" in svg  # gridlines and a tick label at zero
    assert len(set(re.findall(r'<rect [^>]*fill="(#[0-9a-f]{6})"', svg))) == 2  # two distinct colours
    assert chart_labels(html) == table_labels(html)


def test_the_funds_chart_and_table_run_in_the_same_order(app, demo):
    html = panel_fragment("apex-funds", signed_in(app, "apex-funds", demo), "monthly")
    assert len(chart_labels(html)) == 12 and chart_labels(html) == table_labels(html)


def test_cooperative_names_are_shown_whole_in_the_distribution_chart(app, demo):
    html = panel_fragment("super-admin", signed_in(app, "super-admin", demo), "distribution", "?group=cooperative")
    labels = chart_labels(html)
    assert "Lagos Tailors Cooperative" in labels and not any(label.endswith("…") for label in labels)
    assert labels == table_labels(html)
