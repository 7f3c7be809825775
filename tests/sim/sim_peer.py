"""Test helpers: the shared folder, and FastAGI peers written with plain asyncio.

These peers are deliberately naive socket code (no ``ivr.agi``): a server
that follows a recorded transcript byte by byte, and a server that runs a
small scripted conversation.
"""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from shared_material import shared_dir

from ivr.sim import CallerBehaviour, CallLog, CallSetup, FastAGIEmulator
from ivr.sim.replay import TranscriptEntry

DEADLINE = 10.0


def transcripts() -> list[Path]:
    """Every recorded FastAGI session."""
    folder = shared_dir() / "field-cases" / "transcripts"
    return sorted(folder.glob("fastagi-*.jsonl"))


def recorded_environment(entries: list[TranscriptEntry]) -> dict[str, str]:
    """The ``agi_*`` lines at the start of a transcript, as a dict."""
    env: dict[str, str] = {}
    for entry in entries:
        line = entry.data.decode().rstrip("\n")
        if entry.direction != "in" or not line:
            break
        name, _, value = line.partition(": ")
        env[name] = value
    return env


def setup_from(env: dict[str, str]) -> CallSetup:
    """A CallSetup that reproduces a recorded environment exactly."""
    return CallSetup(
        script=env["agi_network_script"],
        request=env["agi_request"],
        channel=env["agi_channel"],
        channel_type=env["agi_type"],
        language=env["agi_language"],
        uniqueid=env["agi_uniqueid"],
        callerid=env["agi_callerid"],
        calleridname=env["agi_calleridname"],
        context=env["agi_context"],
        extension=env["agi_extension"],
        priority=int(env["agi_priority"]),
        threadid=int(env["agi_threadid"]),
    )


@dataclass
class RecordedPeer:
    """A FastAGI server that plays the recorded ``out`` side of a transcript.

    ``received`` collects what arrived where ``in`` entries were recorded
    (read exactly as long as the recording); ``after`` is whatever came
    after the peer, done with its script, shut its sending side.
    """

    entries: list[TranscriptEntry]
    received: bytes = b""
    after: bytes = b""
    done: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            for entry in self.entries:
                if entry.direction == "out":
                    writer.write(entry.data)
                    await writer.drain()
                else:
                    self.received += await reader.readexactly(len(entry.data))
            writer.write_eof()
            self.after = await reader.read()
        except asyncio.IncompleteReadError as exc:
            self.received += exc.partial
        finally:
            writer.close()
            self.done.set()


Conversation = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def fastagi_server(
    handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[int]:
    """Serve ``handler`` on a spare local port; yield the port."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0, backlog=512)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def read_environment(reader: asyncio.StreamReader) -> dict[str, str]:
    """Read ``agi_*`` lines up to the blank line."""
    env: dict[str, str] = {}
    while (line := (await reader.readline()).decode()) not in ("\n", ""):
        name, _, value = line.rstrip("\n").partition(": ")
        env[name] = value
    return env


class Talk:
    """One side of a scripted conversation: send a command, read lines back."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.reader = reader
        self.writer = writer

    async def line(self) -> str:
        """The next line from the emulator ("" at end of stream)."""
        async with asyncio.timeout(DEADLINE):
            return (await self.reader.readline()).decode()

    async def ask(self, command: str) -> str:
        """Send a command; return the first line that is not the HANGUP notice."""
        self.writer.write(command.encode() + b"\n")
        await self.writer.drain()
        reply = await self.line()
        while reply == "HANGUP\n":
            reply = await self.line()
        return reply

    async def send(self, command: str) -> None:
        """Send a command without reading."""
        self.writer.write(command.encode() + b"\n")
        await self.writer.drain()


async def converse(
    caller: CallerBehaviour,
    conversation: Callable[[Talk, dict[str, str]], Awaitable[None]],
    **options: Any,
) -> CallLog:
    """Run one emulated call against a server that runs ``conversation``."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            env = await read_environment(reader)
            await conversation(Talk(reader, writer), env)
        finally:
            writer.close()

    async with fastagi_server(handle) as port:
        async with asyncio.timeout(DEADLINE):
            return await FastAGIEmulator("127.0.0.1", port, caller, **options).run()


@contextmanager
def typed_keyboard() -> Iterator[tuple[TextIO, Callable[[str], None]]]:
    """A terminal stand-in: a pipe nobody types into until ``type_line`` is called.

    Yields the keyboard stream and ``type_line(text)``; the write side closes
    at the end (end-of-file for the reader).
    """
    read_fd, write_fd = os.pipe()
    keyboard = open(read_fd, encoding="utf-8")

    def type_line(text: str) -> None:
        os.write(write_fd, text.encode())

    try:
        yield keyboard, type_line
    finally:
        os.close(write_fd)
        keyboard.close()


class WatchedOut(io.StringIO):
    """Terminal output a test can wait on: ``await out.shows(text, times)``."""

    def __init__(self) -> None:
        super().__init__()
        self._changed = asyncio.Event()

    def write(self, text: str) -> int:
        """Keep the text and wake whoever waits for it."""
        self._changed.set()
        return super().write(text)

    async def shows(self, text: str, times: int = 1) -> None:
        """Return once ``text`` has been written ``times`` times."""
        async with asyncio.timeout(DEADLINE):
            while self.getvalue().count(text) < times:
                self._changed.clear()
                await self._changed.wait()
