"""What a command handler may use: the channel, the caller, prompts, time.

Shared by ``ivr.sim.media`` and ``ivr.sim.commands``. Also holds the C-style
number parsing res_agi.c relies on (``sscanf("%30d")`` and ``atoi``), because
which malformed arguments give ``520`` depends on it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, field

from .behaviour import CallerBehaviour
from .channel_model import ChannelModel
from .queued_keys import QueuedKeys

__all__ = [
    "SAMPLE_RATE",
    "CallContext",
    "PromptLibrary",
    "ShowUsage",
    "atoi",
    "scan_int",
]

SAMPLE_RATE = 8000
"""Samples per second of ``endpos`` offsets (8 kHz telephone audio)."""

_LEADING_INT = re.compile(r"\s*([+-]?\d+)")
_ALWAYS_PRESENT = frozenset({"beep"})


class ShowUsage(Exception):
    """A handler's ``RESULT_SHOWUSAGE``: the command is answered with ``520``."""


def scan_int(text: str) -> int | None:
    """``sscanf(text, "%30d")``: the leading integer, or ``None`` if there is none."""
    match = _LEADING_INT.match(text)
    return int(match.group(1)) if match else None


def atoi(text: str) -> int:
    """C ``atoi``: the leading integer, or 0."""
    value = scan_int(text)
    return 0 if value is None else value


@dataclass(frozen=True, slots=True)
class PromptLibrary:
    """Which sound files exist on the emulated Asterisk, and how long they last.

    ``known`` ``None`` means every file exists; otherwise a name not in it is
    missing (the core sound ``beep`` always exists). ``seconds`` gives a
    prompt's audio length, ``None`` for ``default_seconds``.
    """

    known: Container[str] | None = None
    seconds: Callable[[str], float | None] = field(default=lambda name: None)
    default_seconds: float = 3.0

    def exists(self, name: str) -> bool:
        """True when Asterisk could open ``name``."""
        return self.known is None or name in _ALWAYS_PRESENT or name in self.known

    def length(self, name: str) -> float:
        """The prompt's audio length in seconds."""
        found = self.seconds(name)
        return self.default_seconds if found is None else found


@dataclass(slots=True)
class CallContext:
    """The emulated call as handlers see it.

    ``spend`` advances call time (and, with a pace, waits in real time);
    ``send`` writes a line to the FastAGI peer at once (GOSUB's ``100``).
    """

    model: ChannelModel
    caller: CallerBehaviour
    prompts: PromptLibrary
    spend: Callable[[float], Awaitable[None]]
    send: Callable[[str], Awaitable[None]]
    prompt_count: int = 0
    digit_count: int = 0
    database: dict[tuple[str, str], str] = field(default_factory=dict)
    recordings: dict[str, float] = field(default_factory=dict)
    """Files ``RECORD FILE`` wrote on this call, with their seconds of audio:
    Asterisk can play them back (a caller listening to their message)."""
    queued: QueuedKeys = field(default_factory=QueuedKeys)
    """Keys pressed that no read took yet (see :mod:`ivr.sim.queued_keys`)."""

    def next_prompt_index(self) -> int:
        """Count one more prompt played and return its 1-based number."""
        self.prompt_count += 1
        return self.prompt_count

    def drop_queued(self) -> None:
        """Drop the queued keys, noting them as a ``keys dropped`` event."""
        dropped = self.queued.take()
        if dropped:
            self.model.record("keys", "dropped", dropped)

    def next_digit_index(self) -> int:
        """Count one more digit request and return its 1-based number."""
        self.digit_count += 1
        return self.digit_count
