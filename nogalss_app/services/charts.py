"""Chart geometry, pure: horizontal bar charts with one shared scale, ticks and gridlines (no Flask, no floats).

A chart is a function of its data only, so the same SVG serves a panel, a pushed fragment and a PDF report.
Categories run top to bottom in the order given (the table beside the chart uses the same order); each category has
one bar per series, all series on one scale so that bars compared with each other (inflow and outflow) are comparable.
Labels sit above their bars at full length (never cut) and values after the bar end.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 300  # the viewBox width; the SVG scales to the panel up to a readable maximum (app.css)
AXIS = 22  # the tick labels above the plot
LABEL = 18  # a category label line
BAR = 14
BAR_GAP = 3
ROW_GAP = 10
VALUE_ROOM = 80  # room after the longest bar for its value
COLOURS = ("#0d6b48", "#b85c00", "#1b3f8b", "#6b2a9e")  # green, amber-brown, blue, violet: distinct, 4.5:1 on white


@dataclass(frozen=True)
class ChartBar:
    """One bar: its series, value and integer geometry, and where its value text goes."""

    series: int
    value: int
    x: int
    y: int
    width: int
    height: int
    colour: str


@dataclass(frozen=True)
class Row:
    """One category: its label (full text) and its bars."""

    label: str
    label_y: int
    bars: tuple[ChartBar, ...]


@dataclass(frozen=True)
class Tick:
    """A gridline at `x` for `value`."""

    value: int
    x: int


@dataclass(frozen=True)
class Chart:
    """A laid-out chart: viewBox size, plot bounds, ticks, rows and the series names with their colours."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_width: int
    ticks: tuple[Tick, ...]
    rows: tuple[Row, ...]
    series: tuple[tuple[str, str], ...]

    @property
    def empty(self) -> bool:
        """Return True when every value is zero (nothing to draw)."""
        return all(bar.value == 0 for row in self.rows for bar in row.bars)


def nice_step(peak: int, ticks: int = 5) -> int:
    """Return a round step (1, 2 or 5 × 10^k) so that about `ticks` steps cover `peak` (at least 1)."""
    rough = max(-(-peak // ticks), 1)
    magnitude = 1
    while magnitude * 10 <= rough:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= rough:
            return factor * magnitude
    return 10 * magnitude


def bar_chart(categories: list[str], series: list[tuple[str, list[int]]], *, width: int = WIDTH) -> Chart:
    """Lay out a horizontal bar chart: one row per category (in order), one bar per series, one shared scale."""
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)} categories")
    peak = max([max(v, 0) for _, values in series for v in values] or [0])
    step = nice_step(peak)
    top = -(-peak // step) * step if peak else step
    plot_width = width - VALUE_ROOM
    ticks = tuple(Tick(v, v * plot_width // top) for v in range(0, top + 1, step))
    rows, y = [], AXIS
    for index, label in enumerate(categories):
        label_y = y + LABEL - 6
        y += LABEL
        bars = []
        for number, (_, values) in enumerate(series):
            value = max(values[index], 0)
            bar_width = value * plot_width // top
            if value and bar_width == 0:
                bar_width = 1  # a non-zero value stays visible
            bars.append(ChartBar(number, values[index], 0, y, bar_width, BAR, COLOURS[number % len(COLOURS)]))
            y += BAR + BAR_GAP
        rows.append(Row(label, label_y, tuple(bars)))
        y += ROW_GAP - BAR_GAP
    names = tuple((name, COLOURS[n % len(COLOURS)]) for n, (name, _) in enumerate(series))
    return Chart(width, y, AXIS, y - ROW_GAP + BAR_GAP, plot_width, ticks, tuple(rows), names)


def short_naira(kobo: int) -> str:
    """Return a tick label for an amount: ₦0, ₦500, ₦20k, ₦1.5m (whole naira; integer arithmetic)."""
    naira = kobo // 100
    for size, suffix in ((1_000_000_000, "bn"), (1_000_000, "m"), (1_000, "k")):
        if naira >= size:
            whole, rest = divmod(naira, size)
            tenth = rest * 10 // size
            return f"₦{whole}{'.' + str(tenth) if tenth and whole < 10 else ''}{suffix}"
    return f"₦{naira:,}"
