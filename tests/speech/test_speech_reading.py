"""Digits inside scripts, read by their context; Cantonese wording for yue."""

from __future__ import annotations

import pytest

from ivr.speech import (
    ambiguous_numbers,
    read_digits_in,
    syllables,
    text_count,
    text_date,
    unreadable_characters,
)


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("2026年", "二〇二六年"),
        ("20000元", "两万元"),
        ("10000", "一万"),
        ("2个月", "两个月"),
        ("2年", "两年"),
        ("2万元", "两万元"),
        ("110元", "一百一十元"),
        ("9:30", "九点三十分"),
        ("2:00", "两点"),
        ("1.5元", "一点五元"),
        ("3.5%", "百分之三点五"),
        ("20%", "百分之二十"),
        ("2026-10-08", "二〇二六年十月八日"),
        ("2026年10月8日", "二〇二六年十月八日"),
        ("2月2日", "二月二日"),
        ("第2期", "第二期"),
        ("请按2", "请按二"),
        ("掌上12333", "掌上幺二三三三"),
        ("拨打10000", "拨打幺零零零零"),
        ("电话010-12345678", "电话零幺零幺二三四五六七八"),
        ("工号1024", "工号幺零二四"),
    ],
)
def test_digits_are_read_by_context(script: str, expected: str) -> None:
    """Years, amounts, counts, times, decimals, percentages, dates and codes."""
    assert read_digits_in(script) == expected


def test_scripts_and_spoken_values_agree() -> None:
    """A script's digits read like the same value spoken from pieces."""
    from datetime import date

    assert read_digits_in("2个月") == text_count(2, "geyue")
    assert read_digits_in("2026-10-08") == text_date(date(2026, 10, 8))


def test_bare_number_is_ambiguous() -> None:
    """12 alone could be 十二 or 一二: listed; numbers with context are not."""
    assert ambiguous_numbers("请记下12，按1") == ["12"]
    assert ambiguous_numbers("满2年，拨打12333，第3期") == []


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("掌上12333", "掌上一二三三三"),
        ("20000元", "兩萬元"),
        ("2個月", "兩個月"),
        ("9:30", "九點三十分"),
        ("2026年", "二零二六年"),
    ],
)
def test_cantonese_reading(script: str, expected: str) -> None:
    """yue: no 幺, traditional characters, 兩 where Cantonese says it."""
    assert read_digits_in(script, "yue") == expected


def test_percentage_is_spoken_not_a_crash() -> None:
    """3.5% renders as 百分之三点五 instead of failing on '%'."""
    assert syllables("3.5%") == ["bai3", "fen1", "zhi1", "san1", "dian3", "wu3"]


def test_unreadable_characters_are_listed() -> None:
    """Latin letters and symbols no voice reads; a percentage is fine."""
    assert unreadable_characters("下载APP，满意度100%") == ["A", "P"]
    assert unreadable_characters("甲&乙") == ["&"]
    assert unreadable_characters("3.5%") == []
