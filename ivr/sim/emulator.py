"""The FastAGI emulator: Asterisk's side of one call, over a real socket.

:class:`FastAGIEmulator` connects to a FastAGI server as Asterisk's
launch_netscript() does, sends the environment of setup_env(), then answers
each command line as run_agi() and agi_handle_command() in res/res_agi.c do,
asking a :class:`~ivr.sim.behaviour.CallerBehaviour` whenever the person on
the phone would decide something.

The ``HANGUP`` notice: once the channel is gone, run_agi() notices it on its
next pass and sends ``HANGUP``; from then on the channel is "dead" (``511``
for most commands). In the recordings the notice reaches the peer after it
has sent its next command and before that command's reply; the emulator
reproduces that order: the notice goes out just before the next command is
answered, or after ``hangup_notice_delay`` seconds with no command, or when
the peer closes.

A peer that closes the connection while a command is still being answered
(the caller deciding, a prompt playing) ends that command at once:
ast_waitfordigit_full() and ast_waitstream_full() watch the AGI socket
(``agi->ctrl``) and stop waiting when it turns readable, and run_agi() then
ends the script. The call log gets an ``interrupted`` event naming the
command, and no reply is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from .behaviour import CallerBehaviour
from .channel_model import CallLog, CallSetup, ChannelModel, Event, environment_lines
from .commands import CommandSet
from .context import CallContext, PromptLibrary
from .errors import NoServiceError
from .wire import AGI_BUF_LEN, HANGUP_NOTICE, find_command, parse_args

__all__ = ["FastAGIEmulator"]

logger = logging.getLogger("ivr.sim.emulator")


def _command_name(line: str) -> str:
    spec = find_command(parse_args(line))
    return spec.name if spec is not None else line.partition(" ")[0]


class _LineReader:
    """Command lines as run_agi() reads them with fgets().

    A line longer than ``AGI_BUF_LEN - 1`` bytes is cut there (the rest is the
    next "line"); a last line without ``\\n`` before end-of-stream still counts.
    Bytes that are not UTF-8 survive as surrogate escapes.
    """

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader
        self._buffer = b""
        self._eof = False

    async def read_until_closed(self) -> None:
        """Read into the buffer until the peer closes (or resets) the stream."""
        while not self._eof:
            try:
                chunk = await self._reader.read(4096)
            except ConnectionError:
                chunk = b""
            self._eof = not chunk
            self._buffer += chunk

    async def read_line(self) -> str | None:
        """The next line without its newline, or ``None`` at end-of-stream."""
        while b"\n" not in self._buffer[: AGI_BUF_LEN - 1] and not self._eof:
            if len(self._buffer) >= AGI_BUF_LEN - 1:
                break
            chunk = await self._reader.read(4096)
            self._eof = not chunk
            self._buffer += chunk
        return self._take()

    def _take(self) -> str | None:
        if not self._buffer:
            return None
        end = self._buffer.find(b"\n", 0, AGI_BUF_LEN - 1)
        if end < 0:
            cut = min(len(self._buffer), AGI_BUF_LEN - 1)
            line, self._buffer = self._buffer[:cut], self._buffer[cut:]
        else:
            line, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
        return line.decode("utf-8", "surrogateescape")


class FastAGIEmulator:
    """Places one emulated call to a FastAGI server.

    ``pace`` 0 answers at once (call time still advances in the event log);
    a pace above 0 makes every modelled duration (prompts, key pauses,
    recordings, queue waits) take that many real seconds per second.
    ``max_commands`` makes the caller hang up on a service that never ends
    the call. ``sleep`` is how paced time passes (tests pass a recorder).
    ``hangup_notice_delay`` ``None`` holds the ``HANGUP`` notice
    until the next command (or end of stream).
    """

    def __init__(
        self,
        host: str,
        port: int,
        caller: CallerBehaviour,
        *,
        setup: CallSetup | None = None,
        prompts: PromptLibrary | None = None,
        pace: float = 0.0,
        hangup_notice_delay: float | None = 0.05,
        max_commands: int = 2000,
        on_event: Callable[[Event], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.host = host
        self.port = port
        self.caller = caller
        self.setup = (setup or CallSetup()).completed()
        self.prompts = prompts or PromptLibrary()
        self.pace = pace
        self.hangup_notice_delay = hangup_notice_delay
        self.max_commands = max_commands
        self._on_event = on_event or (lambda event: None)
        self._sleep = sleep
        self._writer: asyncio.StreamWriter | None = None
        self._closed = False

    async def run(self) -> CallLog:
        """Connect, play the call to its end, return what happened.

        Raises :class:`~ivr.sim.errors.NoServiceError` when nothing listens.
        """
        model = ChannelModel(self.setup, self._on_event)
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            raise NoServiceError(self.host, self.port) from exc
        self._writer = writer
        try:
            await self._session(model, _LineReader(reader))
        finally:
            await self._close(model)
        return model.log

    async def _session(self, model: ChannelModel, lines: _LineReader) -> None:
        ctx = CallContext(
            model, self.caller, self.prompts, partial(self._spend, model), self._send
        )
        commands = CommandSet(ctx)
        await self._send("".join(environment_lines(self.setup, self.host, self.port)))
        model.record("connect", f"{self.host}:{self.port}", self.setup.script)
        if self.caller.hangs_up_before_start():
            model.hang_up("caller")
        while not self._closed:
            line = await self._next_command(model, commands, lines)
            if line is None:
                break
            await self._answer(model, commands, line, lines)

    async def _answer(
        self, model: ChannelModel, commands: CommandSet, line: str, lines: _LineReader
    ) -> None:
        model.log.commands += 1
        model.record("command", line)
        reply = await self._handle_unless_closed(commands, line, lines)
        if reply is None:
            self._closed = True
            model.record("interrupted", _command_name(line), "peer closed")
            return
        logger.debug(
            "%s: command %d answered %s",
            self.setup.uniqueid,
            model.log.commands,
            reply.split(" ", 1)[0],
        )
        model.record("reply", reply.rstrip("\n"))
        await self._send(reply)
        if model.hung_up:
            return
        count = model.log.commands
        if self.caller.hangs_up_after(count, line) or count >= self.max_commands:
            model.hang_up("caller")

    async def _handle_unless_closed(
        self, commands: CommandSet, line: str, lines: _LineReader
    ) -> str | None:
        """The command's reply, or ``None`` if the peer closed first."""
        handling = asyncio.create_task(commands.handle(line))
        closing = asyncio.create_task(lines.read_until_closed())
        try:
            await asyncio.wait((handling, closing), return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            if not handling.done():
                handling.cancel()
            await asyncio.gather(handling, closing, return_exceptions=True)
        if handling.cancelled():
            return None
        return handling.result()

    async def _next_command(
        self, model: ChannelModel, commands: CommandSet, lines: _LineReader
    ) -> str | None:
        if not model.hung_up or commands.dead:
            return await lines.read_line()
        try:
            async with asyncio.timeout(self.hangup_notice_delay):
                line = await lines.read_line()
        except TimeoutError:
            await self._notify_hangup(model, commands)
            return await lines.read_line()
        await self._notify_hangup(model, commands)
        return line

    async def _notify_hangup(self, model: ChannelModel, commands: CommandSet) -> None:
        commands.dead = True
        model.record("notice", "HANGUP")
        await self._send(HANGUP_NOTICE)

    async def _spend(self, model: ChannelModel, seconds: float) -> None:
        model.clock += seconds
        if self.pace > 0 and seconds > 0:
            await self._sleep(seconds * self.pace)

    async def _send(self, text: str) -> None:
        if self._writer is None or self._closed:
            return
        try:
            self._writer.write(text.encode("utf-8", "surrogateescape"))
            await self._writer.drain()
        except ConnectionError:
            self._closed = True

    async def _close(self, model: ChannelModel) -> None:
        # run_agi() tells a FastAGI peer HANGUP once more when the script ends.
        await self._send(HANGUP_NOTICE)
        model.record("closed", f"{self.host}:{self.port}")
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):
                await self._writer.wait_closed()
