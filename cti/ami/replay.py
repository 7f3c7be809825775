"""Replay of a recorded AMI session to a client, byte for byte.

Transcripts are the JSON-lines recordings in ``shared/field-cases/
transcripts``: ``{"t", "dir", "data"}`` with ``data`` a Python bytes-literal
body and ``<EOF>`` for the end of the stream. The replayer plays Asterisk:
it writes every ``in`` record and, for every ``out`` record, reads exactly
those bytes from the client and records a mismatch if they differ.
"""

from __future__ import annotations

import asyncio
import codecs
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["TranscriptRecord", "TranscriptReplayer", "load_transcript"]

logger = logging.getLogger("cti.ami.replay")

_EOF = "<EOF>"


@dataclass(frozen=True, slots=True)
class TranscriptRecord:
    """One recorded chunk: when, which way, and its bytes (or end of stream)."""

    t: float
    direction: str
    data: bytes
    eof: bool = False


def load_transcript(path: Path) -> list[TranscriptRecord]:
    """Read a ``.jsonl`` transcript into records."""
    records = []
    for line in path.read_text(encoding="ascii").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        eof = item["data"] == _EOF
        data = b"" if eof else codecs.escape_decode(item["data"].encode("ascii"))[0]
        records.append(TranscriptRecord(float(item["t"]), item["dir"], data, eof))
    return records


class TranscriptReplayer:
    """Serve a transcript to each connecting client.

    ``pace`` scales the recorded gaps (0 replays at once; 1 keeps the
    recorded timing, such as the one-second login failure delay) through
    the injectable ``sleep``.
    """

    def __init__(
        self,
        records: list[TranscriptRecord],
        *,
        pace: float = 0.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.records = records
        self.pace = pace
        self.mismatches: list[str] = []
        self.finished = asyncio.Event()
        self._sleep = sleep
        self._server: asyncio.Server | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen and return the port."""
        self._server = await asyncio.start_server(self._serve, host, port)
        port_number: int = self._server.sockets[0].getsockname()[1]
        return port_number

    async def close(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            await self._play(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            self.mismatches.append(f"client went away: {exc!r}")
        finally:
            writer.close()
            self.finished.set()

    async def _play(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        previous = self.records[0].t if self.records else 0.0
        for number, record in enumerate(self.records, start=1):
            if self.pace and record.t > previous:
                await self._sleep((record.t - previous) * self.pace)
            previous = record.t
            if record.eof:
                await writer.drain()
                return
            if record.direction == "in":
                writer.write(record.data)
                continue
            received = await reader.readexactly(len(record.data))
            if received != record.data:
                self.mismatches.append(f"record {number}: got {received!r}")
                return
        await writer.drain()
