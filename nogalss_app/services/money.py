"""Integer money helpers: kobo amounts (100 kobo = 1 naira) and basis points."""

from __future__ import annotations

import re
from collections.abc import Sequence

KOBO_PER_NAIRA = 100
BP_TOTAL = 10000
MAX_NAIRA_DIGITS = 15
NAIRA_SIGN = "\u20a6"

DEFAULT_ALLOCATION_BP: tuple[tuple[str, int], ...] = (
    ("apex_funds", 4000),
    ("nogalss_funds", 2000),
    ("cooperative", 2000),
    ("leader", 1500),
    ("parent_organization", 500),
)

_ALLOWED_CHARS = re.compile(r"[0-9,.]+", re.ASCII)
_PLAIN_INT = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_GROUPED_INT = re.compile(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+", re.ASCII)
_FRACTION = re.compile(r"[0-9]{1,2}", re.ASCII)
_ASCII_SPACE = " \t\r\n"


class MoneyError(ValueError):
    """Invalid money input; str(error) is a message fit to show the user."""

    def __init__(self, message: str) -> None:
        """Store the user-facing message."""
        super().__init__(message)
        self.message = message


def _is_int(value: object) -> bool:
    """Return True for a real int (bool excluded)."""
    return isinstance(value, int) and not isinstance(value, bool)


def parse_naira(text: str) -> int:
    """Parse strict naira text such as '1,000.50' into integer kobo."""
    if text is None:
        raise MoneyError("enter an amount")
    if not isinstance(text, str):
        raise MoneyError("enter the amount as text, like 1,000.50")
    cleaned = text.strip(_ASCII_SPACE)
    if not cleaned:
        raise MoneyError("enter an amount")
    if not _ALLOWED_CHARS.fullmatch(cleaned):
        if cleaned[0] in "+-":
            raise MoneyError("enter the amount without a + or - sign")
        if any(ch in _ASCII_SPACE for ch in cleaned):
            raise MoneyError("the amount must not contain spaces")
        raise MoneyError("use only the digits 0-9, like 1,000.50")
    if cleaned.count(".") > 1:
        raise MoneyError("the amount can have only one decimal point")
    int_part, dot, frac = cleaned.partition(".")
    if dot and not int_part:
        raise MoneyError(f"write a leading zero, like 0{cleaned}")
    if dot and not frac:
        raise MoneyError("put 1 or 2 digits after the decimal point, or remove it")
    digits = int_part.replace(",", "")
    if len(digits) > MAX_NAIRA_DIGITS:
        raise MoneyError("amount is too large")
    if frac and not _FRACTION.fullmatch(frac):
        if "," in frac:
            raise MoneyError("commas are not allowed after the decimal point")
        raise MoneyError("the amount can have at most 2 decimal places")
    if not (_PLAIN_INT.fullmatch(int_part) or _GROUPED_INT.fullmatch(int_part)):
        if digits.startswith("0") and len(digits) > 1:
            raise MoneyError("remove the leading zeros from the amount")
        raise MoneyError("commas must separate groups of 3 digits, like 1,000,000")
    return int(digits) * KOBO_PER_NAIRA + int(frac.ljust(2, "0") if frac else "0")


def require_kobo(value: object, field: str = "amount_kobo") -> int:
    """Return value if it is a JSON integer (int, not bool), else raise MoneyError."""
    if not _is_int(value):
        raise MoneyError(f"{field} must be a whole number of kobo (a JSON integer)")
    return value  # type: ignore[return-value]


def check_amount(kobo: int, *, maximum_kobo: int, minimum_kobo: int = 1) -> int:
    """Return kobo if minimum_kobo <= kobo <= maximum_kobo, else raise MoneyError."""
    if not (_is_int(minimum_kobo) and _is_int(maximum_kobo)):
        raise TypeError("minimum_kobo and maximum_kobo must be int")
    if minimum_kobo < 1 or maximum_kobo < minimum_kobo:
        raise ValueError("need 1 <= minimum_kobo <= maximum_kobo")
    amount = require_kobo(kobo, "amount")
    if amount <= 0:
        raise MoneyError("amount must be greater than zero")
    if amount < minimum_kobo:
        raise MoneyError(f"amount must be at least {format_naira(minimum_kobo)}")
    if amount > maximum_kobo:
        raise MoneyError(f"amount must not exceed {format_naira(maximum_kobo)}")
    return amount


def format_naira(kobo: int) -> str:
    """Format kobo as naira text, e.g. 123450 -> '₦1,234.50', -5 -> '-₦0.05'."""
    if not _is_int(kobo):
        raise TypeError(f"kobo must be int, not {type(kobo).__name__}")
    sign = "-" if kobo < 0 else ""
    naira, rest = divmod(abs(kobo), KOBO_PER_NAIRA)
    return f"{sign}{NAIRA_SIGN}{naira:,}.{rest:02d}"


def format_bp(bp: int) -> str:
    """Format basis points as percent text, e.g. 4000 -> '40%', 1250 -> '12.5%'."""
    if not _is_int(bp):
        raise TypeError(f"bp must be int, not {type(bp).__name__}")
    sign = "-" if bp < 0 else ""
    whole, hundredths = divmod(abs(bp), 100)
    if hundredths:
        return f"{sign}{whole}.{f'{hundredths:02d}'.rstrip('0')}%"
    return f"{sign}{whole}%"


def split_by_bp(total_kobo: int, shares: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Split total_kobo by basis points (largest remainder, ties in given order).

    Rule: bp must be non-negative ints totalling exactly 10000 with unique keys.
    Each part first gets floor(total * bp / 10000). The leftover kobo (always
    fewer than the number of parts) go one each to the parts with the largest
    remainder total * bp % 10000; equal remainders favour the earlier share.
    A 0 bp share always gets 0, every part is within 1 kobo of its exact
    share, the parts sum exactly to total_kobo and keep the order of shares.
    """
    if not _is_int(total_kobo):
        raise TypeError(f"total_kobo must be int, not {type(total_kobo).__name__}")
    if total_kobo < 0:
        raise MoneyError("the amount to split must not be negative")
    seen: set[str] = set()
    for key, bp in shares:
        if not _is_int(bp):
            raise MoneyError(f"share for {key} must be a whole number of basis points")
        if bp < 0:
            raise MoneyError(f"share for {key} must not be negative")
        if key in seen:
            raise MoneyError(f"{key} appears more than once in the allocation")
        seen.add(key)
    if sum(bp for _, bp in shares) != BP_TOTAL:
        raise MoneyError("allocation must total 100%")
    floors: list[int] = []
    remainders: list[int] = []
    for _, bp in shares:
        part, remainder = divmod(total_kobo * bp, BP_TOTAL)
        floors.append(part)
        remainders.append(remainder)
    leftover = total_kobo - sum(floors)
    ranked = sorted(range(len(floors)), key=lambda i: (-remainders[i], i))
    for index in ranked[:leftover]:
        floors[index] += 1
    return {key: part for (key, _), part in zip(shares, floors, strict=True)}
