"""Replay the recorded FastAGI transcripts against our server and channel.

A fake Asterisk connects to a real FastAGI server on a loopback port, sends
the recorded environment, and answers each command with the recorded bytes.
The handler drives :class:`AGIChannel` (or the session for commands the
channel does not wrap); the test then checks the exact commands sent and
how each reply was read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from agi_wire import PeerLog, answer_commands, load_transcript, split_transcript

from ivr.agi import commands
from ivr.agi.channel import AGIChannel
from ivr.agi.errors import AGIDeadChannelError
from ivr.agi.fastagi import start_fastagi_server
from ivr.agi.messages import AGIEnvironment
from ivr.agi.session import AGISession
from ivr.channel import CallerHungUp

Script = Callable[[AGISession, AGIChannel, dict[str, Any], str], Awaitable[None]]


async def replay(
    name: str,
    script: Script,
    recdir: str,
    extras: Mapping[bytes, bytes] | None = None,
) -> tuple[dict[str, Any], PeerLog, list[bytes]]:
    """Run ``script`` as the call handler against the recorded transcript."""
    seen: dict[str, Any] = {}
    environment, exchanges = split_transcript(load_transcript(name, recdir))

    async def handler(session: AGISession, env: AGIEnvironment) -> None:
        seen["env"] = env
        await script(session, AGIChannel(session, env), seen, recdir)
        seen["finished"] = True

    server = await start_fastagi_server(handler, "127.0.0.1", 0)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"".join(environment))
    log = await answer_commands(reader, writer, exchanges, extras)
    await server.close(drain_timeout=5)
    return seen, log, [exchange.command for exchange in exchanges]


async def menu(
    session: AGISession, channel: AGIChannel, seen: dict[str, Any], recdir: str
) -> None:
    """The menu call: every step of fastagi-menu.jsonl."""
    await channel.answer()
    seen["play"] = await channel.play(["demo-congrats"], escape_digits="0123456789*#")
    seen["four"] = await channel.collect(["beep"], max_digits=4, first_timeout=3)
    seen["two"] = await channel.collect(["beep"], max_digits=2, first_timeout=2)
    seen["wait"] = await channel.collect([], max_digits=1, first_timeout=1)
    await session.execute(commands.say_number(123))
    full = await session.execute(commands.get_full_variable("${CALLERID(num)}"))
    seen["full"] = full.value()
    await channel.set_variable("FOO", "bar baz")
    seen["foo"] = await channel.get_variable("FOO")
    seen["unset"] = await channel.get_variable("NO_SUCH_VAR")
    seen["status"] = (await session.execute(commands.channel_status())).result_int
    seen["exec"] = (await session.execute(commands.exec_app("Playback", "beep"))).result
    missing_app = commands.exec_app("NoSuchApplication", "x")
    seen["no_app"] = (await session.execute(missing_app)).result_int
    seen["gosub"] = (await session.execute(commands.gosub("sub", "s", "1"))).text
    seen["missing"] = await channel.play(["no-such-prompt"])
    seen["record"] = await channel.record(
        f"{recdir}/rec-silence", max_seconds=6, silence_seconds=2
    )
    seen["gone_after_record"] = channel.hung_up
    with pytest.raises(CallerHungUp):
        await channel.play(["demo-congrats"])
    seen["dead"] = session.dead
    seen["foo_dead"] = await channel.get_variable("FOO")
    with pytest.raises(AGIDeadChannelError):
        await session.execute(commands.answer())
    await channel.hangup()


async def test_menu_transcript(tmp_path: Path) -> None:
    """Keys, timeouts, variables, EXEC, GOSUB, a missing prompt and dead mode."""
    extras = {b"CHANNEL STATUS\n": b"200 result=6\n"}

    seen, log, recorded = await replay(
        "fastagi-menu.jsonl", menu, str(tmp_path), extras
    )
    after = recorded.index(b'STREAM FILE no-such-prompt ""\n') + 1
    expected = [*recorded[:after], b"CHANNEL STATUS\n", *recorded[after:-1]]

    assert seen.get("finished")
    assert log.received == expected
    assert log.skipped == [b"ANSWER\n"]
    assert log.inserted == [b"CHANNEL STATUS\n"]
    assert (seen["play"].digit, seen["play"].missing) == ("1", ())
    assert (seen["four"].digits, seen["four"].timed_out) == ("23", False)
    assert (seen["two"].digits, seen["two"].timed_out) == ("", True)
    assert (seen["wait"].digits, seen["wait"].timed_out) == ("", True)
    assert (seen["full"], seen["foo"], seen["unset"]) == (
        "13800000000",
        "bar baz",
        None,
    )
    assert (seen["status"], seen["exec"], seen["no_app"]) == (6, "0", -2)
    assert seen["gosub"] == "Gosub complete"
    assert seen["missing"].missing == ("no-such-prompt",)
    assert seen["record"].ended_by == "hangup" and seen["gone_after_record"]
    assert seen["dead"] and seen["foo_dead"] == "bar baz"
    assert seen["env"].call_info().caller == "13800000000"


async def record_hash(
    session: AGISession, channel: AGIChannel, seen: dict[str, Any], recdir: str
) -> None:
    """Record until '#', then wait for the caller to hang up."""
    await channel.answer()
    seen["record"] = await channel.record(f"{recdir}/rec-hash", max_seconds=10)
    await session.wait_hung_up()
    await channel.hangup()


async def test_record_hash_transcript(tmp_path: Path) -> None:
    """RECORD FILE ended by '#' (result=35 (dtmf)), then the HANGUP notice."""
    seen, log, recorded = await replay(
        "fastagi-record-hash.jsonl", record_hash, str(tmp_path)
    )

    assert seen.get("finished")
    assert log.received == recorded and log.skipped == []
    assert (seen["record"].ended_by, seen["record"].digit) == ("dtmf", "#")
    assert seen["record"].path == f"{tmp_path}/rec-hash"


async def record_hangup(
    session: AGISession, channel: AGIChannel, seen: dict[str, Any], recdir: str
) -> None:
    """Record until the caller hangs up, then read RECORD_STATUS."""
    await channel.answer()
    seen["record"] = await channel.record(f"{recdir}/rec-hangup", max_seconds=20)
    seen["status"] = await channel.get_variable("RECORD_STATUS")
    seen["hung_up"] = session.hung_up
    await channel.hangup()


async def test_record_hangup_transcript(tmp_path: Path) -> None:
    """HANGUP between GET VARIABLE and its reply; the reply is still read."""
    seen, log, recorded = await replay(
        "fastagi-record-hangup.jsonl", record_hangup, str(tmp_path)
    )

    assert seen.get("finished")
    assert log.received == recorded and log.skipped == []
    assert seen["record"].ended_by == "hangup"
    assert (seen["status"], seen["hung_up"]) == (None, True)


async def queue_answer(
    session: AGISession, channel: AGIChannel, seen: dict[str, Any], recdir: str
) -> None:
    """Queue with continue; an agent answers; read the result; hang up."""
    await channel.answer()
    seen["queue"] = await channel.queue("q-answer", timeout=30)
    await channel.hangup()


async def test_queue_answer_transcript(tmp_path: Path) -> None:
    """QUEUESTATUS CONTINUE with ANSWEREDTIME 4 means an agent answered."""
    seen, log, recorded = await replay(
        "fastagi-queue-answer.jsonl", queue_answer, str(tmp_path)
    )
    result = seen["queue"]

    assert log.received == recorded and log.skipped == []
    assert (result.status, result.answered, result.answered_time) == (
        "CONTINUE",
        True,
        4.0,
    )
    assert result.member is None


def queue_exec(name: str, seconds: str) -> Script:
    """A script that runs Queue by hand and reads only QUEUESTATUS."""

    async def script(
        session: AGISession, channel: AGIChannel, seen: dict[str, Any], recdir: str
    ) -> None:
        await channel.answer()
        command = commands.exec_app("Queue", name, "c", "", "", seconds)
        seen["exec"] = (await session.execute(command)).result
        seen["status"] = await channel.get_variable("QUEUESTATUS")
        if seconds == "20":
            await channel.hangup()

    return script


@pytest.mark.parametrize(
    ("transcript", "queue", "seconds"),
    [
        ("fastagi-queue-noanswer.jsonl", "q-noanswer", "20"),
        ("fastagi-queue-timeout.jsonl", "q-noanswer", "3"),
    ],
)
async def test_queue_exec_transcripts(
    tmp_path: Path, transcript: str, queue: str, seconds: str
) -> None:
    """EXEC Queue returns 0 and QUEUESTATUS reads back as CONTINUE."""
    script = queue_exec(queue, seconds)

    seen, log, recorded = await replay(transcript, script, str(tmp_path))

    assert log.received == recorded and log.skipped == []
    assert (seen["exec"], seen["status"]) == ("0", "CONTINUE")


async def hangup_before_answer(
    session: AGISession, channel: AGIChannel, seen: dict[str, Any], recdir: str
) -> None:
    """The caller is gone before ANSWER; nothing but dead-mode commands go out."""
    with pytest.raises(CallerHungUp):
        await channel.answer()
    with pytest.raises(CallerHungUp):
        await channel.play(["beep"])
    seen["hung_up"] = channel.hung_up
    await channel.hangup()


async def test_hangup_before_answer_transcript(tmp_path: Path) -> None:
    """HANGUP then 511 for ANSWER; STREAM FILE is never sent afterwards."""
    seen, log, _ = await replay(
        "fastagi-hangup-before-answer.jsonl", hangup_before_answer, str(tmp_path)
    )

    assert seen.get("finished") and seen["hung_up"]
    assert log.received == [b"ANSWER\n"]
    assert log.skipped == [b'STREAM FILE beep ""\n']
