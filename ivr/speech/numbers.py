"""Numbers, amounts of money, counts and digit strings as Mandarin speech.

Every function comes in two forms over one reading: ``speak_*`` returns the
piece ids to play (see :mod:`ivr.speech.pieces`) and ``text_*`` the Chinese
the pieces say. Readings follow spoken Mandarin as heard on the hotline:

- Sections of four digits (万, 亿, 万亿); one 零 for any run of zeros inside a
  number, none at the end: 1005 一千零五, 100001 十万零一, 1,0000,0000 一亿.
- A leading 1 before 十 is silent (10 十, 12 十二, 100000 十万); elsewhere it is
  said (110 一百一十).
- 2 is 两 before 千, as the first digit before 百 (200 两百: what callers say
  and hear; 二百 is correct but bookish), alone before 万/亿 (两万, 两亿), and
  as a whole count before a measure word (两元, 两个月); otherwise 二 (十二,
  二十, 一千二百).
- Digit strings (phone, ticket and agent numbers) go digit by digit with 幺
  for 1, as telephone staff read them so 1 and 7 are not confused.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ivr.speech.errors import UnspeakableValueError
from ivr.speech.pieces import Piece, piece, piece_ids, piece_text

__all__ = [
    "COUNT_UNITS",
    "cardinal",
    "speak_count",
    "speak_digits",
    "speak_money",
    "speak_number",
    "text_count",
    "text_digits",
    "text_money",
    "text_number",
]

MAX_NUMBER = 10**16 - 1
"""The largest number read (9999万亿...): larger values are not amounts."""

COUNT_UNITS = {
    "ge": "unit-ge",
    "geyue": "unit-geyue",
    "tian": "unit-tian",
    "ci": "unit-ci",
}
"""Measure words :func:`speak_count` knows, by short name."""

_SECTION_UNITS: tuple[tuple[str, ...], ...] = (
    (),
    ("unit-wan",),
    ("unit-yi",),
    ("unit-wan", "unit-yi"),
)
_PLACES = (("unit-qian", 1000), ("unit-bai", 100), ("unit-shi", 10), ("", 1))
_DIGIT_SEPARATORS = " -"


def cardinal(n: int, *, measure: bool = False) -> list[Piece]:
    """Read ``n`` (0 to :data:`MAX_NUMBER`) as a cardinal number.

    ``measure`` says a measure word follows, so a lone 2 is 两 (两元).
    """
    if not 0 <= n <= MAX_NUMBER:
        raise UnspeakableValueError(f"cannot read {n}: out of range 0..{MAX_NUMBER}")
    if n == 0:
        return [piece("num-0")]
    if measure and n == 2:
        return [piece("num-liang")]
    return _sections(n)


def _sections(n: int) -> list[Piece]:
    groups = [(n // 10 ** (4 * i)) % 10000 for i in range(len(_SECTION_UNITS))]
    out: list[Piece] = []
    gap = False
    for index in reversed(range(len(groups))):
        value = groups[index]
        if value == 0:
            gap = gap or bool(out)
            continue
        if out and (gap or value < 1000):
            out.append(piece("num-0"))
        units = _SECTION_UNITS[index]
        out += _section(value, first=not out, alone_before_unit=bool(units))
        out += [piece(unit) for unit in units]
        gap = False
    return out


def _section(value: int, *, first: bool, alone_before_unit: bool) -> list[Piece]:
    """Read 1..9999 within a number; ``first`` when nothing was said before."""
    out: list[Piece] = []
    zero = False
    for unit, size in _PLACES:
        digit = value // size % 10
        if digit == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out.append(piece("num-0"))
            zero = False
        leading = first and not out
        if not (unit == "unit-shi" and digit == 1 and leading):
            liang = _says_liang(digit, unit, leading, value, alone_before_unit)
            out.append(piece("num-liang") if liang else _digit(digit))
        if unit:
            out.append(piece(unit))
    return out


def _says_liang(
    digit: int, unit: str, leading: bool, value: int, alone_before_unit: bool
) -> bool:
    if digit != 2:
        return False
    if unit == "unit-qian":
        return True
    if unit == "unit-bai":
        return leading
    return unit == "" and value == 2 and alone_before_unit


def _digit(digit: int) -> Piece:
    return piece(f"num-{digit}")


def speak_number(n: int) -> list[str]:
    """Piece ids reading ``n``: 20000 -> ``num-liang unit-wan``."""
    return piece_ids(cardinal(n))


def text_number(n: int) -> str:
    """Chinese for ``n``: 1005 -> 一千零五."""
    return piece_text(cardinal(n))


def speak_count(n: int, unit: str) -> list[str]:
    """Piece ids reading ``n`` of ``unit`` (a :data:`COUNT_UNITS` name): 两个月."""
    return piece_ids(_count(n, unit))


def text_count(n: int, unit: str) -> str:
    """Chinese for ``n`` of ``unit``: ``text_count(2, "geyue")`` -> 两个月."""
    return piece_text(_count(n, unit))


def _count(n: int, unit: str) -> list[Piece]:
    if unit not in COUNT_UNITS:
        raise UnspeakableValueError(
            f"unknown measure word {unit!r}; known: {', '.join(COUNT_UNITS)}"
        )
    return [*cardinal(n, measure=True), piece(COUNT_UNITS[unit])]


def money(amount: Decimal | int | str) -> list[Piece]:
    """Read an amount in yuan, rounded to the fen: 1234.50 一千二百三十四元五角.

    Zero jiao and fen are not said; a fen after a silent jiao takes 零
    (十元零五分); an amount under one yuan starts at its first unit (五分).
    """
    fen_total = _to_fen(amount)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    out: list[Piece] = []
    if yuan or fen_total == 0:
        out += [*cardinal(yuan, measure=True), piece("money-yuan")]
    if jiao:
        out += [*cardinal(jiao, measure=True), piece("money-jiao")]
    if fen:
        if yuan and not jiao:
            out.append(piece("num-0"))
        out += [*cardinal(fen, measure=True), piece("money-fen")]
    return out


def _to_fen(amount: Decimal | int | str) -> int:
    try:
        value = Decimal(amount)
    except (InvalidOperation, ValueError) as exc:
        raise UnspeakableValueError(f"not an amount: {amount!r}") from exc
    if not value.is_finite() or value < 0:
        raise UnspeakableValueError(f"cannot read amount {amount!r}")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def speak_money(amount: Decimal | int | str) -> list[str]:
    """Piece ids reading an amount in yuan (see :func:`money`)."""
    return piece_ids(money(amount))


def text_money(amount: Decimal | int | str) -> str:
    """Chinese for an amount in yuan: ``Decimal("0.05")`` -> 五分."""
    return piece_text(money(amount))


def digits(code: str) -> list[Piece]:
    """Read a digit string one digit at a time, 1 as 幺; spaces and '-' skipped."""
    out: list[Piece] = []
    for char in code:
        if char in _DIGIT_SEPARATORS:
            continue
        if not ("0" <= char <= "9"):
            raise UnspeakableValueError(f"not a digit string: {code!r}")
        out.append(piece("num-yao") if char == "1" else _digit(int(char)))
    if not out:
        raise UnspeakableValueError(f"no digits in {code!r}")
    return out


def speak_digits(code: str) -> list[str]:
    """Piece ids reading ``code`` digit by digit: 12333 -> num-yao num-2 ..."""
    return piece_ids(digits(code))


def text_digits(code: str) -> str:
    """Chinese for ``code`` digit by digit: 12333 -> 幺二三三三."""
    return piece_text(digits(code))
