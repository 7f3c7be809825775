"""Which numbers a fax may go to: mainland fixed lines with their area code."""

from __future__ import annotations

import pytest

from ivr.fax_numbers import area_code, fax_number_refusal, is_area_code


@pytest.mark.parametrize(
    "number",
    ["01065551234", "0105551234", "02187654321", "075588776655", "08712345678"],
)
def test_fixed_lines_with_an_area_code_are_taken(number: str) -> None:
    """Beijing (8 and 7 digits), Shanghai, Shenzhen, Kunming."""
    assert fax_number_refusal(number) == ""


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("00900123456789", "international"),
        ("0085212345678", "international"),
        ("12333", "no fixed line"),
        ("95588", "no fixed line"),
        ("4008123456", "no fixed line"),
        ("8008123456", "no fixed line"),
        ("13912345678", "no fixed line"),
        ("0111234567", "no fixed line"),
        ("01012333", "after its area code"),
        ("01095588123", "after its area code"),
        ("0101234567", "after its area code"),
        ("0871234567", "after its area code"),
        ("0755123456789", "after its area code"),
        ("010-6555123", "not all digits"),
        ("０１０６５５５１２３４", "not all digits"),
        ("", "not all digits"),
    ],
)
def test_other_numbers_are_refused(number: str, why: str) -> None:
    """International, service, premium, mobile and malformed numbers."""
    assert why in fax_number_refusal(number)


def test_area_codes_narrow_the_rule() -> None:
    """Listed area codes only; the rest of the rule still holds."""
    codes = ("010", "0755")

    assert fax_number_refusal("075588776655", codes) == ""
    assert "not among" in fax_number_refusal("02187654321", codes)
    assert "international" in fax_number_refusal("0010123456789", codes)


def test_area_code_and_its_check() -> None:
    """Two-digit areas (10, 2x) and three-digit ones, with their 0."""
    assert [area_code(n) for n in ("01065551234", "0215551234", "0755887766")] == [
        "010",
        "021",
        "0755",
    ]
    assert [is_area_code(c) for c in ("010", "0755", "011", "10", "0", "07551")] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]
