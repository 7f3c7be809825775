"""The emulator against Asterisk 22.10.1's own recordings, byte for byte."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sim_peer import (
    DEADLINE,
    RecordedPeer,
    fastagi_server,
    recorded_environment,
    setup_from,
    transcripts,
)

from ivr.sim import (
    FastAGIEmulator,
    PromptLibrary,
    QueueOutcome,
    RecordOutcome,
    ScriptedCaller,
    load_transcript,
    replay_transcript,
)

RECDIR = "/var/spool/asterisk/recording"
PATHS = transcripts()


def _caller_for(name: str) -> ScriptedCaller:
    """A scripted caller doing what the recorded caller did."""
    callers = {
        "fastagi-menu": ScriptedCaller(
            "1 23#",
            barge_in=True,
            barge_after=1.72,
            record=RecordOutcome("hangup", seconds=0.0),
        ),
        "fastagi-record-hash": ScriptedCaller(
            record=RecordOutcome("dtmf", "#", 0.0), hangup_after_command=2
        ),
        "fastagi-record-hangup": ScriptedCaller(
            record=RecordOutcome("hangup", seconds=0)
        ),
        "fastagi-queue-answer": ScriptedCaller(
            queue=QueueOutcome(answered_after=2.5, talk_seconds=4.0)
        ),
        "fastagi-queue-noanswer": ScriptedCaller(
            queue=QueueOutcome(answered_after=7.5)
        ),
        "fastagi-queue-timeout": ScriptedCaller(queue=QueueOutcome(answered_after=2.5)),
        "fastagi-hangup-before-answer": ScriptedCaller(hangup_before_start=True),
    }
    return callers[name]


def _recorded_in(path: Path) -> bytes:
    entries = load_transcript(path, {"RECDIR": RECDIR})
    return b"".join(entry.data for entry in entries if entry.direction == "in")


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
async def test_live_emulator_sends_recorded_bytes(path: Path) -> None:
    """Driven like the recorded caller, the emulator sends Asterisk's exact bytes.

    Environment, replies, the HANGUP notice and 511s all match the recording;
    after the peer closes, the emulator says HANGUP once more as run_agi() does.
    """
    entries = load_transcript(path, {"RECDIR": RECDIR})
    peer = RecordedPeer(entries)
    setup = setup_from(recorded_environment(entries))
    prompts = PromptLibrary(known={"demo-congrats"})

    async with fastagi_server(peer.handle) as port:
        emulator = FastAGIEmulator(
            "127.0.0.1", port, _caller_for(path.stem), setup=setup, prompts=prompts
        )
        async with asyncio.timeout(DEADLINE):
            await emulator.run()
            await peer.done.wait()

    assert peer.received.decode() == _recorded_in(path).decode()
    assert peer.after == b"HANGUP\n"


@pytest.mark.parametrize("path", PATHS, ids=[path.stem for path in PATHS])
async def test_replay_sends_recorded_bytes(path: Path) -> None:
    """Replay plays the recorded side exactly and finds every command as recorded."""
    entries = load_transcript(path, {"RECDIR": RECDIR})
    peer = RecordedPeer(entries)

    async with fastagi_server(peer.handle) as port:
        async with asyncio.timeout(DEADLINE):
            report = await replay_transcript(
                path, "127.0.0.1", port, substitutions={"RECDIR": RECDIR}
            )
            await peer.done.wait()

    assert report.ok, report.mismatches
    assert report.commands == sum(entry.direction == "out" for entry in entries)
    assert peer.received == _recorded_in(path)
    assert peer.after == b""


async def test_replay_reports_a_different_command(transcript_paths: list[Path]) -> None:
    """A server that sends something else than recorded is reported, not hidden."""
    path = next(p for p in transcript_paths if p.stem == "fastagi-queue-timeout")
    entries = load_transcript(path)
    altered = [
        entry if entry.data != b"ANSWER\n" else type(entry)(entry.t, "out", b"NOOP\n")
        for entry in entries
    ]
    peer = RecordedPeer(altered)

    async with fastagi_server(peer.handle) as port:
        async with asyncio.timeout(DEADLINE):
            report = await replay_transcript(path, "127.0.0.1", port)
            await peer.done.wait()

    assert not report.ok
    assert report.mismatches[0].expected == b"ANSWER\n"
    assert report.mismatches[0].actual == b"NOOP\n"
