"""Read the fields of a backend's answer aloud, as a query node's ``say`` says.

Each :class:`~ivr.flow.query_model.SpokenField` names how its value is
read: money, a count with its unit, a date or a month, digits one by one
(with :mod:`ivr.speech` pieces), or a value from a fixed list with its own
recorded prompt. A value that cannot be read that way gives ``None``: the
query node skips it and logs the field's name, never the value.

The call record never spells a value out: :func:`noted_field` gives what it
keeps instead, the field's fixed prompts around a placeholder naming how the
value was read (``<money>``, ``<count>``, ``<date>``, ``<month>``,
``<digits>``, ``<text>``). Months paid, a pension amount or a payment date
are personal data, even beside a masked ID number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ivr.flow.query_model import SpokenField
from ivr.speech import (
    SpeechError,
    speak_count,
    speak_date,
    speak_digits,
    speak_money,
    speak_number,
)

__all__ = ["noted_field", "speak_field"]


def speak_field(item: SpokenField, value: Any) -> list[str] | None:
    """The prompt ids reading ``value`` as ``item`` says, or ``None``."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return _READ[item.kind](item, value)
    except (SpeechError, ValueError, TypeError, KeyError, InvalidOperation):
        return None


def noted_field(item: SpokenField) -> list[str]:
    """What the call record keeps of ``item`` read aloud: no value, a placeholder."""
    return [*item.before, f"<{item.kind}>", *item.after]


def _month(value: Any) -> list[str]:
    year, month = (int(part) for part in str(value).split("-")[:2])
    if not 1 <= month <= 12:
        raise ValueError("not a month")
    year_ids = ["num-0" if d == "0" else f"num-{d}" for d in f"{year:04d}"]
    return [*year_ids, "date-nian", *speak_number(month), "date-yue"]


def _text(item: SpokenField, value: Any) -> list[str]:
    return [item.values[str(value)]]


_READ: dict[str, Callable[[SpokenField, Any], list[str]]] = {
    "money": lambda item, value: speak_money(Decimal(str(value))),
    "count": lambda item, value: speak_count(int(value), item.unit),
    "date": lambda item, value: speak_date(date.fromisoformat(str(value))),
    "month": lambda item, value: _month(value),
    "digits": lambda item, value: speak_digits(str(value)),
    "text": _text,
}
