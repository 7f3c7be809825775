"""The AGI implementation of :class:`ivr.channel.Channel`.

:class:`AGIChannel` turns the flow engine's requests into AGI commands on an
:class:`~ivr.agi.session.AGISession` and interprets Asterisk's results, so
the flow sees digits, timeouts and hang-ups, never ``result=`` codes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from ivr.agi import commands
from ivr.agi.errors import AGICommandFailedError, AGIHangupError
from ivr.agi.messages import AGIEnvironment, Reply
from ivr.agi.session import AGISession
from ivr.channel import (
    CallInfo,
    CollectResult,
    PlayResult,
    QueueResult,
    RecordResult,
)

__all__ = ["ALL_KEYS", "AGIChannel"]

logger = logging.getLogger("ivr.agi.channel")

ALL_KEYS = "0123456789*#"

# Samples per second of the formats RECORD FILE reports ``endpos`` in.
_SAMPLE_RATES = {"wav": 8000, "gsm": 8000, "ulaw": 8000, "alaw": 8000, "sln": 8000}
_SAMPLE_RATES |= {"wav16": 16000, "sln16": 16000}

# Slack added to a command's own time limit when bounding its reply.
_REPLY_SLACK = 30.0


class AGIChannel:
    """One call driven over AGI; see :class:`ivr.channel.Channel` for the contract.

    A ``result=-1`` from STREAM FILE means a hang-up or a missing prompt
    (res_agi.c handle_streamfile answers ``result=-1 endpos=0`` when the file
    cannot be opened): a ``HANGUP`` notice or ``511`` settles it, otherwise
    CHANNEL STATUS does, and a missing prompt is logged and skipped.
    """

    def __init__(self, session: AGISession, env: AGIEnvironment) -> None:
        self._session = session
        self._env = env
        self._info = env.call_info()
        self._answered = False
        self._gone = False

    @property
    def info(self) -> CallInfo:
        """The call's identity, built from the AGI environment."""
        return self._info

    @property
    def hung_up(self) -> bool:
        """True once the caller has gone."""
        return self._gone or self._session.hung_up

    async def answer(self) -> None:
        """ANSWER the call once."""
        if self._answered:
            return
        reply = await self._session.execute(commands.answer())
        await self._raise_if_gone(reply)
        self._answered = True

    async def play(
        self, prompts: Sequence[str], *, escape_digits: str = ""
    ) -> PlayResult:
        """STREAM FILE each prompt; stop at the first escape digit pressed."""
        missing: list[str] = []
        for prompt in prompts:
            digit = await self._stream(prompt, escape_digits, missing)
            if digit is not None:
                return PlayResult(digit=digit, missing=tuple(missing))
        return PlayResult(missing=tuple(missing))

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

        Without ``inter_digit_timeout`` the last prompt goes out as GET DATA,
        whose single timeout covers the first and every later key (res_agi.c
        handle_getdata passes one timeout to ast_app_getdata_full). A key
        pressed during an earlier prompt starts the digits and the rest come
        from WAIT FOR DIGIT with the same timeout.
        """
        missing: list[str] = []
        use_get_data = inter_digit_timeout is None and bool(prompts)
        played = prompts[:-1] if use_get_data else prompts
        first = await self._play_for_digit(played, missing)
        if first is None and use_get_data:
            return await self._get_data(prompts[-1], max_digits, first_timeout, missing)
        next_timeout = (
            first_timeout if inter_digit_timeout is None else inter_digit_timeout
        )
        digits, timed_out = await self._read_keys(
            first, max_digits, (first_timeout, next_timeout), terminators
        )
        return CollectResult(digits=digits, timed_out=timed_out, missing=tuple(missing))

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
        """RECORD FILE and say how it ended (dtmf, silence, timeout, hangup)."""
        command = commands.record_file(
            path,
            fmt,
            escape_digits,
            max_seconds,
            beep=beep,
            silence_seconds=silence_seconds,
        )
        reply = await self._session.execute(command, timeout=self._bound(max_seconds))
        duration = _duration(reply, fmt)
        if reply.data == "hangup":
            self._gone = True
            return RecordResult(path=path, ended_by="hangup", duration=duration)
        if reply.data == "dtmf":
            return RecordResult(path, "dtmf", digit=reply.digit(), duration=duration)
        if reply.failed or reply.data != "timeout":
            await self._raise_if_gone(reply)
            raise AGICommandFailedError(f"RECORD FILE failed ({reply.data})", reply.raw)
        ended_by = _timeout_kind(duration, max_seconds, silence_seconds)
        return RecordResult(path=path, ended_by=ended_by, duration=duration)

    async def get_variable(self, name: str) -> str | None:
        """GET VARIABLE; None when unset or when the stream is gone."""
        try:
            reply = await self._session.execute(commands.get_variable(name))
        except AGIHangupError:
            logger.debug("GET VARIABLE %s skipped: AGI stream gone", name)
            return None
        return reply.value()

    async def set_variable(self, name: str, value: str) -> None:
        """SET VARIABLE; silently skipped once the stream is gone."""
        try:
            await self._session.execute(commands.set_variable(name, value))
        except AGIHangupError:
            logger.debug("SET VARIABLE %s skipped: AGI stream gone", name)

    async def queue(
        self,
        queue: str,
        *,
        timeout: float,
        options: str = "",
        announce: str = "",
        agi: str = "",
    ) -> QueueResult:
        """EXEC Queue with ``c`` (continue) and read QUEUESTATUS and the member.

        Queue's arguments are ``name,options,URL,announceoverride,timeout,AGI``
        (apps/app_queue.c queue_exec); the AGI runs on the caller's channel
        when an agent answers (try_calling).
        """
        flags = "c" + options.replace("c", "")
        args: tuple[str, ...] = (queue, flags, "", announce, str(round(timeout)))
        if agi:
            args += (agi,)
        command = commands.exec_app("Queue", *args)
        # Queue returns only when the caller leaves the queue or, after an
        # agent answered, when their conversation ends: no time limit fits
        # a conversation, and the end of the stream still ends the wait.
        reply = await self._session.execute(command, timeout=math.inf)
        await self._raise_if_gone(reply)
        if reply.result_int == -2:
            raise AGICommandFailedError("Queue application not available", reply.raw)
        return await self._queue_result(queue)

    async def hangup(self) -> None:
        """HANGUP, unless the channel is already dead (Asterisk would send 511)."""
        if self._session.dead or self._session.closed:
            return
        try:
            await self._session.execute(commands.hangup())
        except AGIHangupError:
            logger.debug("HANGUP not sent: channel already gone")
        self._gone = True

    async def _stream(self, prompt: str, escape: str, missing: list[str]) -> str | None:
        """Play one prompt; return the key pressed, or record it as missing."""
        reply = await self._session.execute(commands.stream_file(prompt, escape))
        if reply.failed:
            await self._raise_if_gone(reply)
            logger.debug("prompt %s could not be played; skipping it", prompt)
            missing.append(prompt)
            return None
        return reply.digit()

    async def _play_for_digit(
        self, prompts: Sequence[str], missing: list[str]
    ) -> str | None:
        """Play prompts with every key as escape; return the first key pressed."""
        for prompt in prompts:
            digit = await self._stream(prompt, ALL_KEYS, missing)
            if digit is not None:
                return digit
        return None

    async def _get_data(
        self, prompt: str, max_digits: int, timeout: float, missing: list[str]
    ) -> CollectResult:
        """GET DATA on the last prompt and map its reply."""
        command = commands.get_data(prompt, timeout, max_digits)
        reply = await self._session.execute(command, timeout=self._bound(timeout))
        if reply.failed:
            await self._raise_if_gone(reply)
            missing.append(prompt)
            return CollectResult(digits="", timed_out=True, missing=tuple(missing))
        digits, timed_out = reply.get_data()
        return CollectResult(digits=digits, timed_out=timed_out, missing=tuple(missing))

    async def _read_keys(
        self,
        first: str | None,
        max_digits: int,
        timeouts: tuple[float, float],
        terminators: str,
    ) -> tuple[str, bool]:
        """Collect keys one by one with WAIT FOR DIGIT; return (digits, timed_out)."""
        digits = ""
        key = first
        while True:
            if key is None:
                wait = timeouts[1] if digits else timeouts[0]
                key = await self._wait_for_digit(wait)
                if key is None:
                    return digits, True
            if key in terminators:
                return digits, False
            digits += key
            key = None
            if len(digits) >= max_digits:
                return digits, False

    async def _wait_for_digit(self, timeout: float) -> str | None:
        """WAIT FOR DIGIT once; None on timeout (``result=0``)."""
        command = commands.wait_for_digit(timeout)
        reply = await self._session.execute(command, timeout=self._bound(timeout))
        await self._raise_if_gone(reply)
        return reply.digit()

    async def _queue_result(self, queue: str) -> QueueResult:
        """Read the variables Queue leaves on the caller's channel."""
        status = await self.get_variable("QUEUESTATUS") or ""
        member = await self.get_variable("MEMBERNAME") or None
        answered_time = _seconds(await self.get_variable("ANSWEREDTIME"))
        return QueueResult(
            queue=queue,
            status=status,
            answered=await self._was_answered(answered_time),
            member=member,
            answered_time=answered_time,
        )

    async def _was_answered(self, answered_time: float | None) -> bool:
        """Tell an answered queue call from one that never reached an agent.

        Asterisk 22 sets ANSWEREDTIME to 0 when no agent answered, where older
        releases left it empty (apps/app_queue.c queue_exec, "stop:"). A call
        answered and ended within a second also reads 0 seconds, so only then
        is the millisecond value asked for.
        """
        if answered_time is None:
            return False
        if answered_time > 0:
            return True
        return (_seconds(await self.get_variable("ANSWEREDTIME_MS")) or 0) > 0

    async def _raise_if_gone(self, reply: Reply) -> None:
        """After ``result=-1``, raise CallerHungUp unless the channel is up.

        A ``HANGUP`` notice already read settles it; otherwise CHANNEL STATUS
        answers 511 (raised by the session) or ``-1`` on a dead channel.
        """
        if not reply.failed:
            return
        if not self._session.hung_up:
            status = await self._session.execute(commands.channel_status())
            if not status.failed:
                return
        self._gone = True
        raise AGIHangupError("caller hung up")

    def _bound(self, seconds: float) -> float | None:
        """A reply timeout for a command that itself runs up to ``seconds``."""
        if self._session.reply_timeout is None:
            return None
        return max(self._session.reply_timeout, seconds + _REPLY_SLACK)


def _duration(reply: Reply, fmt: str) -> float | None:
    """Seconds recorded, from ``endpos`` samples where the rate is known."""
    rate = _SAMPLE_RATES.get(fmt)
    if reply.endpos is None or rate is None:
        return None
    return reply.endpos / rate


def _timeout_kind(
    duration: float | None, max_seconds: float, silence_seconds: float | None
) -> str:
    """Tell silence from the time limit; RECORD FILE flags both ``(timeout)``.

    res_agi.c handle_recordfile ends on silence with the same ``(timeout)``
    line, but rewinds the file by the silence, so a recording clearly shorter
    than the limit ended on silence.
    """
    if silence_seconds is None or duration is None:
        return "timeout"
    return "silence" if duration < max_seconds - 1.0 else "timeout"


def _seconds(value: str | None) -> float | None:
    """A variable holding seconds as a float, or None when unset or not numeric."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        return None
