"""The 18-character resident ID number, as callers key it on the phone.

A caller keys the 17 digits and the check character; a check character X is
keyed as ``*`` (phones have no X key). :func:`parse_keyed_id` checks what
can be checked without asking anyone, so a mistyped number costs no backend
request and the caller hears what was wrong:

- ``length``: 18 characters;
- ``characters``: digits only, with ``*``/X allowed as the last one;
- ``check_digit``: GB 11643-1999 check character (ISO 7064 MOD 11-2);
- ``birth_date``: characters 7-14 a real date, not before 1900, not after today;
- ``region``: characters 1-2 a province-level code of GB/T 2260.

The number is personal data. :class:`IdNumber` never shows it in ``repr``;
logs, call records and lockout rows use :attr:`IdNumber.masked` (first three
and last two characters, like caller numbers: ``110*************1X``) or
:meth:`IdNumber.keyed_hash` (HMAC-SHA256 under the service's hash key, with a
prefix so an ID hash never equals a phone-number hash).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ivr.privacy import hash_number, mask_number
from ivr.queries.errors import IdNumberError

__all__ = ["REASONS", "IdNumber", "check_character", "parse_keyed_id"]

LENGTH = 18
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11643-1999: weight of each of the first 17 digits (2^(17-i) mod 11)."""
CHECK_CHARACTERS = "10X98765432"
"""The check character for each remainder of the weighted sum modulo 11."""
PROVINCES = frozenset(
    {
        *("11", "12", "13", "14", "15", "21", "22", "23"),
        *("31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54"),
        *("61", "62", "63", "64", "65", "71", "81", "82", "83"),
    }
)
"""Province-level codes of GB/T 2260 (83: residence permits of Taiwan residents)."""
EARLIEST_BIRTH_YEAR = 1900
REASONS = ("length", "characters", "check_digit", "birth_date", "region")
"""Why a keyed number was refused, in the order they are checked."""
HASH_PREFIX = "id-number:"


@dataclass(frozen=True, slots=True)
class IdNumber:
    """A checked ID number; ``value`` (with X upper-case) is never in ``repr``."""

    value: str = field(repr=False)
    birth_date: date

    @property
    def masked(self) -> str:
        """First three and last two characters, the rest ``*``."""
        return mask_number(self.value)

    def keyed_hash(self, key: bytes) -> str:
        """The hex HMAC-SHA256 of the number under ``key`` (for daily limits)."""
        return hash_number(HASH_PREFIX + self.value, key)

    def __str__(self) -> str:
        return self.masked


def check_character(first17: str) -> str:
    """The check character (``0``-``9`` or ``X``) of 17 digits."""
    pairs = zip(first17, WEIGHTS, strict=True)
    total = sum(int(digit) * weight for digit, weight in pairs)
    return CHECK_CHARACTERS[total % 11]


def parse_keyed_id(keys: str, today: date) -> IdNumber:
    """Check a number keyed by a caller (``*`` for X); raise :class:`IdNumberError`.

    ``today`` is the local date of the call: a birth date after it is refused.
    """
    value = keys.strip().upper().replace("*", "X")
    if len(value) != LENGTH:
        raise IdNumberError("length", f"{len(value)} characters, not {LENGTH}")
    if not value[:-1].isdigit() or not (value[-1].isdigit() or value[-1] == "X"):
        raise IdNumberError("characters", "only the last character may be X (*)")
    if check_character(value[:-1]) != value[-1]:
        raise IdNumberError("check_digit", "the check character does not match")
    born = _birth_date(value[6:14], today)
    if value[:2] not in PROVINCES:
        raise IdNumberError("region", "the region code is not a province code")
    return IdNumber(value, born)


def _birth_date(digits: str, today: date) -> date:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as exc:
        raise IdNumberError("birth_date", "the birth date is not a date") from exc
    if born.year < EARLIEST_BIRTH_YEAR or born > today:
        raise IdNumberError("birth_date", "the birth date is not plausible")
    return born
