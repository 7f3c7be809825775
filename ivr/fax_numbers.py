"""Which numbers a fax may be sent to: mainland fixed lines, nothing else.

A fax request makes the hotline dial a number the caller keyed, so a loose
rule is toll fraud waiting to happen: an international number (``00...``),
a premium or service line (``1xxxx`` such as 12333, ``95xxx``, ``400``
and ``800`` numbers) or a mobile (no fax machine answers one). Only a
mainland fixed line with its area code is taken: ``0``, a two-digit area
code (``10``, ``20``-``29``) or a three-digit one (``3xx``-``9xx``), then a
7- or 8-digit subscriber number starting with 2-8 (a leading 9 or 1 behind
an area code is a service number such as 010-95588 or 010-12333).

The IVR's fax node and the CTI's fax sender both ask
:func:`fax_number_refusal`, so a number refused on the phone is never
dialled either. ``area_codes`` (``tickets.fax_area_codes``) narrows the
rule to some area codes, written with their ``0`` as callers dial them.
"""

from __future__ import annotations

from collections.abc import Collection

__all__ = ["area_code", "fax_number_refusal", "is_area_code"]

_SUBSCRIBER_FIRST = "2345678"


def area_code(number: str) -> str:
    """The area code ``number`` starts with (``010``, ``0755``), or ``""``."""
    if len(number) < 3 or number[0] != "0" or not number[:4].isdigit():
        return ""
    if number[1] == "1":
        return "010" if number[2] == "0" else ""
    if number[1] == "2":
        return number[:3]
    return number[:4] if number[1] != "0" and len(number) >= 4 else ""


def is_area_code(code: str) -> bool:
    """True when ``code`` is a whole mainland area code with its ``0``."""
    return bool(code) and area_code(code) == code


def fax_number_refusal(number: str, area_codes: Collection[str] = ()) -> str:
    """Why ``number`` may not be faxed to, or ``""`` when it may.

    ``area_codes`` empty means any mainland area code.
    """
    if not (number.isascii() and number.isdigit()):
        return "the fax number is not all digits"
    if number.startswith("00"):
        return "the fax number is international"
    code = area_code(number)
    if not code:
        return "the fax number is no fixed line with an area code"
    subscriber = number[len(code) :]
    if not 7 <= len(subscriber) <= 8 or subscriber[0] not in _SUBSCRIBER_FIRST:
        return "the fax number is no fixed line after its area code"
    if area_codes and code not in area_codes:
        return f"area code {code} is not among tickets.fax_area_codes"
    return ""
