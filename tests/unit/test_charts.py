"""Chart geometry is a pure function of the data: one scale, round ticks, order kept, labels whole."""

from __future__ import annotations

import pytest

from nogalss_app.services import charts


def test_inflow_and_outflow_share_one_scale():
    chart = charts.bar_chart(["Jul", "Aug"], [("Inflow", [268_000_00, 0]), ("Outflow", [30_000_00, 30_000_00])])
    inflow, outflow = chart.rows[0].bars
    assert inflow.width > outflow.width * 8  # ₦268k against ₦30k on the same axis
    assert chart.rows[1].bars[1].width == outflow.width
    assert inflow.colour != outflow.colour


def test_ticks_are_round_and_cover_the_peak():
    chart = charts.bar_chart(["a"], [("x", [268_000_00])])
    values = [t.value for t in chart.ticks]
    assert values == [0, 100_000_00, 200_000_00, 300_000_00]
    assert chart.ticks[-1].x == chart.plot_width and chart.rows[0].bars[0].width < chart.plot_width


def test_categories_keep_their_order_and_full_labels():
    names = ["Lagos Tailors Cooperative", "Kano Leatherworkers Cooperative", "Enugu Women in Trade Cooperative"]
    chart = charts.bar_chart(names, [("Contributions", [3, 2, 1])])
    assert [row.label for row in chart.rows] == names
    assert [row.label_y for row in chart.rows] == sorted(row.label_y for row in chart.rows)


def test_a_small_value_stays_visible_and_zero_is_empty():
    chart = charts.bar_chart(["a", "b"], [("x", [1_000_000_00, 1])])
    assert chart.rows[1].bars[0].width == 1
    assert charts.bar_chart(["a"], [("x", [0])]).empty


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        charts.bar_chart(["a", "b"], [("x", [1])])


@pytest.mark.parametrize(
    ("kobo", "text"),
    [(0, "₦0"), (500_00, "₦500"), (20_000_00, "₦20k"), (1_500_000_00, "₦1.5m"), (250_000_000_00, "₦250m")],
)
def test_tick_labels_are_short_naira(kobo, text):
    assert charts.short_naira(kobo) == text
