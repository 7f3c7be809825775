"""Read the ticket nodes of ``menus.yaml``: message, complaint, status, fax.

:data:`TICKET_KINDS`, :data:`TICKET_REQUIRED` and :data:`TICKET_BUILDERS`
are merged into the tables of :mod:`ivr.flow.nodes_reader`. Each reader
fills in ``settings.defaults`` (timeout, retries, re-prompts, closing) and
registers the fixed prompts its node plays (:mod:`ivr.flow.ticket_model`)
at the node's id, so a catalog without them fails ``ivr check`` there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from ivr.flow.model import HolidayPrompts, Node, Settings
from ivr.flow.problems import Reader
from ivr.flow.ticket_model import (
    FAX_PROMPTS,
    RECORDING_PROMPTS,
    STATUS_PROMPTS,
    ComplaintNode,
    FaxNode,
    MessageNode,
    RecordingPart,
    TicketStatusNode,
)
from ivr.flow.yamlpos import PMap, Position, PScalar

__all__ = ["TICKET_BUILDERS", "TICKET_KINDS", "TICKET_REQUIRED"]

MESSAGE_SECONDS = 120.0
"""Longest voice message (and complaint matter) by default, in seconds."""
MAX_RECORD_SECONDS = 600.0
"""The most ``max_seconds`` may be: ten minutes is more than any message
needs, and a typo such as 100000 would let a line be held open for a day."""
NAME_SECONDS = 15.0
"""Longest recording of a complaint's name by default."""
MIN_SECONDS = 2.0
"""Shortest take worth keeping by default: less is a cough or a click."""
SILENCE_SECONDS = 5.0
"""Seconds of silence that end a recording by default."""

_ASKING = ("prompts", "timeout", "retries", "next", "on_fail")
_RECORDING = ("area", "max_seconds", "min_seconds", "silence_seconds", "closing")

TICKET_KINDS: dict[str, tuple[str, ...]] = {
    "message": (*_ASKING, *_RECORDING),
    "complaint": (*_ASKING, *_RECORDING, "name_seconds"),
    "ticket_status": _ASKING,
    "fax": (*_ASKING, "closing"),
}
"""The ticket node kinds and the settings each accepts (besides ``kind``)."""

TICKET_REQUIRED: dict[str, tuple[str, ...]] = {
    "message": ("prompts", "on_fail"),
    "complaint": ("prompts", "on_fail"),
    "ticket_status": ("next", "on_fail"),
    "fax": ("on_fail",),
}

_Build = Callable[[Reader, str, PScalar, PMap, Settings], Node | None]


class _TicketNodeFields(TypedDict):
    """The settings every ticket node has (see ``ticket_model.TicketNode``)."""

    id: str
    pos: Position
    prompts: tuple[str, ...]
    timeout: float
    retries: int
    no_input: tuple[str, ...]
    invalid: tuple[str, ...]
    next: str
    on_fail: str


def _asking(
    reader: Reader, key: PScalar, body: PMap, settings: Settings
) -> _TicketNodeFields:
    base = settings.defaults
    retries = reader.integer(body.get("retries"), "retries")
    return {
        "id": key.value,
        "pos": key.pos,
        "prompts": reader.prompts(body.get("prompts"), "prompts") or (),
        "timeout": reader.number(body.get("timeout"), "timeout", low=1) or base.timeout,
        "retries": base.retries if retries is None else retries,
        "no_input": base.no_input,
        "invalid": base.invalid,
        "next": reader.target(body.get("next"), "next") or "",
        "on_fail": reader.target(body.get("on_fail"), "on_fail") or "",
    }


def _message(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    limits = _limits(reader, body)
    message = RecordingPart("message", (), "message-review", *limits)
    return MessageNode(
        **_asking(reader, key, body, settings),
        **_recording(reader, body, settings),
        parts=(message,),
    )


def _complaint(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    matter_seconds, min_seconds = _limits(reader, body)
    name_seconds = reader.number(body.get("name_seconds"), "name_seconds", low=1)
    name = RecordingPart(
        "name",
        ("complaint-name",),
        "complaint-name-review",
        name_seconds or NAME_SECONDS,
        min(min_seconds, MIN_SECONDS),
    )
    matter = RecordingPart(
        "matter", ("complaint-matter",), "message-review", matter_seconds, min_seconds
    )
    return ComplaintNode(
        **_asking(reader, key, body, settings),
        **_recording(reader, body, settings),
        parts=(name, matter),
    )


def _limits(reader: Reader, body: PMap) -> tuple[float, float]:
    """``max_seconds`` and ``min_seconds``, the second below the first."""
    longest = reader.number(
        body.get("max_seconds"), "max_seconds", low=5, high=MAX_RECORD_SECONDS
    )
    shortest = reader.number(body.get("min_seconds"), "min_seconds", high=60)
    longest = longest or MESSAGE_SECONDS
    shortest = MIN_SECONDS if shortest is None else shortest
    if shortest >= longest:
        where = body.get("min_seconds")
        assert where is not None
        reader.error(where.pos, "min_seconds must be less than max_seconds")
    return longest, shortest


class _RecordingFields(TypedDict):
    """The settings of a node that records (message, complaint)."""

    area: str
    silence_seconds: float
    closing: tuple[str, ...]
    holiday_closing: HolidayPrompts


def _recording(reader: Reader, body: PMap, settings: Settings) -> _RecordingFields:
    silence = reader.number(
        body.get("silence_seconds"), "silence_seconds", low=1, high=60
    )
    closing = _closing(reader, body, settings)
    return {
        "area": reader.text(body.get("area"), "area") or "",
        "silence_seconds": silence or SILENCE_SECONDS,
        "closing": closing[0],
        "holiday_closing": closing[1],
    }


def _closing(
    reader: Reader, body: PMap, settings: Settings
) -> tuple[tuple[str, ...], HolidayPrompts]:
    """The closing the node ends a call with (``closing: no`` for none)."""
    wanted = reader.flag(body.get("closing"), "closing")
    if wanted is False:
        return (), {}
    return settings.defaults.closing, settings.defaults.holiday_closing


def _ticket_status(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    return TicketStatusNode(**_asking(reader, key, body, settings))


def _fax(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    closing, holiday_closing = _closing(reader, body, settings)
    return FaxNode(
        **_asking(reader, key, body, settings),
        closing=closing,
        holiday_closing=holiday_closing,
    )


def _with_fixed_prompts(build: _Build, prompts: tuple[str, ...]) -> _Build:
    """``build``, also naming the fixed ``prompts`` its node plays."""

    def read(
        reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
    ) -> Node | None:
        reader.prompt_refs.extend((prompt, key.pos) for prompt in prompts)
        return build(reader, what, key, body, settings)

    return read


TICKET_BUILDERS: dict[str, _Build] = {
    "message": _with_fixed_prompts(_message, RECORDING_PROMPTS),
    "complaint": _with_fixed_prompts(_complaint, RECORDING_PROMPTS),
    "ticket_status": _with_fixed_prompts(_ticket_status, STATUS_PROMPTS),
    "fax": _with_fixed_prompts(_fax, FAX_PROMPTS),
}
"""The reader of each ticket node kind."""
