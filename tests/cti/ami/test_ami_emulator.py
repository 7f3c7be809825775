"""The emulated Asterisk: transcript replay byte for byte, and reply shapes.

These tests talk to the emulator over a raw socket with their own tiny
framing, sharing no code with the client or its parser.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ami_field_cases import transcript_path
from ami_peer_fixtures import FakeSleep

from cti.ami.emulator import AMI_BANNER, AMIEmulator
from cti.ami.emulator_model import EmulatedQueue, QueueMember
from cti.ami.replay import TranscriptRecord, TranscriptReplayer, load_transcript


async def play_client(port: int, records: list[TranscriptRecord]) -> bytes:
    """Act the recorded client: send each ``out`` record, read all until EOF."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = asyncio.create_task(reader.read())
    for record in records:
        if record.direction == "out":
            writer.write(record.data)
    await writer.drain()
    data = await received
    writer.close()
    return data


@pytest.mark.parametrize("name", ["ami-events.jsonl", "ami-login-failure.jsonl"])
async def test_transcript_replayed_byte_for_byte(name: str) -> None:
    """A raw peer gets exactly the recorded bytes and then EOF."""
    records = load_transcript(transcript_path(name))
    replayer = TranscriptReplayer(records)
    port = await replayer.start()

    received = await play_client(port, records)
    await replayer.close()

    expected = b"".join(r.data for r in records if r.direction == "in")
    assert received == expected
    assert replayer.mismatches == []


async def test_replay_keeps_the_one_second_login_delay() -> None:
    """At pace 1 the recorded gaps go to the injected sleep (1.001 s here)."""
    records = load_transcript(transcript_path("ami-login-failure.jsonl"))
    sleep = FakeSleep()
    replayer = TranscriptReplayer(records, pace=1.0, sleep=sleep)
    port = await replayer.start()

    await play_client(port, records)
    await replayer.close()

    assert sleep.delays == [pytest.approx(1.001)]


async def test_replay_reports_a_client_that_deviates() -> None:
    """Bytes other than the recorded ones are reported, not silently accepted."""
    records = load_transcript(transcript_path("ami-login-failure.jsonl"))
    replayer = TranscriptReplayer(records)
    port = await replayer.start()
    changed = [
        TranscriptRecord(r.t, r.direction, r.data.replace(b"wrong", b"WRONG"), r.eof)
        for r in records
    ]

    await play_client(port, changed)
    await replayer.close()

    assert len(replayer.mismatches) == 1


def transcript_replies() -> dict[str, list[bytes]]:
    """The recorded replies per ActionID, split into messages."""
    records = load_transcript(transcript_path("ami-events.jsonl"))
    stream = b"".join(r.data for r in records if r.direction == "in")
    replies: dict[str, list[bytes]] = {}
    for block in stream.split(b"\r\n\r\n"):
        for line in block.split(b"\r\n"):
            if line.startswith(b"ActionID: "):
                replies.setdefault(line[10:].decode(), []).append(block)
    return replies


def keys(block: bytes) -> list[bytes]:
    """Header names of one message, in order."""
    return [line.split(b":", 1)[0] for line in block.split(b"\r\n") if line]


@pytest.fixture
async def emulator() -> AsyncIterator[AMIEmulator]:
    """The emulator with the recorded queues and members."""
    emu = AMIEmulator({"{AMI_USER}": "{AMI_SECRET}"}, sleep=FakeSleep())
    for name, strategy in (("q-noanswer", "linear"), ("q-answer", "rrmemory")):
        emu.queues[name] = EmulatedQueue(name, strategy=strategy)
    emu.queues["q-answer"].members["Local/agent1@agents/n"] = QueueMember(
        "Agent 1001", "Local/agent1@agents/n", "Custom:agent1"
    )
    await emu.start()
    yield emu
    await emu.close()


RECORDED_ACTIONS = [
    "cmd-1",
    "ping-1",
    "qs-1",
    "qsum-1",
    "qp-1",
    "qp-2",
    "qa-1",
    "qr-1",
    "qr-2",
    "orig-fail",
    "csc-1",
    "bad-1",
    "gv-1",
    "bye-1",
]


async def test_emulator_answers_the_recorded_actions_in_the_recorded_shapes(
    emulator: AMIEmulator,
) -> None:
    """Each recorded action gets a reply with the same headers in the same order."""
    records = load_transcript(transcript_path("ami-events.jsonl"))
    recorded = transcript_replies()
    outgoing = [r.data for r in records if r.direction == "out"]

    received = await play_client(
        emulator.port, [TranscriptRecord(0, "out", data) for data in outgoing]
    )

    ours: dict[str, list[bytes]] = {}
    for block in received.split(b"\r\n\r\n"):
        for line in block.split(b"\r\n"):
            if line.startswith(b"ActionID: "):
                ours.setdefault(line[10:].decode(), []).append(block)
    for action_id in RECORDED_ACTIONS:
        assert keys(ours[action_id][0]) == keys(recorded[action_id][0]), action_id
    assert ours["cmd-1"][0] == recorded["cmd-1"][0]
    assert ours["bye-1"][0] == recorded["bye-1"][0]
    assert ours["bad-1"][0] == recorded["bad-1"][0]
    assert ours["qr-2"][0] == recorded["qr-2"][0]


async def test_login_failure_as_recorded(emulator: AMIEmulator) -> None:
    """Banner, one-second delay, 'Authentication failed', then the close."""
    records = load_transcript(transcript_path("ami-login-failure.jsonl"))

    received = await play_client(emulator.port, records)

    assert received == b"".join(r.data for r in records if r.direction == "in")
    assert received.startswith(AMI_BANNER)


async def test_permission_denied_before_login(emulator: AMIEmulator) -> None:
    """An action before Login is refused as manager.c does (F26)."""
    ping = TranscriptRecord(0, "out", b"Action: Ping\r\nActionID: p1\r\n\r\n")
    bye = TranscriptRecord(0, "out", b"Action: Logoff\r\n\r\n")

    received = await play_client(emulator.port, [ping, bye])

    assert received == AMI_BANNER + (
        b"Response: Error\r\nActionID: p1\r\nMessage: Permission denied\r\n\r\n"
        b"Response: Goodbye\r\nMessage: Thanks for all the fish.\r\n\r\n"
    )
