"""Replay of recorded FastAGI sessions, playing Asterisk's recorded side.

A transcript (``shared/field-cases/transcripts/fastagi-*.jsonl``) holds one
JSON object per line: ``t`` (seconds), ``dir`` (``in`` from Asterisk, ``out``
to Asterisk) and ``data`` (a Python bytes-literal body). Replaying connects to
a FastAGI server, sends the recorded ``in`` bytes in order and checks each
command the server sends against the recorded ``out`` line. Because ``in``
entries are sent exactly where they were recorded, a ``HANGUP`` notice that
arrived between a command and its reply arrives there again.
"""

from __future__ import annotations

import asyncio
import codecs
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import NoServiceError, TranscriptError

__all__ = [
    "Mismatch",
    "ReplayReport",
    "TranscriptEntry",
    "load_transcript",
    "replay_transcript",
]


@dataclass(frozen=True, slots=True)
class TranscriptEntry:
    """One recorded write: ``in`` came from Asterisk, ``out`` went to it."""

    t: float
    direction: Literal["in", "out"]
    data: bytes


def load_transcript(
    path: str | Path, substitutions: Mapping[str, str] | None = None
) -> list[TranscriptEntry]:
    """Read a transcript; ``{NAME}`` placeholders become ``substitutions[NAME]``."""
    entries = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if line.strip():
            entries.append(_entry(line, number, substitutions or {}))
    return entries


def _entry(line: str, number: int, substitutions: Mapping[str, str]) -> TranscriptEntry:
    try:
        record = json.loads(line)
        direction = record["dir"]
        data = codecs.escape_decode(record["data"].encode("ascii"))[0]
        t = float(record["t"])
    except (ValueError, KeyError, TypeError, UnicodeEncodeError) as exc:
        raise TranscriptError(f"unreadable entry ({exc})", number) from exc
    if direction not in ("in", "out"):
        raise TranscriptError(f"unknown direction {direction!r}", number)
    for name, value in substitutions.items():
        data = data.replace(f"{{{name}}}".encode(), value.encode())
    return TranscriptEntry(t, direction, data)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A command that differs from the recording (``index`` into the entries)."""

    index: int
    expected: bytes
    actual: bytes


@dataclass(slots=True)
class ReplayReport:
    """What a replay found."""

    path: str
    commands: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every command matched the recording."""
        return not self.mismatches


async def replay_transcript(
    path: str | Path,
    host: str,
    port: int,
    *,
    substitutions: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> ReplayReport:
    """Play Asterisk's recorded side of ``path`` against a FastAGI server.

    Each expected command is awaited for at most ``timeout`` seconds; a
    command that does not come (or the server closing) is a mismatch with
    empty ``actual``, and the replay stops there.
    """
    entries = load_transcript(path, substitutions)
    report = ReplayReport(str(path))
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        raise NoServiceError(host, port) from exc
    try:
        await _play(entries, reader, writer, report, timeout)
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except ConnectionError:
            pass
    return report


async def _play(
    entries: list[TranscriptEntry],
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    report: ReplayReport,
    timeout: float,
) -> None:
    for index, entry in enumerate(entries):
        if entry.direction == "in":
            writer.write(entry.data)
            await writer.drain()
            continue
        report.commands += 1
        actual = await _read_line(reader, timeout)
        if actual != entry.data:
            report.mismatches.append(Mismatch(index, entry.data, actual))
        if not actual:
            return


async def _read_line(reader: asyncio.StreamReader, timeout: float) -> bytes:
    try:
        async with asyncio.timeout(timeout):
            return await reader.readline()
    except (TimeoutError, ConnectionError):
        return b""
