"""The channel interface: what the flow engine may do to a call.

The flow interpreter (``ivr.flow``) talks only to this interface. The AGI
adapter (``ivr.agi.channel``), the simulated caller's in-process channel and
the tests' fake channels implement it, so the flow never touches a socket.

Every coroutine raises :class:`CallerHungUp` once the caller has gone; after
that only :meth:`Channel.get_variable`, :meth:`Channel.set_variable` and
:meth:`Channel.hangup` may still be used (they must not raise it), which
mirrors what Asterisk allows on a dead channel (``511`` for the rest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "CallInfo",
    "CallerHungUp",
    "Channel",
    "ChannelError",
    "CollectResult",
    "PlayResult",
    "QueueResult",
    "RecordResult",
]


class ChannelError(Exception):
    """The channel could not do what was asked (not a hang-up)."""


class CallerHungUp(ChannelError):
    """The caller hung up; the call can no longer play or collect anything."""


@dataclass(frozen=True, slots=True)
class CallInfo:
    """What is known about a call when it reaches the service.

    ``caller`` is the full calling number as Asterisk gave it, or ``None``
    when unknown; it is personal data and must never be logged in the clear
    (use ``ivr.privacy``). ``args`` are the AGI arguments by number
    (``agi_arg_1`` is ``args[1]``); empty arguments are kept as ``""``.
    """

    uniqueid: str
    channel: str
    caller: str | None = None
    caller_name: str | None = None
    dnid: str | None = None
    extension: str = ""
    context: str = ""
    language: str = "zh"
    script: str = ""
    args: Mapping[int, str] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlayResult:
    """The outcome of playing one or more prompts.

    ``digit`` is the key that interrupted playback (barge-in), or ``None`` when
    every prompt played to its end. ``missing`` lists prompts the channel could
    not play although the caller is still there (Asterisk answers
    ``result=-1 endpos=0`` on a live channel for a missing file).
    """

    digit: str | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CollectResult:
    """Digits collected from the caller.

    ``timed_out`` is true when collection ended on a timeout rather than on
    ``#`` or on reaching the maximum count: ``("", True)`` is no input at all,
    ``("12", True)`` is two digits then silence.
    """

    digits: str
    timed_out: bool
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RecordResult:
    """The outcome of recording the caller.

    ``ended_by`` is ``"dtmf"`` (with ``digit``), ``"silence"``, ``"timeout"``
    or ``"hangup"``; ``duration`` is in seconds where known.
    """

    path: str
    ended_by: str
    digit: str | None = None
    duration: float | None = None


@dataclass(frozen=True, slots=True)
class QueueResult:
    """What Asterisk's Queue application reported when it returned.

    ``status`` is ``QUEUESTATUS`` verbatim (``TIMEOUT``, ``FULL``,
    ``JOINEMPTY``, ``LEAVEEMPTY``, ``JOINUNAVAIL``, ``LEAVEUNAVAIL``,
    ``CONTINUE``), or ``""`` when unset. ``answered`` is true when an agent
    took the call (``ANSWEREDTIME`` set).
    """

    queue: str
    status: str
    answered: bool = False
    member: str | None = None
    answered_time: float | None = None
    hold_time: float | None = None


class Channel(Protocol):
    """One live call, as the flow engine sees it."""

    @property
    def info(self) -> CallInfo:
        """The call's identity and the AGI environment it arrived with."""
        ...

    @property
    def hung_up(self) -> bool:
        """True once the caller has gone."""
        ...

    async def answer(self) -> None:
        """Answer the call (no-op when already answered)."""
        ...

    async def play(
        self, prompts: Sequence[str], *, escape_digits: str = ""
    ) -> PlayResult:
        """Play prompts in order; stop at the first escape digit pressed."""
        ...

    async def collect(
        self,
        prompts: Sequence[str],
        *,
        max_digits: int,
        first_timeout: float,
        inter_digit_timeout: float | None = None,
        terminators: str = "#",
    ) -> CollectResult:
        """Play prompts with barge-in, then collect up to ``max_digits`` keys.

        With ``inter_digit_timeout`` unset the same timeout applies to the first
        and later digits (one ``GET DATA``); otherwise the channel plays with
        ``STREAM FILE`` and collects with ``WAIT FOR DIGIT``.
        """
        ...

    async def record(
        self,
        path: str,
        *,
        fmt: str = "wav",
        max_seconds: float,
        silence_seconds: float | None = None,
        escape_digits: str = "#",
        beep: bool = True,
    ) -> RecordResult:
        """Record the caller to ``path`` (without extension)."""
        ...

    async def get_variable(self, name: str) -> str | None:
        """Read a channel variable; ``None`` when it is not set."""
        ...

    async def set_variable(self, name: str, value: str) -> None:
        """Set a channel variable."""
        ...

    async def queue(
        self,
        queue: str,
        *,
        timeout: float,
        options: str = "",
        announce: str = "",
        agi: str = "",
    ) -> QueueResult:
        """Run Asterisk's Queue with continue (``c``) and read how it ended.

        ``agi``, when set, is Queue's AGI argument: an AGI that Asterisk runs
        on the caller's channel once an agent answers, before the bridge.
        """
        ...

    async def hangup(self) -> None:
        """Hang up the call; safe to call on a dead channel."""
        ...
