"""Unit tests for nogalss_app.services.money."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nogalss_app.services.money import (
    DEFAULT_ALLOCATION_BP,
    MoneyError,
    check_amount,
    format_bp,
    format_naira,
    parse_naira,
    require_kobo,
    split_by_bp,
)

# ---------------------------------------------------------------- parse_naira


@pytest.mark.parametrize(
    ("text", "kobo"),
    [
        ("1,000", 100000),
        ("1000.5", 100050),
        ("0.01", 1),
        ("5,000", 500000),
        ("50,000.00", 5000000),
        ("12,345,678.5", 1234567850),
        ("0", 0),
        ("7", 700),
        ("999", 99900),
        ("1000000", 100000000),
        ("  250.75  ", 25075),
        ("999,999,999,999,999.99", 99999999999999999),
    ],
)
def test_parse_naira_accepts_valid_amounts(text: str, kobo: int) -> None:
    assert parse_naira(text) == kobo


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="only-spaces"),
        pytest.param(None, id="none"),
        pytest.param("-5000", id="negative"),
        pytest.param("-5", id="minus-sign"),
        pytest.param("+5", id="plus-sign"),
        pytest.param("1e3", id="exponent"),
        pytest.param("1E3", id="exponent-upper"),
        pytest.param("1_000", id="underscore"),
        pytest.param("0x10", id="hex"),
        pytest.param("NaN", id="nan"),
        pytest.param("nan", id="nan-lower"),
        pytest.param("Infinity", id="infinity"),
        pytest.param("inf", id="inf"),
        pytest.param("5.", id="trailing-dot"),
        pytest.param(".5", id="leading-dot"),
        pytest.param("1.2.3", id="two-dots"),
        pytest.param("\uff11\uff12\uff13", id="full-width-digits"),
        pytest.param("\u0661\u0662\u0663", id="arabic-indic-digits"),
        pytest.param("1\u00a0000", id="non-breaking-space"),
        pytest.param("1 000", id="internal-space"),
        pytest.param("1,00", id="short-group"),
        pytest.param(",100", id="leading-comma"),
        pytest.param("100,", id="trailing-comma"),
        pytest.param("1,,000", id="double-comma"),
        pytest.param("1000,000", id="long-first-group"),
        pytest.param("1,0000", id="long-group"),
        pytest.param("1.5,0", id="comma-in-fraction"),
        pytest.param("0,100", id="zero-first-group"),
        pytest.param("007", id="leading-zeros"),
        pytest.param("\u20a6100", id="naira-sign"),
        pytest.param("100 naira", id="words"),
        pytest.param("1" * 25, id="25-digits"),
        pytest.param("1" * 16, id="16-digits"),
        pytest.param("1,000,000,000,000,000", id="16-digits-grouped"),
        pytest.param("100.005", id="three-decimals"),
    ],
)
def test_parse_naira_refuses_bad_text(text: str | None) -> None:
    with pytest.raises(MoneyError) as excinfo:
        parse_naira(text)  # type: ignore[arg-type]
    assert str(excinfo.value)


@pytest.mark.parametrize("text", ["100.005", "0.001", "1,000.123456"])
def test_parse_naira_never_rounds_extra_decimals(text: str) -> None:
    with pytest.raises(MoneyError, match="at most 2 decimal places"):
        parse_naira(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "enter an amount"),
        ("  ", "enter an amount"),
        (None, "enter an amount"),
        ("1" * 25, "amount is too large"),
        ("1" * 16, "amount is too large"),
        (".5", "0.5"),
    ],
)
def test_parse_naira_error_messages(text: str | None, message: str) -> None:
    with pytest.raises(MoneyError, match=message.replace(".", r"\.")):
        parse_naira(text)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [100, 100.5, b"100", ["100"]])
def test_parse_naira_refuses_non_string_input(value: object) -> None:
    with pytest.raises(MoneyError):
        parse_naira(value)  # type: ignore[arg-type]


def test_parse_naira_accepts_exactly_15_integer_digits() -> None:
    assert parse_naira("9" * 15) == int("9" * 15) * 100


def test_money_error_is_a_value_error() -> None:
    assert issubclass(MoneyError, ValueError)
    assert str(MoneyError("enter an amount")) == "enter an amount"


# --------------------------------------------------------------- require_kobo


@pytest.mark.parametrize("value", [0, 500, 10**15])
def test_require_kobo_accepts_integers(value: int) -> None:
    assert require_kobo(value) == value


@pytest.mark.parametrize("value", [100.5, 100.0, "100", True, False, None, [100]])
def test_require_kobo_refuses_non_integers(value: object) -> None:
    with pytest.raises(MoneyError, match=r"must be a whole number of kobo \(a JSON"):
        require_kobo(value)


def test_require_kobo_names_the_field() -> None:
    with pytest.raises(MoneyError, match=r"^price_kobo must be"):
        require_kobo("5", "price_kobo")


# --------------------------------------------------------------- check_amount


def test_check_amount_returns_valid_amount() -> None:
    assert check_amount(500000, maximum_kobo=500000) == 500000
    assert check_amount(1, maximum_kobo=10) == 1
    assert check_amount(1000, maximum_kobo=5000, minimum_kobo=1000) == 1000


@pytest.mark.parametrize(
    ("kobo", "message"),
    [
        (0, "must be greater than zero"),
        (-5000, "must be greater than zero"),
        (-1, "must be greater than zero"),
        (99, "must be at least ₦1.00"),
        (10_000_001, "must not exceed ₦100,000.00"),
    ],
)
def test_check_amount_refuses_out_of_range(kobo: int, message: str) -> None:
    with pytest.raises(MoneyError, match=message.replace(".", r"\.")):
        check_amount(kobo, maximum_kobo=10_000_000, minimum_kobo=100)


@pytest.mark.parametrize("kobo", [100.5, "100", True, None])
def test_check_amount_refuses_non_integers(kobo: object) -> None:
    with pytest.raises(MoneyError):
        check_amount(kobo, maximum_kobo=1000)  # type: ignore[arg-type]


# --------------------------------------------------------------- format_naira


@pytest.mark.parametrize(
    ("kobo", "text"),
    [
        (0, "₦0.00"),
        (1, "₦0.01"),
        (50, "₦0.50"),
        (100, "₦1.00"),
        (123450, "₦1,234.50"),
        (100000000, "₦1,000,000.00"),
        (-123450, "-₦1,234.50"),
        (-5, "-₦0.05"),
    ],
)
def test_format_naira_examples(kobo: int, text: str) -> None:
    assert format_naira(kobo) == text


@pytest.mark.parametrize("value", [True, False, 1.5, "100", None])
def test_format_naira_refuses_non_int(value: object) -> None:
    with pytest.raises(TypeError):
        format_naira(value)  # type: ignore[arg-type]


# ------------------------------------------------------------------ format_bp


@pytest.mark.parametrize(
    ("bp", "text"),
    [
        (4000, "40%"),
        (1250, "12.5%"),
        (1, "0.01%"),
        (10, "0.1%"),
        (0, "0%"),
        (10000, "100%"),
        (1505, "15.05%"),
        (-250, "-2.5%"),
    ],
)
def test_format_bp_examples(bp: int, text: str) -> None:
    assert format_bp(bp) == text


@pytest.mark.parametrize("value", [True, 12.5, "4000"])
def test_format_bp_refuses_non_int(value: object) -> None:
    with pytest.raises(TypeError):
        format_bp(value)  # type: ignore[arg-type]


# ---------------------------------------------------------------- split_by_bp


def test_default_allocation_order_and_total() -> None:
    assert [key for key, _ in DEFAULT_ALLOCATION_BP] == [
        "apex_funds",
        "nogalss_funds",
        "cooperative",
        "leader",
        "parent_organization",
    ]
    assert sum(bp for _, bp in DEFAULT_ALLOCATION_BP) == 10000


@pytest.mark.parametrize(
    ("total", "shares", "expected"),
    [
        pytest.param(
            500000,
            DEFAULT_ALLOCATION_BP,
            {
                "apex_funds": 200000,
                "nogalss_funds": 100000,
                "cooperative": 100000,
                "leader": 75000,
                "parent_organization": 25000,
            },
            id="default-500000",
        ),
        pytest.param(
            1,
            DEFAULT_ALLOCATION_BP,
            {
                "apex_funds": 1,
                "nogalss_funds": 0,
                "cooperative": 0,
                "leader": 0,
                "parent_organization": 0,
            },
            id="default-1-kobo",
        ),
        pytest.param(
            0,
            DEFAULT_ALLOCATION_BP,
            {key: 0 for key, _ in DEFAULT_ALLOCATION_BP},
            id="default-zero",
        ),
        pytest.param(
            7,
            [("a", 3334), ("b", 3333), ("c", 3333)],
            {"a": 3, "b": 2, "c": 2},
            id="thirds-largest-remainder",
        ),
        pytest.param(
            7,
            [("a", 3333), ("b", 3334), ("c", 3333)],
            {"a": 2, "b": 3, "c": 2},
            id="largest-remainder-not-first",
        ),
        pytest.param(
            1,
            [("a", 5000), ("b", 5000)],
            {"a": 1, "b": 0},
            id="tie-goes-to-earlier",
        ),
        pytest.param(
            3,
            [("z", 0), ("a", 5000), ("b", 5000)],
            {"z": 0, "a": 2, "b": 1},
            id="zero-bp-gets-nothing",
        ),
        pytest.param(
            12345,
            [("only", 10000)],
            {"only": 12345},
            id="single-share",
        ),
    ],
)
def test_split_by_bp_examples(total: int, shares: list[tuple[str, int]], expected: dict[str, int]) -> None:
    result = split_by_bp(total, shares)
    assert result == expected
    assert list(result) == list(expected)


@pytest.mark.parametrize(
    ("total", "shares", "message"),
    [
        pytest.param(100, [("a", 5000), ("b", 4999)], "total 100%", id="under"),
        pytest.param(100, [("a", 5000), ("b", 5001)], "total 100%", id="over"),
        pytest.param(100, [], "total 100%", id="empty"),
        pytest.param(100, [("a", 10001), ("b", -1)], "must not be negative", id="negative-bp"),
        pytest.param(100, [("a", 5000), ("a", 5000)], "more than once", id="duplicate-key"),
        pytest.param(-1, DEFAULT_ALLOCATION_BP, "must not be negative", id="neg-total"),
        pytest.param(100, [("a", 10000.0)], "basis points", id="float-bp"),
        pytest.param(100, [("a", True), ("b", 9999)], "basis points", id="bool-bp"),
    ],
)
def test_split_by_bp_refuses_invalid_input(total: int, shares: list[tuple[str, int]], message: str) -> None:
    with pytest.raises(MoneyError, match=message):
        split_by_bp(total, shares)


@pytest.mark.parametrize("total", [1.5, "100", True])
def test_split_by_bp_refuses_non_int_total(total: object) -> None:
    with pytest.raises(TypeError):
        split_by_bp(total, DEFAULT_ALLOCATION_BP)  # type: ignore[arg-type]


@st.composite
def bp_lists(draw: st.DrawFn) -> list[int]:
    """Draw 1-8 non-negative basis points that sum to exactly 10000."""
    count = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(
        draw(
            st.lists(
                st.integers(min_value=0, max_value=10000),
                min_size=count - 1,
                max_size=count - 1,
            )
        )
    )
    edges = [0, *cuts, 10000]
    return [high - low for low, high in pairwise(edges)]


@given(total=st.integers(min_value=0, max_value=10**13), bps=bp_lists())
def test_split_by_bp_properties(total: int, bps: list[int]) -> None:
    assert sum(bps) == 10000
    shares = [(f"part{i}", bp) for i, bp in enumerate(bps)]
    result = split_by_bp(total, shares)
    assert list(result) == [key for key, _ in shares]
    assert sum(result.values()) == total
    for key, bp in shares:
        exact = Fraction(total * bp, 10000)
        assert abs(result[key] - exact) < 1
        if bp == 0:
            assert result[key] == 0
    assert split_by_bp(total, shares) == result
    assert split_by_bp(total, tuple(shares)) == result


@given(kobo=st.integers(min_value=0, max_value=10**15 - 1))
def test_format_then_parse_round_trips(kobo: int) -> None:
    text = format_naira(kobo)
    assert text.startswith("₦")
    assert parse_naira(text.removeprefix("₦")) == kobo
