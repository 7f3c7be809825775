"""The emulated peer's wire: reading actions, framing replies and events.

Written apart from :mod:`cti.ami.parser` on purpose: tests of the client
against the emulator must not share code with the client.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

__all__ = [
    "ALL_CLASSES",
    "EmulatedSession",
    "Pairs",
    "Request",
    "events_mask",
    "format_message",
    "read_request",
    "response",
]

Pairs = list[tuple[str, str]]

# The classes of manager.c's perms[] table.
ALL_CLASSES = frozenset(
    {"system", "call", "log", "verbose", "command", "agent", "user", "config"}
    | {"dtmf", "reporting", "cdr", "dialplan", "originate", "agi", "cc", "aoc"}
    | {"test", "security", "message"}
)


def format_message(pairs: Pairs) -> bytes:
    """Frame ``pairs`` as Asterisk does: ``Key: Value`` CRLF, then CRLF."""
    text = "".join(f"{key}: {value}\r\n" for key, value in pairs) + "\r\n"
    return text.encode()


@dataclass(slots=True)
class Request:
    """An action as the emulator received it: ordered pairs and raw bytes."""

    pairs: Pairs
    raw: bytes

    def get(self, name: str) -> str:
        """First value of ``name`` (any case), as manager.c astman_get_header."""
        wanted = name.lower()
        return next((v for k, v in self.pairs if k.lower() == wanted), "")

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name`` in order."""
        wanted = name.lower()
        return [v for k, v in self.pairs if k.lower() == wanted]

    @property
    def action(self) -> str:
        """The action name."""
        return self.get("Action")

    def id_pairs(self) -> Pairs:
        """``ActionID`` to echo, when the request had one."""
        action_id = self.get("ActionID")
        return [("ActionID", action_id)] if action_id else []


@dataclass(frozen=True, slots=True)
class EmulatedUser:
    """A manager.conf user: secret and read/write classes."""

    secret: str
    read: frozenset[str] = ALL_CLASSES
    write: frozenset[str] = ALL_CLASSES


@dataclass(eq=False, slots=True)
class EmulatedSession:
    """One client connection: its user once logged in and its Events mask."""

    writer: asyncio.StreamWriter
    user: EmulatedUser | None = None
    events: frozenset[str] = field(default_factory=frozenset)

    def send(self, data: bytes) -> None:
        """Write unless the connection is closing."""
        if not self.writer.is_closing():
            self.writer.write(data)


def response(request: Request, status: str, message: str | None) -> bytes:
    """A reply as manager.c astman_send_response_full frames it."""
    pairs: Pairs = [("Response", status), *request.id_pairs()]
    if message is not None:
        pairs.append(("Message", message))
    return format_message(pairs)


def events_mask(value: str) -> frozenset[str]:
    """Login's Events header: on, off, or a class list (manager.c set_eventmask)."""
    lowered = value.strip().lower()
    if lowered in {"", "on", "yes", "true", "all"}:
        return ALL_CLASSES
    if lowered in {"off", "no", "false", "0"}:
        return frozenset()
    return frozenset(part.strip() for part in lowered.split(","))


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one action up to its empty line; None at end of stream."""
    raw = bytearray()
    pairs: Pairs = []
    while line := await reader.readline():
        raw += line
        text = line.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
        if text:
            key, _, value = text.partition(":")
            pairs.append((key.strip(), value.lstrip(" ")))
        elif pairs:
            return Request(pairs, bytes(raw))
    return None
