"""AMI messages as parsed from the wire: events, replies and the banner.

Headers are an ordered multi-map: AMI repeats keys (``Output`` in Command
replies, ``ChanVariable`` and ``DestChanVariable`` in channel events,
``ChanVariable(<chan>)`` on Asterisk 11, field case F19), so a dict would
lose data. Each header keeps its raw bytes beside the decoded text (F21).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "Banner",
    "Header",
    "Message",
    "MessageKind",
    "split_variable",
]

# Asterisk writes these as the value of an unknown Uniqueid or caller ID
# (main/manager.c fast_originate; '<null>' on releases before 1.8).
ABSENT_VALUES = frozenset({"<null>", "<unknown>"})


class MessageKind(enum.Enum):
    """What a message is: an event, a reply to an action, or neither."""

    EVENT = "event"
    RESPONSE = "response"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Banner:
    """The greeting line, ``Asterisk Call Manager/11.0.0`` on Asterisk 22.

    The version is AMI's own (include/asterisk/manager.h AMI_VERSION), not
    Asterisk's release number.
    """

    version: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class Header:
    """One ``Key: Value`` line; ``raw`` is the value's bytes as received."""

    name: str
    value: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class Message:
    """One AMI message: ordered headers, colon-less lines, and its raw bytes.

    ``extra`` keeps lines without ``:`` in order (Asterisk 11 UserEvent
    bodies, F31) and, for the legacy ``Response: Follows`` form, the command
    output lines. Lookups by name ignore case, as manager.c's do.
    """

    headers: tuple[Header, ...]
    extra: tuple[str, ...] = ()
    raw: bytes = b""
    _index: dict[str, tuple[int, ...]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index: dict[str, list[int]] = {}
        for position, header in enumerate(self.headers):
            index.setdefault(header.name.lower(), []).append(position)
        frozen = {name: tuple(spots) for name, spots in index.items()}
        object.__setattr__(self, "_index", frozen)

    def get(self, name: str, default: str = "") -> str:
        """Return the first value of ``name`` (any case), or ``default``."""
        spots = self._index.get(name.lower())
        return self.headers[spots[0]].value if spots else default

    def get_all(self, name: str) -> list[str]:
        """Return every value of ``name`` in wire order."""
        return [self.headers[i].value for i in self._index.get(name.lower(), ())]

    def header(self, name: str) -> Header | None:
        """Return the first :class:`Header` named ``name``, with its raw bytes."""
        spots = self._index.get(name.lower())
        return self.headers[spots[0]] if spots else None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def __iter__(self) -> Iterator[Header]:
        return iter(self.headers)

    @property
    def kind(self) -> MessageKind:
        """Event if it has ``Event:`` whatever else it has (F22), then reply."""
        if "event" in self._index:
            return MessageKind.EVENT
        if "response" in self._index:
            return MessageKind.RESPONSE
        return MessageKind.UNKNOWN

    @property
    def is_event(self) -> bool:
        """True for events, including OriginateResponse (F22)."""
        return self.kind is MessageKind.EVENT

    @property
    def is_response(self) -> bool:
        """True for replies to actions."""
        return self.kind is MessageKind.RESPONSE

    @property
    def name(self) -> str:
        """The event name, or the reply status (``Success``, ``Error``...)."""
        return self.get("Event") if self.is_event else self.get("Response")

    @property
    def action_id(self) -> str | None:
        """The ``ActionID`` header, or None when Asterisk could not echo it."""
        value = self.get("ActionID")
        return value or None

    @property
    def succeeded(self) -> bool:
        """True for a reply other than ``Error`` (Success, Follows, Goodbye)."""
        return self.is_response and self.get("Response").lower() != "error"

    @property
    def list_start(self) -> bool:
        """True for a reply that opens an EventList (``EventList: start``)."""
        return self.is_response and self.get("EventList").lower() == "start"

    @property
    def list_complete(self) -> bool:
        """True for the event that closes an EventList (``...Complete``)."""
        if not self.is_event:
            return False
        marker = self.get("EventList").lower()
        return marker in {"complete", "cancelled"} or self.name.endswith("Complete")

    def optional(self, name: str) -> str | None:
        """Return a value, with empty, ``<null>`` and ``<unknown>`` as None."""
        value = self.get(name)
        return None if not value or value in ABSENT_VALUES else value

    def command_output(self) -> str:
        """Return a Command reply's output, joined with newlines (F17, F18).

        Asterisk 14+ repeats ``Output:`` (main/manager.c action_command);
        older releases send ``Response: Follows`` and raw lines, kept in
        ``extra``.
        """
        outputs = self.get_all("Output")
        return "\n".join(outputs if outputs else self.extra)

    def variables(self, header: str = "ChanVariable") -> dict[str, str]:
        """Return ``k=v`` values of a repeated header as a dict (F19).

        ``header`` is ``ChanVariable`` or ``DestChanVariable`` (12+ role
        prefixes), or ``ChanVariable(<chan>)`` on Asterisk 11.
        """
        pairs = (split_variable(value) for value in self.get_all(header))
        return dict(pairs)

    def variables_by_channel(self) -> dict[str, dict[str, str]]:
        """Return Asterisk 11 ``ChanVariable(<chan>)`` values per channel."""
        result: dict[str, dict[str, str]] = {}
        for header in self.headers:
            if header.name.startswith("ChanVariable(") and header.name[-1] == ")":
                channel = header.name[len("ChanVariable(") : -1]
                key, value = split_variable(header.value)
                result.setdefault(channel, {})[key] = value
        return result


def split_variable(text: str) -> tuple[str, str]:
    """Split ``k=v`` at the first ``=``; the value may be empty or hold ``=``."""
    key, _, value = text.partition("=")
    return key, value
