"""Golden readings of numbers, money, counts, dates, times and digit strings."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from ivr.speech import (
    PIECE_SCRIPTS,
    UnspeakableValueError,
    speak_count,
    speak_date,
    speak_digits,
    speak_money,
    speak_number,
    speak_time,
    text_count,
    text_date,
    text_digits,
    text_money,
    text_number,
    text_time,
)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (2, "二"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (110, "一百一十"),
        (200, "两百"),
        (222, "两百二十二"),
        (1005, "一千零五"),
        (1010, "一千零一十"),
        (1200, "一千二百"),
        (2000, "两千"),
        (2222, "两千二百二十二"),
        (12000, "一万两千"),
        (10020, "一万零二十"),
        (20000, "两万"),
        (100001, "十万零一"),
        (100000000, "一亿"),
        (100000001, "一亿零一"),
        (200000000, "两亿"),
        (2000000000, "二十亿"),
        (1000010000, "十亿零一万"),
        (12333, "一万两千三百三十三"),
    ],
)
def test_cardinal_numbers(n: int, text: str) -> None:
    """Each number reads as spoken Mandarin (两 where Mandarin says it)."""
    assert text_number(n) == text


def test_pieces_and_text_are_one_reading() -> None:
    """The piece ids, read back through their scripts, give the same text."""
    ids = speak_number(20000)

    assert ids == ["num-liang", "unit-wan"]
    assert "".join(PIECE_SCRIPTS[i] for i in speak_number(1005)) == "一千零五"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.50"), "一千二百三十四元五角"),
        ("0.05", "五分"),
        ("10.05", "十元零五分"),
        (2, "两元"),
        ("12", "十二元"),
        ("0.20", "两角"),
        ("1.02", "一元零两分"),
        ("0", "零元"),
        ("0.005", "一分"),
        ("100000000", "一亿元"),
    ],
)
def test_money(amount: Decimal | int | str, text: str) -> None:
    """Amounts in yuan read with 元/角/分, zero units silent, 零 before a lone 分."""
    assert text_money(amount) == text


def test_money_pieces() -> None:
    """Money is played from number and unit pieces."""
    assert speak_money("2.5") == ["num-liang", "money-yuan", "num-5", "money-jiao"]


@pytest.mark.parametrize(
    ("n", "unit", "text"),
    [
        (2, "geyue", "两个月"),
        (12, "geyue", "十二个月"),
        (2, "ge", "两个"),
        (3, "tian", "三天"),
    ],
)
def test_counts(n: int, unit: str, text: str) -> None:
    """A count before a measure word says 两 for 2."""
    assert text_count(n, unit) == text


def test_count_pieces() -> None:
    """两个月 is two pieces."""
    assert speak_count(2, "geyue") == ["num-liang", "unit-geyue"]


def test_dates() -> None:
    """Years digit by digit with 〇, months and days as numbers."""
    assert text_date(date(2026, 10, 8)) == "二〇二六年十月八日"
    assert text_date(date(2026, 12, 20), day_word="hao") == "二〇二六年十二月二十号"
    assert text_date(date(2026, 2, 2)) == "二〇二六年二月二日"
    assert speak_date(date(2026, 10, 8))[:5] == [
        "num-2",
        "num-0",
        "num-2",
        "num-6",
        "date-nian",
    ]


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (time(9, 30), "九点三十分"),
        (time(9, 5), "九点零五分"),
        (time(9, 0), "九点"),
        (time(2, 0), "两点"),
        (time(12, 0), "十二点"),
        (time(13, 30), "十三点三十分"),
    ],
)
def test_times(moment: time, text: str) -> None:
    """Clock times with 点 and 分; the hour 2 is 两点."""
    assert text_time(moment) == text


def test_time_pieces() -> None:
    """09:30 plays hour, 点, minutes, 分."""
    assert speak_time(time(9, 30)) == [
        "num-9",
        "time-dian",
        "num-3",
        "unit-shi",
        "time-fen",
    ]


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("12333", "幺二三三三"),
        ("138 0013 8000", "幺三八零零幺三八零零零"),
        ("010-12345", "零幺零幺二三四五"),
        ("2", "二"),
    ],
)
def test_digit_strings(code: str, text: str) -> None:
    """Phone, ticket and agent numbers read digit by digit, 1 as 幺."""
    assert text_digits(code) == text


def test_digit_pieces() -> None:
    """幺 is its own piece."""
    assert speak_digits("10") == ["num-yao", "num-0"]


@pytest.mark.parametrize(
    "call",
    [
        lambda: text_number(-1),
        lambda: text_number(10**16),
        lambda: text_money("-1"),
        lambda: text_money("abc"),
        lambda: text_digits("12a"),
        lambda: text_digits(" - "),
        lambda: text_count(2, "bottles"),
    ],
)
def test_unspeakable_values_are_refused(call: object) -> None:
    """Values out of range or malformed raise UnspeakableValueError."""
    with pytest.raises(UnspeakableValueError):
        call()  # type: ignore[operator]
