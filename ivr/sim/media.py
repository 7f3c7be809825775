"""Commands that play to or listen to the caller, answered as res_agi.c does.

STREAM FILE, GET OPTION, GET DATA, WAIT FOR DIGIT, SAY ... and RECORD FILE.
Each handler takes the parsed words and returns the reply line; the caller
behaviour decides keys, hang-ups and how recordings end. Offsets (``endpos``)
are 8 kHz samples, as Asterisk counts them for telephone audio.

A request for digits gives the caller the request's own time for the first
key, in real time whatever the pace: a behaviour that has not answered by
then (a person at the keyboard) has given no input, and the reply is the
timeout form res_agi.c sends. ``WAIT FOR DIGIT 0`` asks nobody.

Keys a read did not take stay queued on the channel for the next command
(:mod:`ivr.sim.queued_keys`): the caller is asked only once they are used.
"""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

from .behaviour import (
    DigitCommand,
    DigitRequest,
    KeyAnswer,
    PromptAnswer,
    PromptRequest,
    RecordOutcome,
    RecordRequest,
)
from .context import SAMPLE_RATE, CallContext, ShowUsage, atoi, scan_int
from .queued_keys import read_string

__all__ = ["MediaCommands"]

_FOREVER_SECONDS = 30.0
"""How long a caller waits on a ``-1`` (endless) timeout before hanging up."""


def _samples(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


class MediaCommands:
    """Handlers for the commands that involve the caller's ears or keys."""

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx

    async def stream_file(self, argv: list[str]) -> str:
        """handle_streamfile(): ``200 result=<key|0|-1> endpos=<samples>``."""
        if not 4 <= len(argv) <= 5:
            raise ShowUsage
        offset = self._offset(argv)
        if not self._opens(argv[2]):
            return f"200 result=-1 endpos={offset}\n"
        result, endpos = await self._play(argv[2], argv[3], offset)
        # handle_streamfile() sets PLAYBACKSTATUS from the raw result.
        self.ctx.model.set_variable("PLAYBACKSTATUS", "FAILED" if result else "SUCCESS")
        return f"200 result={result} endpos={endpos}\n"

    def _offset(self, argv: list[str]) -> int:
        if len(argv) < 5:
            return 0
        offset = scan_int(argv[4])
        if offset is None:
            raise ShowUsage
        return offset

    def _opens(self, name: str) -> bool:
        if self.ctx.prompts.exists(name) or name in self.ctx.recordings:
            return True
        self.ctx.model.record("prompt", name, "missing")
        return False

    async def _play(self, name: str, escape: str, offset: int) -> tuple[int, int]:
        """Play one file from ``offset``; return (result, endpos)."""
        length = self.ctx.recordings.get(name)
        if length is None:
            length = self.ctx.prompts.length(name)
        remaining = max(0.0, length - offset / SAMPLE_RATE)
        key, dropped = self.ctx.queued.escape(escape)
        if dropped:
            self.ctx.model.record("keys", "dropped", dropped)
        if key is not None:
            self.ctx.model.record("keys", "queued", key)
            self.ctx.model.record("prompt", name, f"interrupted:{key}")
            return ord(key), offset
        request = PromptRequest(name, escape, length, self.ctx.next_prompt_index())
        answer = await self.ctx.caller.on_prompt(request)
        stops = answer.hang_up or (answer.key is not None and answer.key in escape)
        if not stops:
            await self.ctx.spend(remaining)
            self.ctx.model.record("prompt", name, "played")
            return 0, _samples(length)
        return await self._interrupt(name, answer, remaining, offset)

    async def _interrupt(
        self, name: str, answer: PromptAnswer, remaining: float, offset: int
    ) -> tuple[int, int]:
        default = remaining / 2 if answer.hang_up else min(1.0, remaining)
        at = min(remaining, default if answer.after is None else answer.after)
        await self.ctx.spend(at)
        endpos = offset + _samples(at)
        if answer.hang_up:
            self.ctx.model.record("prompt", name, "hangup")
            self.ctx.model.hang_up("caller")
            return -1, endpos
        key = answer.key or ""
        self.ctx.model.record("prompt", name, f"interrupted:{key}")
        self.ctx.model.record("keys", "STREAM FILE", key)
        return ord(key), endpos

    async def get_option(self, argv: list[str]) -> str:
        """handle_getoption(): STREAM FILE, then one key among the escape digits."""
        if not 4 <= len(argv) <= 5:
            raise ShowUsage
        # Without a timeout argument, the PBX's digit timeout (5 s) applies.
        timeout = atoi(argv[4]) if len(argv) == 5 else 5000
        if not self._opens(argv[2]):
            return "200 result=-1 endpos=0\n"
        result, endpos = await self._play(argv[2], argv[3], 0)
        if result == 0:
            key = await self._wait_digit("GET OPTION", timeout)
            result = key if key > 0 and chr(key) in argv[3] else min(key, 0)
        return f"200 result={result} endpos={endpos}\n"

    async def wait_for_digit(self, argv: list[str]) -> str:
        """handle_waitfordigit(): ``200 result=<key code|0 timeout|-1 hangup>``."""
        if len(argv) != 4:
            raise ShowUsage
        timeout = scan_int(argv[3])
        if timeout is None:
            raise ShowUsage
        return f"200 result={await self._wait_digit('WAIT FOR DIGIT', timeout)}\n"

    async def _wait_digit(self, command: DigitCommand, timeout_ms: int) -> int:
        queued = self.ctx.queued.next_key()
        if queued is not None:
            return ord(queued)
        if timeout_ms == 0:
            # ast_waitfordigit_full() with 0 ms returns 0 without waiting.
            return 0
        request = self._request(command, None, 1, timeout_ms, timeout_ms)
        answer, expired = await self._ask_digits(request)
        if answer.digits:
            await self.ctx.spend(answer.pause)
            self.ctx.queued.keep(answer.digits[1:])
            return ord(answer.digits[0])
        if expired or await self._times_out(answer, timeout_ms):
            return 0
        return -1

    def _request(
        self,
        command: DigitCommand,
        prompt: str | None,
        most: int,
        timeout_ms: int,
        first_key_ms: int,
    ) -> DigitRequest:
        index = self.ctx.next_digit_index()
        return DigitRequest(command, prompt, most, timeout_ms, index, first_key_ms)

    async def _ask_digits(self, request: DigitRequest) -> tuple[KeyAnswer, bool]:
        """The caller's answer, and whether the first-key time ran out first."""
        answer, expired = await self._ask_in_time(request)
        if answer.digits or not answer.hang_up:
            self.ctx.model.record("keys", request.command, answer.digits)
        return answer, expired

    async def _ask_in_time(self, request: DigitRequest) -> tuple[KeyAnswer, bool]:
        # Real time, not paced: the wait already took the request's time, so
        # only the call clock moves on (no second, paced wait).
        wait_ms = request.first_key_ms
        try:
            async with asyncio.timeout(wait_ms / 1000 if wait_ms >= 0 else None):
                return await self.ctx.caller.on_digits(request), False
        except TimeoutError:
            self.ctx.model.clock += wait_ms / 1000
            return KeyAnswer(pause=0.0), True

    async def _times_out(self, answer: KeyAnswer, timeout_ms: int) -> bool:
        """Let a wait without keys run out; False when the caller hangs up."""
        if answer.hang_up or timeout_ms < 0:
            await self.ctx.spend(answer.pause if answer.hang_up else _FOREVER_SECONDS)
            self.ctx.model.hang_up("caller")
            return False
        await self.ctx.spend(timeout_ms / 1000)
        return True

    async def get_data(self, argv: list[str]) -> str:
        """handle_getdata() over ast_app_getdata_full() and ast_readstring_full()."""
        if len(argv) < 3:
            raise ShowUsage
        timeout = atoi(argv[3]) if len(argv) >= 4 else 0
        most = atoi(argv[4]) if len(argv) >= 5 else 1024
        if argv[2] and not self._opens(argv[2]):
            return "200 result=-1\n"
        if most == 0:
            return "200 result=-1\n"
        queued = self.ctx.queued.take()
        if argv[2]:
            await self._play_getdata_prompt(argv[2], queued)
        data, ended, left = read_string(queued, most)
        if queued:
            self.ctx.model.record("keys", "queued", queued[: len(queued) - len(left)])
        self.ctx.queued.keep(left)
        if ended:
            return f"200 result={data}\n"
        return await self._read_caller(argv[2], (timeout, most), data)

    async def _play_getdata_prompt(self, name: str, queued: str) -> None:
        """The prompt, stopped at once by a queued key (any key stops it)."""
        self.ctx.next_prompt_index()
        if queued:
            self.ctx.model.record("prompt", name, f"interrupted:{queued[0]}")
            return
        await self.ctx.spend(self.ctx.prompts.length(name))
        self.ctx.model.record("prompt", name, "played")

    async def _read_caller(self, prompt: str, asked: tuple[int, int], data: str) -> str:
        """The rest of a GET DATA from the caller, after ``data`` already read."""
        timeout, most = asked
        first, later = _getdata_timeouts(timeout)
        wait = later if data else first
        request = self._request("GET DATA", prompt or None, most, timeout, wait)
        answer, expired = await self._ask_digits(request)
        if expired:
            return f"200 result={data} (timeout)\n"
        return await self._read_string(answer, most, (first, later), data)

    async def _read_string(
        self, answer: KeyAnswer, most: int, waits: tuple[int, int], data: str
    ) -> str:
        for at, key in enumerate(answer.digits):
            await self.ctx.spend(answer.pause)
            data, ended, _ = read_string(key, most, data)
            if ended:
                # Keys pressed after the read ended stay on the channel.
                self.ctx.queued.keep(answer.digits[at + 1 :])
                return f"200 result={data}\n"
        if not await self._times_out(answer, waits[1] if data else waits[0]):
            return "200 result=-1\n"
        return f"200 result={data} (timeout)\n"

    async def say(self, argv: list[str], what: str) -> str:
        """handle_saynumber/saydigits/sayalpha(): spoken digits or letters."""
        if what == "digits" and len(argv) != 4:
            raise ShowUsage
        if not 4 <= len(argv) <= 5:
            raise ShowUsage
        if what != "alpha" and scan_int(argv[2]) is None:
            raise ShowUsage
        self.ctx.model.record("say", what, argv[2])
        name = f"say-{what}:{argv[2]}"
        result, _ = await self._play(name, argv[3], 0)
        return f"200 result={result}\n"

    async def record_file(self, argv: list[str]) -> str:
        """handle_recordfile(): the ``(dtmf)``, ``(timeout)``, ``(hangup)`` forms."""
        if len(argv) < 6:
            raise ShowUsage
        max_ms = scan_int(argv[5])
        if max_ms is None:
            raise ShowUsage
        self.ctx.drop_queued()
        request = RecordRequest(
            argv[2], argv[3], argv[4], max_ms, _silence_ms(argv), _wants_beep(argv)
        )
        offset = atoi(argv[6]) if len(argv) > 6 and scan_int(argv[6]) is not None else 0
        outcome = _within_limit(await self.ctx.caller.on_record(request), max_ms)
        self.ctx.model.record("record", request.path, _describe(outcome))
        self.ctx.recordings[request.path] = outcome.seconds
        reply = await Recording(self.ctx, request, offset).finish(outcome)
        _write_recording(request, outcome)
        return reply


def _within_limit(outcome: RecordOutcome, max_ms: int) -> RecordOutcome:
    """A caller still speaking at the limit is cut off there: res_agi.c's
    RECORD FILE stops at its timeout (a negative one means none)."""
    limit = max_ms / 1000
    if max_ms < 0 or outcome.ended_by.startswith("beep-") or outcome.seconds <= limit:
        return outcome
    return RecordOutcome("timeout", "", limit)


def _write_recording(request: RecordRequest, outcome: RecordOutcome) -> None:
    """Leave the file Asterisk would leave: the caller's seconds, as silence.

    Only for ``wav`` and where the folder exists: res_agi.c's RECORD FILE
    opens the file with ``ast_writefile`` and creates no folders. A service
    on the same host (its reconciler, staff fetching the recording) then
    finds the file exactly where Asterisk would have put it.
    """
    folder = Path(request.path).parent
    if request.fmt != "wav" or not folder.is_dir():
        return
    seconds = 0.0 if outcome.ended_by.startswith("beep-") else outcome.seconds
    with wave.open(f"{request.path}.wav", "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(SAMPLE_RATE)
        audio.writeframes(b"\0\0" * int(seconds * SAMPLE_RATE))


def _getdata_timeouts(timeout: int) -> tuple[int, int]:
    """ast_app_getdata_full(): 0 means 6 s for the first key and 2 s after."""
    return (timeout, timeout) if timeout else (6000, 2000)


def _silence_ms(argv: list[str]) -> int:
    # res_agi.c looks for the first 's' in arguments 6-8 and takes "s=N" there.
    for word in argv[6:9]:
        found = word.find("s")
        if found >= 0:
            rest = word[found:]
            if len(rest) > 2 and rest.startswith("s="):
                return max(0, atoi(rest[2:])) * 1000
            return 0
    return 0


def _wants_beep(argv: list[str]) -> bool:
    # Anything in slot 6 that is neither an offset nor "s=", or in slot 7
    # anything but "s=", asks for the beep.
    slot6 = len(argv) > 6 and scan_int(argv[6]) is None
    slot6 = slot6 and not argv[6].startswith("s=")
    slot7 = len(argv) > 7 and not argv[7].startswith("s=")
    return slot6 or slot7


def _describe(outcome: RecordOutcome) -> str:
    if outcome.ended_by in ("dtmf", "beep-key"):
        return f"{outcome.ended_by}:{outcome.digit} after {outcome.seconds:g} s"
    return f"{outcome.ended_by} after {outcome.seconds:g} s"


class Recording:
    """One RECORD FILE from the beep to the reply line."""

    def __init__(self, ctx: CallContext, request: RecordRequest, offset: int) -> None:
        self.ctx = ctx
        self.request = request
        self.offset = offset

    async def finish(self, outcome: RecordOutcome) -> str:
        """Spend the recording's time and return res_agi.c's reply."""
        ended_by = outcome.ended_by
        if ended_by.startswith("beep-"):
            return await self._during_beep(outcome)
        if ended_by == "dtmf" and outcome.digit in self.request.escape_digits:
            await self.ctx.spend(outcome.seconds)
            # The last 200 ms are cut off to drop the key's own tone.
            endpos = self.offset + max(0, _samples(outcome.seconds) - _samples(0.2))
            return f"200 result={ord(outcome.digit)} (dtmf) endpos={endpos}\n"
        if ended_by == "hangup":
            await self.ctx.spend(outcome.seconds)
            self.ctx.model.hang_up("caller")
            return f"200 result=-1 (hangup) endpos={self._endpos(outcome.seconds)}\n"
        if ended_by == "silence" and self.request.silence_ms > 0:
            return await self._on_silence(outcome)
        return await self._on_timeout(outcome)

    def _endpos(self, seconds: float) -> int:
        return self.offset + _samples(seconds)

    async def _during_beep(self, outcome: RecordOutcome) -> str:
        if not self.request.beep:
            # No beep is played, so nothing can happen "during" it.
            return await self.finish(_without_beep(outcome))
        await self.ctx.spend(0.3)
        if outcome.ended_by == "beep-hangup":
            self.ctx.model.hang_up("caller")
            return f"200 result=-1 (randomerror) endpos={self.offset}\n"
        code = ord(outcome.digit) if outcome.digit in self.request.escape_digits else 0
        if code == 0:
            return await self.finish(_without_beep(outcome))
        return f"200 result={code} (randomerror) endpos={self.offset}\n"

    async def _on_silence(self, outcome: RecordOutcome) -> str:
        silence = self.request.silence_ms / 1000
        await self.ctx.spend(outcome.seconds + silence)
        # The silence is cut back to one second; the result is what was left
        # of the last ast_waitfor() (milliseconds before the limit).
        elapsed_ms = int((outcome.seconds + silence) * 1000)
        left = (
            max(0, self.request.max_ms - elapsed_ms) if self.request.max_ms > 0 else 0
        )
        endpos = self._endpos(outcome.seconds + 1.0)
        return f"200 result={left} (timeout) endpos={endpos}\n"

    async def _on_timeout(self, outcome: RecordOutcome) -> str:
        limit = self.request.max_ms / 1000 if self.request.max_ms >= 0 else None
        duration = outcome.seconds if limit is None else limit
        await self.ctx.spend(duration)
        # A channel that sends no audio (a Local channel) leaves endpos at 0.
        endpos = self._endpos(duration) if outcome.seconds > 0 else self.offset
        return f"200 result=0 (timeout) endpos={endpos}\n"


def _without_beep(outcome: RecordOutcome) -> RecordOutcome:
    if outcome.ended_by == "beep-hangup":
        return RecordOutcome("hangup", outcome.digit, 0.0)
    return RecordOutcome("dtmf", outcome.digit, 0.0)
