"""A TCP fault-injection proxy for tests: forward, cut, stall, restore.

Placed between a client and a server (here the ticket desk and
PostgreSQL), it forwards bytes both ways until told otherwise:
``cut()`` resets every open connection and refuses new ones (the server
is gone), ``stall()`` keeps accepting but forwards nothing (the server
hangs), ``restore()`` goes back to forwarding.
"""

from __future__ import annotations

import asyncio
import contextlib


class FaultProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target_host:target_port``."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._mode = "forward"
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def start(self) -> None:
        """Listen on a free port (``self.port``)."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def cut(self) -> None:
        """Reset every open connection and refuse new ones."""
        self._mode = "cut"
        self._drop_all()

    def stall(self) -> None:
        """Accept connections but forward nothing (a hung server)."""
        self._mode = "stall"
        self._drop_all()

    def restore(self) -> None:
        """Forward again."""
        self._mode = "forward"

    async def close(self) -> None:
        """Stop listening and drop everything."""
        self._drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if self._mode == "cut":
            writer.transport.abort()
            return
        self._writers.add(writer)
        if self._mode == "stall":
            with contextlib.suppress(ConnectionError):
                await reader.read()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        pumps = [
            asyncio.create_task(_pump(reader, up_writer)),
            asyncio.create_task(_pump(up_reader, writer)),
        ]
        self._tasks.update(pumps)
        await asyncio.gather(*pumps, return_exceptions=True)
        self._tasks.difference_update(pumps)
        for side in (writer, up_writer):
            side.transport.abort()
            self._writers.discard(side)


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await source.read(65536):
            sink.write(data)
            await sink.drain()
    sink.transport.abort()
