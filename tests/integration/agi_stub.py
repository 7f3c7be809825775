"""A scripted FastAGI peer for dialplan tests that do not need the service.

It accepts one or more sessions, keeps each session's environment block,
sends a fixed list of AGI commands (reading one reply per command) and
closes the connection. It knows nothing of the project's AGI code on
purpose: these tests check the dialplan, not our parser.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

__all__ = ["AGIStub"]


@dataclass
class AGIStub:
    """A FastAGI server that runs ``commands`` on every session."""

    commands: tuple[str, ...]
    sessions: list[dict[str, str]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    _server: asyncio.Server | None = None

    async def start(self, port: int) -> None:
        """Listen on 127.0.0.1:``port``."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)

    async def close(self) -> None:
        """Stop listening and wait for the server to close."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            self.sessions.append(await _read_environment(reader))
            for command in self.commands:
                writer.write(command.encode("ascii") + b"\n")
                await writer.drain()
                self.replies.append((await reader.readline()).decode().strip())
        finally:
            writer.close()
            await writer.wait_closed()
            self.finished.set()


async def _read_environment(reader: asyncio.StreamReader) -> dict[str, str]:
    """Read ``agi_key: value`` lines up to the blank line that ends them."""
    environment: dict[str, str] = {}
    while True:
        line = (await reader.readline()).decode("utf-8", "replace")
        if not line.strip():
            return environment
        key, _, value = line.rstrip("\n").partition(": ")
        environment[key] = value
