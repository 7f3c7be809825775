"""One AGI conversation: send a command, read its final reply.

:class:`AGISession` sits on an asyncio stream pair (a FastAGI socket, or
stdin/stdout for classic AGI). A reader task owned by the session feeds the
sans-IO :class:`~ivr.agi.parser.ReplyParser`, so a ``HANGUP`` notice is seen
whenever it arrives: before a command, or between a command and its reply.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from types import TracebackType
from typing import Final

from ivr.agi.commands import Command
from ivr.agi.errors import (
    AGIAsteriskError,
    AGIConnectionClosed,
    AGIDeadChannelError,
    AGIInvalidCommandError,
    AGIProtocolError,
    AGIReplyTimeoutError,
    AGIUsageError,
)
from ivr.agi.messages import BadLine, HangupNotice, Message, Reply
from ivr.agi.parser import ReplyParser
from ivr.tasks import cancel_and_wait

__all__ = ["AGISession"]

logger = logging.getLogger("ivr.agi.session")

CLOSE_GRACE = 1.0
"""Seconds to wait for Asterisk to close its side after we closed ours."""

_READ_SIZE: Final = 4096


class _EndOfStream:
    """Queued once when Asterisk closes the stream."""


_EOF: Final = _EndOfStream()


class AGISession:
    """Send AGI commands one at a time and return their final replies.

    After a ``HANGUP`` notice, a ``511`` reply, end of stream or
    :meth:`mark_hung_up` the session is in dead mode: only the commands
    res_agi.c allows on a dead channel go out (GET/SET VARIABLE, VERBOSE,
    DATABASE ...); the others raise :class:`AGIDeadChannelError` (a
    ``CallerHungUp``) without touching the wire. ``reply_timeout`` bounds the
    wait for each reply (None: wait as long as Asterisk runs the command).
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        reply_timeout: float | None = None,
        label: str = "",
    ) -> None:
        self.reply_timeout = reply_timeout
        self.label = label
        self._reader = reader
        self._writer = writer
        self._parser = ReplyParser()
        self._replies: asyncio.Queue[Reply | BadLine | _EndOfStream] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._read_task: asyncio.Task[None] | None = None
        self._hung_up = False
        self._hung_up_event = asyncio.Event()
        self._dead = False
        self._closed = False

    @property
    def hung_up(self) -> bool:
        """True once Asterisk said the caller hung up (or the stream ended)."""
        return self._hung_up

    @property
    def dead(self) -> bool:
        """True when only dead-channel commands may still be sent."""
        return self._dead

    @property
    def closed(self) -> bool:
        """True once the stream has ended or the session was closed."""
        return self._closed

    def mark_hung_up(self) -> None:
        """Record a hang-up learnt elsewhere (classic AGI's SIGHUP)."""
        if not self._hung_up:
            logger.info("%s: caller hung up", self.label)
        self._hung_up = True
        self._hung_up_event.set()
        self._dead = True

    async def wait_hung_up(self) -> None:
        """Return once the caller has hung up or the stream has ended."""
        await self._hung_up_event.wait()

    def start(self) -> None:
        """Start the reader task (done by :meth:`execute` when needed)."""
        if self._read_task is None:
            self._read_task = asyncio.create_task(self._read_loop())

    async def execute(self, command: Command, *, timeout: float | None = None) -> Reply:
        """Send ``command`` and return its final (2xx) reply.

        ``timeout`` overrides :attr:`reply_timeout` for this command
        (``math.inf``: wait until the reply or the end of the stream). Codes map
        to errors: 511 :class:`AGIDeadChannelError`, 510
        :class:`AGIInvalidCommandError`, 520 :class:`AGIUsageError`, other 5xx
        :class:`AGIAsteriskError`; end of stream raises
        :class:`AGIConnectionClosed`.
        """
        line = command.encode()
        async with self._lock:
            self._refuse_if_unsendable(command)
            self.start()
            self._discard_stale()
            await self._send(command, line)
            reply = await self._await_reply(command, timeout)
            return self._check(command, reply)

    async def close(self) -> None:
        """Stop reading and close the stream; safe to call more than once.

        The write side is shut first and Asterisk's last lines (a ``HANGUP``
        notice after our own HANGUP, res_agi.c run_agi) are read until it
        closes too, for at most :data:`CLOSE_GRACE` seconds: closing a socket
        with unread data would reset the connection instead of ending it.
        """
        self._closed = True
        task, self._read_task = self._read_task, None
        if task is not None:
            await self._let_peer_finish(task)
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()

    async def _let_peer_finish(self, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            if not task.done() and self._writer.can_write_eof():
                self._writer.write_eof()
        if not task.done():
            await asyncio.wait([task], timeout=CLOSE_GRACE)
        await cancel_and_wait(task)

    async def __aenter__(self) -> AGISession:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _refuse_if_unsendable(self, command: Command) -> None:
        """Raise instead of sending when the stream or the channel is gone."""
        if self._closed:
            raise AGIConnectionClosed(f"{command.name}: AGI stream closed")
        if self._dead and not command.allowed_when_dead:
            raise AGIDeadChannelError(f"{command.name}: channel hung up")

    def _discard_stale(self) -> None:
        """Drop replies that arrived while no command was in flight."""
        while not self._replies.empty():
            item = self._replies.get_nowait()
            if isinstance(item, _EndOfStream):
                self._replies.put_nowait(item)
                return
            logger.warning("%s: dropping an unsolicited AGI reply", self.label)

    async def _send(self, command: Command, line: bytes) -> None:
        """Write one framed line; a broken pipe means Asterisk is gone."""
        logger.debug("%s: -> %s", self.label, command.name)
        try:
            self._writer.write(line)
            await self._writer.drain()
        except (ConnectionError, OSError) as exc:
            self._on_end_of_stream()
            raise AGIConnectionClosed(f"{command.name}: write failed") from exc

    async def _await_reply(self, command: Command, timeout: float | None) -> Reply:
        """Wait for the next final reply, bounded by the reply timeout."""
        limit = self.reply_timeout if timeout is None else timeout
        if limit == math.inf:
            limit = None
        try:
            async with asyncio.timeout(limit):
                item = await self._replies.get()
        except TimeoutError as exc:
            self._closed = True
            raise AGIReplyTimeoutError(f"{command.name}: no reply in {limit}s") from exc
        if isinstance(item, _EndOfStream):
            self._replies.put_nowait(item)
            raise AGIConnectionClosed(f"{command.name}: AGI stream ended")
        if isinstance(item, BadLine):
            raise AGIProtocolError(f"{command.name}: {item.reason}", item.raw)
        return item

    def _check(self, command: Command, reply: Reply) -> Reply:
        """Return a 2xx reply; turn every other code into its error."""
        logger.debug("%s: <- %d for %s", self.label, reply.code, command.name)
        if 200 <= reply.code < 300:
            return reply
        name = command.name
        if reply.code == 511:
            self._dead = True
            raise AGIDeadChannelError(f"{name}: dead channel (511)", reply.raw)
        if reply.code == 510:
            logger.error("%s: Asterisk does not know %s (510)", self.label, name)
            raise AGIInvalidCommandError(f"{name}: invalid command (510)", reply.raw)
        if reply.code == 520:
            raise AGIUsageError(f"{name}: usage (520)", reply.raw, reply.usage)
        if 500 <= reply.code < 600:
            raise AGIAsteriskError(f"{name}: Asterisk error {reply.code}", reply.raw)
        raise AGIProtocolError(f"{name}: unexpected code {reply.code}", reply.raw)

    async def _read_loop(self) -> None:
        """Read the stream until it ends, dispatching each message."""
        try:
            while data := await self._reader.read(_READ_SIZE):
                for message in self._parser.feed(data):
                    self._dispatch(message)
            for message in self._parser.close():
                self._dispatch(message)
        except (ConnectionError, OSError) as exc:
            logger.debug("%s: read failed: %s", self.label, exc)
        finally:
            self._on_end_of_stream()

    def _dispatch(self, message: Message) -> None:
        """Handle notices here; queue replies for the command in flight."""
        if isinstance(message, HangupNotice):
            self.mark_hung_up()
        elif isinstance(message, Reply) and message.provisional:
            logger.debug("%s: <- provisional %d", self.label, message.code)
        else:
            self._replies.put_nowait(message)

    def _on_end_of_stream(self) -> None:
        """Mark the session closed and wake a waiting command once."""
        if self._closed and self._hung_up:
            return
        logger.debug("%s: AGI stream ended", self.label)
        self._closed = True
        self._hung_up = True
        self._hung_up_event.set()
        self._dead = True
        self._replies.put_nowait(_EOF)
