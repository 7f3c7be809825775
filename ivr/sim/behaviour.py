"""What the emulated caller does: the questions the emulator asks, the answers.

The emulator (``ivr.sim.emulator``) plays Asterisk; a :class:`CallerBehaviour`
plays the person on the phone. Whenever Asterisk would have to wait for the
caller (a prompt playing, digits wanted, a recording, a queue), the emulator
asks the behaviour and turns the answer into the reply res_agi.c would send.
``ivr.sim.script`` has the scripted and the keyboard-driven behaviours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = [
    "CallerBehaviour",
    "DigitRequest",
    "KeyAnswer",
    "PromptAnswer",
    "PromptRequest",
    "QueueOutcome",
    "QueueRequest",
    "RecordOutcome",
    "RecordRequest",
]

DigitCommand = Literal["GET DATA", "WAIT FOR DIGIT", "GET OPTION"]
RecordEnd = Literal["dtmf", "silence", "timeout", "hangup", "beep-key", "beep-hangup"]


@dataclass(frozen=True, slots=True)
class PromptRequest:
    """A prompt starts playing (``STREAM FILE``, ``GET OPTION``, ``SAY ...``).

    ``index`` counts the prompts played on this call, from 1; ``seconds`` is
    the prompt's audio length; ``escape_digits`` are the keys that stop it.
    """

    name: str
    escape_digits: str
    seconds: float
    index: int


@dataclass(frozen=True, slots=True)
class PromptAnswer:
    """What the caller does while a prompt plays.

    ``key`` is pressed ``after`` seconds into the prompt (a key that is not an
    escape digit is ignored, as Asterisk does); ``hang_up`` ends the call at
    that point. The default lets the prompt play to its end.
    """

    key: str | None = None
    after: float | None = None
    hang_up: bool = False


@dataclass(frozen=True, slots=True)
class DigitRequest:
    """Asterisk waits for keys (``GET DATA``, ``WAIT FOR DIGIT``, ``GET OPTION``).

    ``prompt`` is the file ``GET DATA`` plays first (with any-key barge-in),
    ``max_digits`` is 1 for ``WAIT FOR DIGIT``; ``timeout_ms`` as sent
    (``-1`` waits for ever). ``index`` counts digit requests from 1.
    ``first_key_ms`` is how long Asterisk waits for the first key (``GET
    DATA 0`` waits 6000 ms; below 0 for ever): the emulator gives the caller
    that long in real time, then takes the request as timed out.
    """

    command: DigitCommand
    prompt: str | None
    max_digits: int
    timeout_ms: int
    index: int
    first_key_ms: int = -1


@dataclass(frozen=True, slots=True)
class KeyAnswer:
    """The caller's keys for one digit request.

    ``digits`` are pressed one after another (``""`` is no input, so the
    request times out); ``hang_up`` hangs up after them. ``pause`` is the
    caller's think time before each key, in seconds of call time.
    """

    digits: str = ""
    hang_up: bool = False
    pause: float = 1.0


@dataclass(frozen=True, slots=True)
class RecordRequest:
    """``RECORD FILE``: what the service asked for."""

    path: str
    fmt: str
    escape_digits: str
    max_ms: int
    silence_ms: int
    beep: bool


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """How a recording ends.

    ``ended_by``: ``dtmf`` (``digit`` pressed), ``silence``, ``timeout``,
    ``hangup``; ``beep-key`` / ``beep-hangup`` happen while the beep still
    plays (res_agi.c's ``(randomerror)`` reply). ``seconds`` is the audio
    recorded before the end; ``0`` gives ``endpos=0`` as a Local channel does.
    """

    ended_by: RecordEnd = "dtmf"
    digit: str = "#"
    seconds: float = 5.0


@dataclass(frozen=True, slots=True)
class QueueRequest:
    """``EXEC Queue queue,options,URL,announce,timeout``, split as app_queue does."""

    queue: str
    options: str
    timeout: float | None


@dataclass(frozen=True, slots=True)
class QueueOutcome:
    """How the queue treats the caller.

    With ``answered_after`` set, ``member`` answers after that many seconds
    and talks ``talk_seconds``; otherwise the caller leaves with
    ``status`` as QUEUESTATUS (``TIMEOUT``, ``LEAVEEMPTY``, or a join failure:
    ``JOINEMPTY``, ``JOINUNAVAIL``, ``FULL``). ``members_ring`` says, for a
    caller who waits in vain, that free members rang and nobody picked up
    (RINGNOANSWER) rather than that no member was free; QUEUESTATUS is the
    same. ``caller_hangs_up`` makes the caller hang up in the queue (or while
    talking). ``set_interface_vars`` mirrors queues.conf
    ``setinterfacevar=yes`` (MEMBERNAME and friends).
    """

    answered_after: float | None = 5.0
    talk_seconds: float = 4.0
    member: str = "Agent 1001"
    interface: str = "Local/1001@agents"
    status: str = "TIMEOUT"
    caller_hangs_up: bool = False
    set_interface_vars: bool = False
    members_ring: bool = False


class CallerBehaviour(Protocol):
    """The person on the phone, as the emulator asks about them."""

    def hangs_up_before_start(self) -> bool:
        """True when the caller is gone before the first command arrives."""
        ...

    async def on_prompt(self, request: PromptRequest) -> PromptAnswer:
        """Decide what to do while a prompt plays."""
        ...

    async def on_digits(self, request: DigitRequest) -> KeyAnswer:
        """Decide which keys (if any) answer a digit request."""
        ...

    async def on_record(self, request: RecordRequest) -> RecordOutcome:
        """Decide how a recording ends."""
        ...

    async def on_queue(self, request: QueueRequest) -> QueueOutcome:
        """Decide how the queue goes."""
        ...

    def hangs_up_after(self, index: int, command: str) -> bool:
        """True to hang up once command number ``index`` has been answered."""
        ...
