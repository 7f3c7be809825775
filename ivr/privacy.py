"""Masking and keyed hashing of personal data (caller numbers, IDs).

Caller numbers never reach logs or call records in the clear: records keep
``mask_number`` (enough for a person to recognise a call) and ``hash_number``
(an HMAC-SHA256 under the service's secret key, so the same caller can be
matched across calls without storing the number).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TypeGuard

__all__ = ["hash_number", "is_callable_number", "mask_number"]


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


def hash_number(number: str | None, key: bytes) -> str:
    """Return the keyed hash (hex HMAC-SHA256) of a number, or ``""``."""
    if not number:
        return ""
    return hmac.new(key, number.encode("utf-8"), hashlib.sha256).hexdigest()
