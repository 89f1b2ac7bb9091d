"""A report table defined once (columns with kinds) and the cell rules every export format shares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum, StrEnum

from ..money import NAIRA_SIGN, format_naira
from ..periods import Period, format_day
from ..stats.compute import LOCAL_TZ

# A text cell starting with one of these is read as a formula (or a DDE payload) by spreadsheet programs.
# Line feed is not in the contract's list; it is here because a cell starting with one hides what follows.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


class Kind(StrEnum):
    """How a column's values are checked and written."""

    TEXT = "text"
    DATE = "date"
    DATETIME = "datetime"
    AMOUNT = "amount_kobo"
    COUNT = "count"


@dataclass(frozen=True)
class Column:
    """One column: the row key it reads, its heading, its kind, and whether the totals line sums it."""

    key: str
    title: str
    kind: Kind = Kind.TEXT
    total: bool | None = None  # None: amounts and counts are summed, the rest are not

    @property
    def summed(self) -> bool:
        """Return True when the totals line carries this column's sum."""
        if self.total is None:
            return self.kind in (Kind.AMOUNT, Kind.COUNT)
        return self.total and self.kind in (Kind.AMOUNT, Kind.COUNT)


@dataclass(frozen=True)
class SummaryLine:
    """A labelled figure shown apart from the rows, e.g. an opening or closing balance."""

    label: str
    value: object
    kind: Kind = Kind.AMOUNT


@dataclass(frozen=True)
class Table:
    """Everything an export needs: what it is, for whom and when, its columns, and its rows (read once)."""

    title: str
    organisation: str
    period: Period
    generated_at: datetime
    columns: Sequence[Column]
    rows: Iterable[Mapping[str, object]]
    summary: Sequence[SummaryLine] = ()
    totals: bool = True
    filename_stem: str = "report"

    def __post_init__(self) -> None:
        """Refuse a table whose columns repeat a key or whose generation time is naive."""
        keys = [column.key for column in self.columns]
        if not keys or len(set(keys)) != len(keys):
            raise ValueError("a table needs columns with distinct keys")
        if self.generated_at.tzinfo is None:
            raise ValueError("generated_at must be an aware datetime")

    @property
    def filename(self) -> str:
        """Return the download name without extension, e.g. 'cashflow_2026-03-01_2026-03-31'."""
        return f"{self.filename_stem}_{self.period.first.isoformat()}_{self.period.last.isoformat()}"

    @property
    def generated_label(self) -> str:
        """Return the generation time in Nigerian time, e.g. '31 Mar 2026, 14:05 WAT'."""
        local = self.generated_at.astimezone(LOCAL_TZ)
        return f"{format_day(local.date())}, {local:%H:%M} WAT"


@dataclass
class Totals:
    """Running sums of the summed columns, filled while rows stream past."""

    columns: Sequence[Column]
    count: int = 0
    _sums: list[int] = field(default_factory=list)
    _indexes: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start every summed column at zero."""
        self._indexes = [i for i, column in enumerate(self.columns) if column.summed]
        self._sums = [0] * len(self._indexes)

    def add(self, values: Sequence[object]) -> None:
        """Add one checked row (values in column order)."""
        self.count += 1
        for slot, index in enumerate(self._indexes):
            value = values[index]
            if value is not None:
                self._sums[slot] += value  # type: ignore[operator]

    @property
    def sums(self) -> dict[str, int]:
        """Return the sum of each summed column by key."""
        return {self.columns[i].key: total for i, total in zip(self._indexes, self._sums, strict=True)}

    def line(self) -> list[tuple[Kind, object]]:
        """Return the totals line as (kind, value) in column order: 'Total', then the sums, other cells empty."""
        cells: list[tuple[Kind, object]] = [(Kind.TEXT, None)] * len(self.columns)
        for index, total in zip(self._indexes, self._sums, strict=True):
            cells[index] = (self.columns[index].kind, total)
        label_at = next((i for i, column in enumerate(self.columns) if not column.summed), None)
        if label_at is not None:
            cells[label_at] = (Kind.TEXT, "Total")
        return cells


def check_value(column: Column, value: object) -> object:
    """Return the value if it fits the column's kind (None is an empty cell), else raise TypeError."""
    if value is None:
        return None
    kind = column.kind
    if kind in (Kind.AMOUNT, Kind.COUNT):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind is Kind.DATE:
        ok = isinstance(value, date) and not isinstance(value, datetime)
    elif kind is Kind.DATETIME:
        ok = isinstance(value, datetime) and value.tzinfo is not None
    else:
        ok = isinstance(value, str | int | Enum) and not isinstance(value, bool)
    if not ok:
        raise TypeError(f"column {column.key!r} ({kind.value}) cannot hold {type(value).__name__}")
    return value


def checked_rows(table: Table, totals: Totals) -> Iterator[list[object]]:
    """Yield each row's values in column order, checked against the kinds and added to the totals."""
    for row in table.rows:
        values = [check_value(column, row.get(column.key)) for column in table.columns]
        totals.add(values)
        yield values


def safe_text(value: object) -> str:
    """Return a text cell as text, with a leading ' when it would otherwise start a spreadsheet formula."""
    text = value.value if isinstance(value, Enum) else value
    text = str(text)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def amount_text(kobo: int) -> str:
    """Return kobo as plain naira text with exactly two decimals, e.g. 123450 -> '1234.50', -5 -> '-0.05'."""
    return format_naira(kobo).replace(NAIRA_SIGN, "").replace(",", "")


def datetime_text(value: datetime) -> str:
    """Return an instant as Nigerian local time, e.g. '2026-03-31 23:30'."""
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def plain_cell(kind: Kind, value: object) -> str:
    """Return the text a CSV cell holds: amounts and dates as the product formats them, text made safe."""
    if value is None:
        return ""
    if kind is Kind.AMOUNT:
        return amount_text(value)  # type: ignore[arg-type]
    if kind is Kind.COUNT:
        return str(value)
    if kind is Kind.DATE:
        return value.isoformat()  # type: ignore[attr-defined]
    if kind is Kind.DATETIME:
        return datetime_text(value)  # type: ignore[arg-type]
    return safe_text(value)


def display_cell(kind: Kind, value: object) -> str:
    """Return the text a printed (PDF) cell shows: naira with the sign and grouping, dates spelled out."""
    if value is None:
        return ""
    if kind is Kind.AMOUNT:
        return format_naira(value)  # type: ignore[arg-type]
    if kind is Kind.COUNT:
        return f"{value:,}"
    if kind is Kind.DATE:
        return format_day(value)  # type: ignore[arg-type]
    if kind is Kind.DATETIME:
        local = value.astimezone(LOCAL_TZ)  # type: ignore[attr-defined]
        return f"{format_day(local.date())} {local:%H:%M}"
    return str(value.value if isinstance(value, Enum) else value)
