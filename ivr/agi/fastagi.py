"""FastAGI server: Asterisk connects over TCP, one connection per call.

Asterisk's ``AGI(agi://host:port/script)`` opens a connection, sends the
environment (res/res_agi.c launch_netscript, then setup_env) and waits for
commands. The server reads that environment under a deadline, then runs the
handler with an :class:`~ivr.agi.session.AGISession` for the call.
"""

from __future__ import annotations

import asyncio
import logging

from ivr.agi.call import AGIHandler, read_environment, run_call
from ivr.agi.errors import AGIHandshakeError
from ivr.agi.messages import AGIEnvironment
from ivr.agi.session import AGISession

__all__ = ["FastAGIServer", "start_fastagi_server"]

logger = logging.getLogger("ivr.agi.fastagi")

LISTEN_BACKLOG = 1024
"""Connections the kernel queues before the server accepts them."""


class FastAGIServer:
    """A listening FastAGI server that owns one task per connection."""

    def __init__(
        self,
        handler: AGIHandler,
        *,
        handshake_timeout: float,
        reply_timeout: float | None,
    ) -> None:
        self._handler = handler
        self._handshake_timeout = handshake_timeout
        self._reply_timeout = reply_timeout
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.calls_started = 0
        self.open_calls = 0
        self.handshake_failures = 0

    @property
    def port(self) -> int:
        """The TCP port actually bound (useful after binding port 0)."""
        if self._server is None or not self._server.sockets:
            raise RuntimeError("FastAGI server is not listening")
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def listen(self, host: str, port: int) -> None:
        """Bind and start accepting connections."""
        # A shift start or a trunk coming back offers hundreds of calls at
        # once; asyncio's default backlog of 100 would reset some of them.
        self._server = await asyncio.start_server(
            self._serve, host, port, backlog=LISTEN_BACKLOG
        )

    async def close(self, drain_timeout: float = 10.0) -> None:
        """Stop accepting, let calls finish up to ``drain_timeout``, cancel the rest."""
        if self._server is not None:
            self._server.close()
        tasks = set(self._tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=drain_timeout)
            for task in pending:
                task.cancel()
            if pending:
                logger.warning("cancelling %d calls still running", len(pending))
                await asyncio.wait(pending)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Handle one connection: handshake, then the call."""
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("FastAGI connection outside a task")
        self._tasks.add(task)
        try:
            env = await self._handshake(reader)
            if env is not None:
                await self._run(reader, writer, env)
        except asyncio.CancelledError:
            # Only close() cancels this task, at the drain deadline, and it
            # waits for it; the call's own handler has stored its record by
            # now. Ending quietly here, rather than re-raising, is deliberate:
            # Python 3.11's StreamReaderProtocol calls task.exception() on
            # the finished task and logs the CancelledError as a crash.
            logger.info("connection closed by shutdown")
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _handshake(self, reader: asyncio.StreamReader) -> AGIEnvironment | None:
        """Read the environment under the handshake deadline; None on failure."""
        try:
            async with asyncio.timeout(self._handshake_timeout):
                return await read_environment(reader)
        except (TimeoutError, AGIHandshakeError, OSError) as exc:
            self.handshake_failures += 1
            reason = str(exc) or type(exc).__name__
            if isinstance(exc, TimeoutError | OSError) or "end of stream" in reason:
                # Port probes, health checks and callers gone mid-handshake are
                # routine (field case F14): counted, logged at debug only.
                logger.debug("FastAGI handshake abandoned: %s", reason)
            else:
                logger.warning("FastAGI handshake refused: %s", reason)
            return None

    async def _run(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        env: AGIEnvironment,
    ) -> None:
        """Run the handler with a session, counting the call while it is open."""
        label = env.get("agi_uniqueid")
        session = AGISession(
            reader, writer, reply_timeout=self._reply_timeout, label=label
        )
        self.calls_started += 1
        self.open_calls += 1
        logger.info("call %s: FastAGI script %s", label, env.script)
        try:
            await run_call(self._handler, session, env)
        finally:
            self.open_calls -= 1


async def start_fastagi_server(
    handler: AGIHandler,
    host: str = "127.0.0.1",
    port: int = 4573,
    *,
    handshake_timeout: float = 5.0,
    reply_timeout: float | None = None,
) -> FastAGIServer:
    """Start a FastAGI server on ``host:port`` (port 0 picks a free one)."""
    server = FastAGIServer(
        handler, handshake_timeout=handshake_timeout, reply_timeout=reply_timeout
    )
    await server.listen(host, port)
    return server
