"""Test helpers for the AGI tests: field cases, transcripts and fake peers.

Nothing here is shared with the Asterisk emulator (``ivr.sim``): the peers
below replay recorded bytes and check what our code sends, nothing more.
"""

from __future__ import annotations

import asyncio
import codecs
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared_material import shared_dir

from ivr.agi.session import AGISession


def wire(text: str) -> bytes:
    """Turn a bytes-literal body from the field cases into real bytes."""
    return codecs.escape_decode(text.encode("ascii"))[0]


def load_case(case_id: str) -> dict[str, Any]:
    """Return one field case from cases.json by its id."""
    cases = json.loads((shared_dir() / "field-cases" / "cases.json").read_text())
    matches = [case for case in cases if case["id"] == case_id]
    assert len(matches) == 1, case_id
    return dict(matches[0])


def case_ids(protocols: Sequence[str]) -> list[str]:
    """Ids of every field case for the given protocols."""
    cases = json.loads((shared_dir() / "field-cases" / "cases.json").read_text())
    return [case["id"] for case in cases if case["protocol"] in protocols]


def load_transcript(name: str, recdir: str = "") -> list[tuple[str, bytes]]:
    """Return a transcript as (direction, bytes) with ``{RECDIR}`` filled in."""
    path = shared_dir() / "field-cases" / "transcripts" / name
    rows = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        data = wire(entry["data"]).replace(b"{RECDIR}", recdir.encode())
        rows.append((entry["dir"], data))
    return rows


def wire_lines(data: bytes) -> list[bytes]:
    """Split a case's wire input into its lines, keeping the newlines."""
    return data.splitlines(keepends=True)


@dataclass
class Exchange:
    """One recorded command and the lines Asterisk sent after it."""

    command: bytes
    replies: list[bytes] = field(default_factory=list)


def split_transcript(
    rows: list[tuple[str, bytes]],
) -> tuple[list[bytes], list[Exchange]]:
    """Split a transcript into the environment lines and the exchanges."""
    environment: list[bytes] = []
    exchanges: list[Exchange] = []
    for direction, data in rows:
        if direction == "out":
            exchanges.append(Exchange(data))
        elif exchanges:
            exchanges[-1].replies.append(data)
        else:
            environment.append(data)
    return environment, exchanges


@dataclass
class PeerLog:
    """What a fake Asterisk saw: commands answered, skipped and inserted."""

    received: list[bytes] = field(default_factory=list)
    skipped: list[bytes] = field(default_factory=list)
    inserted: list[bytes] = field(default_factory=list)


async def answer_commands(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    exchanges: list[Exchange],
    extras: Mapping[bytes, bytes] | None = None,
) -> PeerLog:
    """Play Asterisk: answer each command with the recorded replies.

    A command that is not the next recorded one is answered from ``extras``
    (commands our code adds on purpose), or else matched further on; the
    recorded commands passed over are logged as skipped, as are those never
    sent before the connection closed.
    """
    log = PeerLog()
    pending = list(exchanges)
    while line := await reader.readline():
        log.received.append(line)
        if (not pending or pending[0].command != line) and extras and line in extras:
            log.inserted.append(line)
            writer.write(extras[line])
            await writer.drain()
            continue
        while pending and pending[0].command != line:
            log.skipped.append(pending.pop(0).command)
        if not pending:
            break
        for reply in pending.pop(0).replies:
            writer.write(reply)
        await writer.drain()
    log.skipped.extend(exchange.command for exchange in pending)
    writer.close()
    return log


@dataclass
class SessionPeer:
    """An AGISession connected to a fake Asterisk over a socket pair."""

    session: AGISession
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    async def send(self, data: bytes) -> None:
        """Write bytes as Asterisk would."""
        self.writer.write(data)
        await self.writer.drain()

    async def next_command(self) -> bytes:
        """Read the next command line our session sent."""
        return await self.reader.readline()
