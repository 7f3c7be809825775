"""Dates and clock times as Mandarin speech, built from recorded pieces.

Years are read digit by digit with 〇 for zero (二〇二六年), months and days
as numbers (十二月, 二十号); the day word is 日 (formal, the default) or 号
(everyday speech). Clock times say the hour with 点 and the minutes with 分:
09:30 九点三十分, 09:05 九点零五分, 09:00 九点, 02:00 两点 (an hour is a
count, so 2 is 两).
"""

from __future__ import annotations

from datetime import date, time
from typing import Literal

from ivr.speech.numbers import cardinal
from ivr.speech.pieces import Piece, piece, piece_ids, piece_text

__all__ = ["speak_date", "speak_time", "text_date", "text_time"]

DayWord = Literal["ri", "hao"]


def date_pieces(day: date, *, day_word: DayWord = "ri") -> list[Piece]:
    """Read a calendar date: 2026-10-08 二〇二六年十月八日."""
    year = [_year_digit(char) for char in f"{day.year:04d}"]
    return [
        *year,
        piece("date-nian"),
        *cardinal(day.month),
        piece("date-yue"),
        *cardinal(day.day),
        piece(f"date-{day_word}"),
    ]


def _year_digit(char: str) -> Piece:
    return piece("num-0", "〇") if char == "0" else piece(f"num-{char}")


def time_pieces(moment: time) -> list[Piece]:
    """Read a clock time on the 24-hour clock: 09:30 九点三十分."""
    out = [*cardinal(moment.hour, measure=True), piece("time-dian")]
    if moment.minute:
        if moment.minute < 10:
            out.append(piece("num-0"))
        out += [*cardinal(moment.minute), piece("time-fen")]
    return out


def speak_date(day: date, *, day_word: DayWord = "ri") -> list[str]:
    """Piece ids reading ``day`` (see :func:`date_pieces`)."""
    return piece_ids(date_pieces(day, day_word=day_word))


def text_date(day: date, *, day_word: DayWord = "ri") -> str:
    """Chinese for ``day``: 二〇二六年十月八日, or ...八号 with ``day_word="hao"``."""
    return piece_text(date_pieces(day, day_word=day_word))


def speak_time(moment: time) -> list[str]:
    """Piece ids reading a clock time (see :func:`time_pieces`)."""
    return piece_ids(time_pieces(moment))


def text_time(moment: time) -> str:
    """Chinese for a clock time: 09:30 九点三十分."""
    return piece_text(time_pieces(moment))
