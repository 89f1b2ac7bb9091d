"""Hostile inputs: names that look like markup, and money the app must refuse (BAD_INPUTS rows 1-5)."""

from __future__ import annotations

# A name that would run as script if a template forgot to escape it, and how it must appear instead.
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

# Naira text the staff forms refuse, with the whole message shown next to the field.
BAD_NAIRA = [
    ("100.005", "at most 2 decimal places"),
    ("1e3", "use only the digits 0-9"),
    ("1_000", "use only the digits 0-9"),
    ("+5", "without a + or - sign"),
    ("-5000", "without a + or - sign"),
    ("0x10", "use only the digits 0-9"),
    ("NaN", "use only the digits 0-9"),
    ("Infinity", "use only the digits 0-9"),
    ("１２３", "use only the digits 0-9"),
    ("١٢٣", "use only the digits 0-9"),
    ("", "enter an amount"),
    ("0", "greater than zero"),
    ("9" * 25, "too large"),
    ("200,000,000", "must not exceed"),
]
# Amounts refused as JSON (BAD_INPUTS 1 and 5): not a positive JSON integer within the configured maximum.
BAD_JSON_AMOUNTS = [-5000, 0, 100_000_000 * 100 + 1, 10**25, 100.5, "100", True, None, [100], {"naira": 1}]
# Naira text refused by the forms (BAD_INPUTS 1-4), with a word of the message each gets.
BAD_NAIRA_TEXT = [
    ("-5000", "sign"),
    ("0", "greater than zero"),
    ("100,000,001", "must not exceed"),
    ("1" * 25, "too large"),
    ("100.005", "at most 2 decimal places"),
    ("1e3", "digits"),
    ("1_000", "digits"),
    ("+5", "sign"),
    ("0x10", "digits"),
    ("NaN", "digits"),
    ("Infinity", "digits"),
    ("", "enter an amount"),
    (None, "enter an amount"),
    ("１２３", "digits"),
    ("١٢٣", "digits"),
]
