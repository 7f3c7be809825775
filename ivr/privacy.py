"""Masking and keyed hashing of personal data (caller numbers, IDs).

Caller numbers never reach logs or call records in the clear: records keep
``mask_number`` (enough for a person to recognise a call) and ``hash_number``
(an HMAC-SHA256 under the service's secret key, so the same caller can be
matched across calls without storing the number). ``is_callable_number``
and ``national_number`` say which caller IDs are somebody's number at all,
and in which one form they are compared.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import TypeGuard

__all__ = ["hash_number", "is_callable_number", "mask_number", "national_number"]

COUNTRY_PREFIXES = ("+86", "0086")
"""China's country code as caller IDs carry it: dropped by ``national_number``."""
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def mask_number(number: str | None) -> str:
    """Return a number with all but its first three and last two digits hidden.

    Short numbers (internal extensions) keep only their last digit.

    >>> mask_number("13800000000")
    '138******00'
    """
    if not number:
        return ""
    if len(number) <= 4:
        return "*" * (len(number) - 1) + number[-1]
    if len(number) <= 7:
        return number[:1] + "*" * (len(number) - 3) + number[-2:]
    return number[:3] + "*" * (len(number) - 5) + number[-2:]


def is_callable_number(number: str | None) -> TypeGuard[str]:
    """Whether ``number`` is a real telephone number: digits only, not empty.

    A withheld caller ID arrives as ``"anonymous"``, ``"unknown"`` or
    nothing; two such callers are not the same person, so nothing keyed on
    the calling number (a recorded reply, a call-back) may treat them so.

    >>> is_callable_number("13800000000"), is_callable_number("anonymous")
    (True, False)
    """
    return number is not None and number.isascii() and number.isdigit()


def national_number(number: str | None) -> str | None:
    """The caller's number in China's national form, or ``None`` when withheld.

    Trunks deliver the same phone as ``13800000000``, ``+8613800000000``,
    ``008613800000000`` or ``8613800000000``; a backend keeps one form and
    the daily counters must see one caller, so the country code is dropped
    (a bare ``86`` only before 10 or more digits: no national number starts
    with 86, local numbers without their area code are at most 8 digits).
    A fixed line then gets back its trunk prefix ``0`` (``+86 10 1234 5678``
    is ``01012345678``); another country's ``+`` becomes ``00``; spaces and
    dashes are left out. Anything that is not then digits only
    (``anonymous``, empty) is ``None``.

    >>> national_number("+86 138-0000-0000"), national_number("861012345678")
    ('13800000000', '01012345678')
    """
    if number is None:
        return None
    digits = number.replace(" ", "").replace("-", "")
    rest = _without_country_code(digits)
    if rest is None:
        international = digits.startswith("+") and len(digits) > 1
        national = "00" + digits[1:] if international else digits
    elif rest and not _MOBILE.fullmatch(rest) and rest[:1] != "0":
        national = "0" + rest
    else:
        national = rest
    return national if is_callable_number(national) else None


def _without_country_code(digits: str) -> str | None:
    """``digits`` after China's country code, or ``None`` when it has none."""
    for prefix in COUNTRY_PREFIXES:
        if digits.startswith(prefix):
            return digits[len(prefix) :]
    if digits.startswith("86") and len(digits) >= 12:
        return digits[2:]
    return None


def hash_number(number: str | None, key: bytes) -> str:
    """Return the keyed hash (hex HMAC-SHA256) of a number, or ``""``."""
    if not number:
        return ""
    return hmac.new(key, number.encode("utf-8"), hashlib.sha256).hexdigest()
