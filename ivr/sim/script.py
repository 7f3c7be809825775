"""Callers that press keys from a script or from the keyboard.

A *token* is what the caller does for one request for digits:

* a key string such as ``1`` or ``23#``: pressed one key after another;
* ``_``: no input (the request times out);
* ``!``: hang up there;
* ``rec<N>`` plus an ending, for a ``RECORD FILE``: speak ``N`` seconds,
  then ``#`` (``rec5#``), hang up (``rec5!``), fall silent until the
  silence limit ends it (``rec5_``) or nothing, so the time limit does
  (``rec5``). A recording with no such token next ends as configured
  (by default ``#`` after five seconds); a ``rec`` token where keys are
  wanted is no input.

``GET DATA`` and ``WAIT FOR DIGIT`` are answered with a whole token. The
emulator takes the keys the command reads and keeps the rest on the channel,
as Asterisk does (:mod:`ivr.sim.queued_keys`): the following ``WAIT FOR
DIGIT`` commands read them one each, a ``GET DATA`` reads them first, a
prompt without escape digits drops them. Once they are used up, the next
``WAIT FOR DIGIT`` of the same collection times out, ending it. When the
tokens run out the caller gives no input at all, so the flow's no-input
handling ends the call.
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable
from typing import TextIO

from .behaviour import (
    DigitRequest,
    KeyAnswer,
    PromptAnswer,
    PromptRequest,
    QueueOutcome,
    QueueRequest,
    RecordEnd,
    RecordOutcome,
    RecordRequest,
)
from .errors import CallerScriptError
from .keyboard import Keyboard

__all__ = ["InteractiveCaller", "ScriptedCaller", "parse_tokens", "record_outcome"]

_KEYS = re.compile(r"[0-9*#]+")
_RECORDING = re.compile(r"rec(?P<seconds>\d+(?:\.\d+)?)(?P<end>[#!_]?)")
_RECORD_ENDS: dict[str, RecordEnd] = {
    "#": "dtmf",
    "!": "hangup",
    "_": "silence",
    "": "timeout",
}
_COLLECTING = frozenset({"WAIT FOR DIGIT", "STREAM FILE", "GET OPTION"})


def parse_tokens(script: str | Iterable[str]) -> list[str]:
    """Split and check a key script such as ``"1 23# _ !"``."""
    tokens = script.split() if isinstance(script, str) else list(script)
    for token in tokens:
        if token not in ("_", "!") and not _KEYS.fullmatch(token):
            if not _RECORDING.fullmatch(token):
                raise CallerScriptError(f"bad key token {token!r}", token)
    return tokens


def record_outcome(token: str) -> RecordOutcome | None:
    """The recording a ``rec`` token describes, or ``None`` for another token."""
    match = _RECORDING.fullmatch(token)
    if match is None:
        return None
    seconds = float(match.group("seconds"))
    return RecordOutcome(_RECORD_ENDS[match.group("end")], "#", seconds)


def _command_name(line: str) -> str:
    words = line.upper().split()
    for size in (3, 2, 1):
        name = " ".join(words[:size])
        if name in _COLLECTING or size == 1:
            return name
    return ""


class _TokenCaller(ABC):
    """Turns a stream of tokens into answers to the emulator's questions."""

    def __init__(
        self,
        *,
        record: RecordOutcome | None = None,
        queue: QueueOutcome | None = None,
        pause: float = 1.0,
    ) -> None:
        self.record = record or RecordOutcome()
        self.queue = queue or QueueOutcome()
        self.pause = pause
        self._open: str | None = None

    @abstractmethod
    async def next_token(self) -> str | None:
        """The caller's next token, or ``None`` when there are no more."""

    def hangs_up_before_start(self) -> bool:
        """Scripted callers are there when the call starts unless told."""
        return False

    async def on_prompt(self, request: PromptRequest) -> PromptAnswer:
        """Listen to the whole prompt."""
        return PromptAnswer()

    async def on_digits(self, request: DigitRequest) -> KeyAnswer:
        """Answer from the open token or the next one."""
        if request.command == "GET DATA":
            return await self._whole_token()
        return await self._one_key()

    async def _whole_token(self) -> KeyAnswer:
        if self._open:
            keys, self._open = self._open, None
            return KeyAnswer(keys, pause=self.pause)
        self._open = None
        return self._answer(await self.next_token())

    async def _one_key(self) -> KeyAnswer:
        if self._open == "":
            self._open = None
            return KeyAnswer(pause=self.pause)
        if self._open is None:
            token = await self.next_token()
            if token is None or not _KEYS.fullmatch(token):
                return self._answer(token)
            self._open = token
        keys, self._open = self._open, ""
        return KeyAnswer(keys, pause=self.pause)

    def _answer(self, token: str | None) -> KeyAnswer:
        if token == "!":
            return KeyAnswer(hang_up=True, pause=self.pause)
        if token is None or token == "_" or record_outcome(token):
            return KeyAnswer(pause=self.pause)
        return KeyAnswer(token, pause=self.pause)

    async def record_token(self, request: RecordRequest) -> str | None:
        """The caller's ``rec`` token for this recording, ``None`` for none."""
        return None

    async def on_record(self, request: RecordRequest) -> RecordOutcome:
        """End the recording as the caller's ``rec`` token says, else as set."""
        token = await self.record_token(request)
        found = record_outcome(token) if token else None
        return found or self.record

    async def on_queue(self, request: QueueRequest) -> QueueOutcome:
        """Every queue goes the same configured way."""
        return self.queue

    def hangs_up_after(self, index: int, command: str) -> bool:
        """Close a used-up token once the collection it fed is over."""
        name = _command_name(command)
        if self._open == "" and name != "WAIT FOR DIGIT":
            self._open = None
        elif self._open and name not in _COLLECTING:
            self._open = None
        return False


class ScriptedCaller(_TokenCaller):
    """A caller driven by key tokens, for the CLI's ``--keys`` and for tests.

    Options for tests: ``barge_in`` presses a token's first key during a
    prompt that accepts it (``barge_after`` seconds in); ``hangup_during_prompt``
    hangs up while the Nth prompt plays; ``hangup_before_start`` is gone before
    the first command (as fastagi-hangup-before-answer.jsonl);
    ``hangup_after_command`` hangs up once the Nth command has been answered.
    """

    def __init__(
        self,
        keys: str | Iterable[str] = "",
        *,
        barge_in: bool = False,
        barge_after: float | None = None,
        hangup_before_start: bool = False,
        hangup_during_prompt: int | None = None,
        hangup_after_command: int | None = None,
        record: RecordOutcome | None = None,
        queue: QueueOutcome | None = None,
        pause: float = 1.0,
    ) -> None:
        super().__init__(record=record, queue=queue, pause=pause)
        self.tokens = deque(parse_tokens(keys))
        self.barge_in = barge_in
        self.barge_after = barge_after
        self.hangup_before_start = hangup_before_start
        self.hangup_during_prompt = hangup_during_prompt
        self.hangup_after_command = hangup_after_command

    async def next_token(self) -> str | None:
        """Pop the next scripted token."""
        return self.tokens.popleft() if self.tokens else None

    async def record_token(self, request: RecordRequest) -> str | None:
        """Pop the next token if it is a ``rec`` token."""
        if self.tokens and record_outcome(self.tokens[0]):
            return self.tokens.popleft()
        return None

    def hangs_up_before_start(self) -> bool:
        """As configured."""
        return self.hangup_before_start

    async def on_prompt(self, request: PromptRequest) -> PromptAnswer:
        """Hang up or barge in when configured to, else listen to the end."""
        if request.index == self.hangup_during_prompt:
            return PromptAnswer(hang_up=True, after=self.barge_after)
        if not (self.barge_in and request.escape_digits and self._open is None):
            return PromptAnswer()
        token = self.tokens[0] if self.tokens else ""
        if not _KEYS.fullmatch(token) or token[0] not in request.escape_digits:
            return PromptAnswer()
        self.tokens.popleft()
        self._open = token[1:]
        return PromptAnswer(key=token[0], after=self.barge_after)

    def hangs_up_after(self, index: int, command: str) -> bool:
        """Hang up after the configured command, keep tokens in step."""
        super().hangs_up_after(index, command)
        return index == self.hangup_after_command


class InteractiveCaller(_TokenCaller):
    """A caller typing keys at the terminal, in real time.

    Each request for digits reads one line: keys (``1``, ``23#``), an empty
    line for no input, ``!`` or end-of-file to hang up. The request's own
    timeout applies (the emulator ends the wait): a line not finished within
    it is no input, as on a phone. A line finished while no request waits is
    dropped with a note (see :mod:`ivr.sim.keyboard`); one typed while the
    next request waits answers that request. Call :meth:`close` at the end.
    """

    def __init__(
        self,
        keyboard: TextIO,
        out: TextIO,
        *,
        queue: QueueOutcome | None = None,
        pause: float = 1.0,
    ) -> None:
        super().__init__(queue=queue, pause=pause)
        self.keyboard = Keyboard(keyboard, self._late)
        self.out = out
        self._request: DigitRequest | None = None

    async def on_digits(self, request: DigitRequest) -> KeyAnswer:
        """Remember the request (for its time limit), then read the keyboard."""
        self._request = request
        return await super().on_digits(request)

    async def next_token(self) -> str | None:
        """Ask the person for their keys."""
        while True:
            self._write(self._invitation())
            try:
                line = await self.keyboard.read_line()
            except asyncio.CancelledError:
                # The request timed out or the service closed the call.
                self._write("\n")
                raise
            if not line:
                return "!"
            token = line.strip() or "_"
            if token in ("_", "!") or _KEYS.fullmatch(token):
                return token
            self._write("  keys are 0-9, * and #\n")

    async def record_token(self, request: RecordRequest) -> str | None:
        """Ask the person how the recording goes: ``5#``, ``5!``, ``5_``, ``5``."""
        limit = f"up to {request.max_ms / 1000:g} s" if request.max_ms > 0 else ""
        while True:
            self._write(
                f"● recording {limit}: seconds and an ending (5# = then #, "
                "5! = hang up, 5_ = silence, 5 = time limit; Enter = 5#)> "
            )
            line = await self.keyboard.read_line()
            if not line:
                return "rec0!"
            token = line.strip().removeprefix("rec") or "5#"
            if record_outcome(f"rec{token}"):
                return f"rec{token}"
            self._write("  for example 5# or 12!\n")

    def close(self) -> None:
        """Stop reading the keyboard."""
        self.keyboard.close()

    def _invitation(self) -> str:
        wait_ms = self._request.first_key_ms if self._request else -1
        limit = f" within {wait_ms / 1000:g} s" if wait_ms > 0 else ""
        return f"☎ your keys{limit} (Enter = no input, ! = hang up)> "

    def _late(self, line: str) -> None:
        self._write(f"  (too late, dropped: {line.strip()!r}; type keys when asked)\n")

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()
