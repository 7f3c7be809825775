"""ASCII digits inside prompt scripts, read by what surrounds them.

A script may write numbers in digits; each run is read with the same
functions that read spoken values (:mod:`ivr.speech.numbers`,
:mod:`ivr.speech.dates`), so a script and a value spoken from pieces agree.
The context decides, first match wins:

- a date ``2026-10-08`` (二〇二六年十月八日) and a clock time ``9:30``
  (九点三十分);
- a percentage ``3.5%`` (百分之三点五) and a decimal ``1.5`` (一点五);
- four digits before 年 are a year, digit by digit with 〇 (二〇二六年);
- a number before 月, 日 or 号 is a date (二月, 二号), after 第 an ordinal
  (第一), after 按 a key (按一);
- a number before a unit or measure word (元, 个, 天, 年, 万, 人...) is an
  amount with the 两 rules (两万元, 两个月, 两年);
- a code is read digit by digit with 幺 for 1: five digits or more, a
  leading 0, digits joined by ``-``, or digits after 电话, 热线, 号码, 工号,
  编号, 拨打 or 致电 (12333, 010-12345678); but five digits or more ending
  in 000 and not after those words are a round amount (10000 一万).

Anything else (a bare ``12``: 十二 or 一二?) is *ambiguous*: it is read as a
number, and :func:`ambiguous_numbers` lists it so ``ivr check`` and the
speech check can ask for characters instead.

For Cantonese (``yue``) the same reading is written the Cantonese way:
traditional characters (萬, 兩, 點), 一 rather than 幺 in codes, 零 for 〇.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

from ivr.speech.dates import text_date, text_time
from ivr.speech.errors import SpeechError
from ivr.speech.numbers import cardinal, text_digits, text_number
from ivr.speech.pieces import piece_text

__all__ = ["FIXED_YI", "ambiguous_numbers", "read_digits_in"]

FIXED_YI = "\ue001"
"""Stands for a 一 that keeps its first tone (yi1) whatever follows: in a
year, a date, an ordinal, a key or a clock time. Only :mod:`ivr.speech.pinyin`
sees it; :func:`read_digits_in` writes 一."""

_UNITS = (
    "元角块毛分个天次岁年人家名件项位周倍万千百亿条张份页种台辆小秒個歲塊萬億張條項輛臺"
)
_CODE_WORDS = ("电话", "热线", "号码", "工号", "编号", "拨打", "致电")
_CODE_AFTER = "|".join(f"(?<={word})" for word in _CODE_WORDS)

_PATTERN = re.compile(
    rf"(?P<date>\d{{4}}-\d{{1,2}}-\d{{1,2}})"
    rf"|(?P<time>\d{{1,2}}:\d{{2}})(?!\d)"
    rf"|(?P<percent>\d+(?:\.\d+)?)%"
    rf"|(?P<decimal>\d+\.\d+)"
    rf"|(?:{_CODE_AFTER})(?P<named_code>\d[\d-]*\d|\d)"
    rf"|(?P<code>\d+(?:-\d+)+|0\d+)"
    rf"|(?P<year>\d{{4}})(?=年)"
    rf"|(?P<day>\d{{1,2}})(?=[月日号號])"
    rf"|(?<=第)(?P<ordinal>\d+)"
    rf"|(?<=按)(?P<key>\d)(?!\d)"
    rf"|(?P<count>\d+)(?=[{_UNITS}])"
    rf"|(?P<round>\d{{2,}}000)(?!\d)"
    rf"|(?P<long_code>\d{{5,}})"
    rf"|(?P<bare>\d+)"
)

_CANTONESE = str.maketrans(
    "幺两万亿点个〇号岁块条张台辆项", "一兩萬億點個零號歲塊條張臺輛項"
)


def read_digits_in(text: str, language: str = "zh") -> str:
    """``text`` with every ASCII digit run replaced by the words it is read as.

    ``language`` ``yue`` writes the reading in Cantonese style.
    """
    read = _read(text, mark=False)
    return read.translate(_CANTONESE) if language == "yue" else read


def marked_reading(text: str) -> str:
    """Like :func:`read_digits_in`, with :data:`FIXED_YI` for a fixed-tone 一."""
    return _read(text, mark=True)


def ambiguous_numbers(text: str) -> list[str]:
    """The digit runs of ``text`` whose reading the context does not settle."""
    return [m.group("bare") for m in _PATTERN.finditer(text) if m.group("bare")]


def _read(text: str, *, mark: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        kind = match.lastgroup or "bare"
        reading = _READERS[kind](match.group(kind))
        return reading.replace("一", FIXED_YI) if mark and kind in _FIXED else reading

    return _PATTERN.sub(replace, text)


def _date(raw: str) -> str:
    year, month, day = (int(part) for part in raw.split("-"))
    try:
        return text_date(date(year, month, day))
    except ValueError as exc:
        raise SpeechError(f"{raw!r} is not a date") from exc


def _time(raw: str) -> str:
    hour, minute = (int(part) for part in raw.split(":"))
    try:
        return text_time(time(hour, minute))
    except ValueError as exc:
        raise SpeechError(f"{raw!r} is not a clock time") from exc


def _decimal(raw: str) -> str:
    whole, _, fraction = raw.partition(".")
    spoken = "".join(text_number(int(digit)) for digit in fraction)
    return f"{text_number(int(whole))}点{spoken}"


def _percent(raw: str) -> str:
    return "百分之" + (_decimal(raw) if "." in raw else text_number(int(raw)))


def _year(raw: str) -> str:
    return "".join("〇" if digit == "0" else text_number(int(digit)) for digit in raw)


def _count(raw: str) -> str:
    return piece_text(cardinal(int(raw), measure=True))


def _number(raw: str) -> str:
    return text_number(int(raw))


_READERS: dict[str, Callable[[str], str]] = {
    "date": _date,
    "time": _time,
    "percent": _percent,
    "decimal": _decimal,
    "named_code": text_digits,
    "code": text_digits,
    "long_code": text_digits,
    "year": _year,
    "day": _number,
    "ordinal": _number,
    "key": _number,
    "count": _count,
    "round": _count,
    "bare": _number,
}
_FIXED = frozenset({"date", "time", "year", "day", "ordinal", "key", "decimal"})
