"""The field rules of services/fields.py, without a database: text, ids, emails."""

from __future__ import annotations

import pytest

from nogalss_app.services.errors import ValidationFailed
from nogalss_app.services.fields import (
    MAX_ID,
    email_field,
    id_from_text,
    ids_field,
    is_id,
    text_field,
    text_problem,
)


@pytest.mark.parametrize("value", [1, 42, MAX_ID])
def test_ids_within_the_integer_columns_are_ids(value):
    assert is_id(value) and id_from_text(str(value)) == value


@pytest.mark.parametrize("value", [0, -1, MAX_ID + 1, 2**63, True, 1.0, "1", None])
def test_anything_else_is_not_an_id(value):
    assert not is_id(value)


@pytest.mark.parametrize(
    "text", ["", "0", "007", "-1", "+1", " ", "1e3", "１２", "٣", str(MAX_ID + 1), "9" * 20, None, 5]
)
def test_id_text_is_ascii_digits_without_sign_or_leading_zero_within_range(text):
    assert id_from_text(text) is None


def test_a_list_of_ids_is_deduplicated_and_every_member_checked():
    assert ids_field([3, 1, 3], "ids", most=10) == [1, 3]
    for bad in ([], [1, MAX_ID + 1], [1, "2"], "1,2", list(range(1, 12))):
        with pytest.raises(ValidationFailed) as caught:
            ids_field(bad, "ids", most=10)
        assert "ids" in caught.value.fields


@pytest.mark.parametrize("text", ["a\x00b", "a\x07", "a\x7f", "a\x9f", "a\ud800", "\udfff"])
def test_control_characters_and_lone_surrogates_are_never_text(text):
    assert text_problem(text) and text_problem(text, multiline=True)


def test_tab_cr_and_lf_are_allowed_only_where_several_lines_are():
    assert text_problem("one\ntwo") and text_problem("a\tb")
    assert text_problem("one\r\n\ttwo", multiline=True) is None
    assert text_problem("Ọ̀ṣun — naïra ₦ 😀") is None


def test_text_field_trims_and_reports_the_limits():
    errors: dict[str, str] = {}
    assert text_field({"n": "  Ada  "}, "n", errors, max_len=10) == "Ada"
    assert text_field({"n": "x" * 11}, "n", errors, max_len=10) is None
    assert text_field({"m": "ab"}, "m", errors, min_len=3, max_len=10) is None
    assert errors == {"n": "must be at most 10 characters", "m": "must be 3 to 10 characters"}


BAD_EMAILS = ["a@b.c\r\nBcc: x@y.z", "a\n@b.c", "a@b.c\x00", "a@b\ud800.c", "a@localhost", "@b.c", "a@"]


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_an_email_with_a_control_character_or_without_a_domain_is_refused(email):
    errors: dict[str, str] = {}
    assert email_field({"email": email}, "email", errors) is None and "email" in errors


def test_an_email_is_kept_in_its_canonical_form():
    assert email_field({"email": "  Ada.Obi@Example.TEST "}, "email", {}) == "ada.obi@example.test"
