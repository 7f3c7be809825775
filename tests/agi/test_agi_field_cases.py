"""Every agi/fastagi field case, fed to the real parser, session and server.

Each case's ``wire_input`` goes through the code the service runs, split in
several ways, and the test asserts the case's ``expected_behaviour``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from agi_wire import SessionPeer, case_ids, load_case, wire, wire_lines

from ivr.agi import commands
from ivr.agi.channel import AGIChannel
from ivr.agi.commands import Command
from ivr.agi.errors import (
    AGIAsteriskError,
    AGICommandError,
    AGIConnectionClosed,
    AGIDeadChannelError,
    AGIInvalidCommandError,
    AGIUsageError,
)
from ivr.agi.fastagi import start_fastagi_server
from ivr.agi.messages import AGIEnvironment, Reply
from ivr.agi.parser import EnvironmentParser, ReplyParser
from ivr.channel import CallerHungUp

Check = Callable[[dict[str, Any], SessionPeer], Awaitable[None]]
CHUNKS = [1, 3, 7, 4096]


def feed_in_chunks(data: bytes, size: int) -> list[Any]:
    """Feed bytes to a fresh ReplyParser ``size`` bytes at a time."""
    parser = ReplyParser()
    messages = []
    for start in range(0, len(data), size):
        messages.extend(parser.feed(data[start : start + size]))
    return messages


async def run(peer: SessionPeer, command: Command, reply: bytes) -> Reply:
    """Execute ``command`` while the peer answers with ``reply``."""
    task = asyncio.create_task(peer.session.execute(command))
    await peer.next_command()
    await peer.send(reply)
    return await task


def environment(**values: str) -> AGIEnvironment:
    """A minimal environment for channel tests."""
    return AGIEnvironment(values={"agi_uniqueid": "1.1", **values})


async def check_f01(case: dict[str, Any], peer: SessionPeer) -> None:
    """520- ... 520 is one usage error; the next reply is not shifted."""
    data = wire(case["wire_input"])
    for size in CHUNKS:
        (reply,) = feed_in_chunks(data, size)
        assert (reply.code, reply.usage.splitlines()[1]) == (520, "")
        assert "Usage: STREAM FILE" in reply.usage
    with pytest.raises(AGIUsageError) as caught:
        await run(peer, Command("STREAM FILE"), data)
    after = await run(peer, commands.answer(), b"200 result=0\n")
    one_line = b"520 Invalid command syntax.  Proper usage not available.\n"
    with pytest.raises(AGIUsageError):
        await run(peer, Command("STREAM FILE"), one_line)

    assert "Send the given file" in caught.value.help
    assert caught.value.raw == data
    assert after.result == "0"


async def check_f03(case: dict[str, Any], peer: SessionPeer) -> None:
    """result=-1 is returned; 511 (whatever its text) switches to dead mode."""
    first, dead = wire_lines(wire(case["wire_input"]))
    failed = await run(peer, commands.stream_file("x"), first)
    with pytest.raises(CallerHungUp):
        await run(peer, commands.answer(), dead)
    with pytest.raises(AGIDeadChannelError):
        await peer.session.execute(commands.stream_file("y"))
    value = await run(peer, commands.get_variable("A"), b"200 result=1 (b)\n")

    assert failed.failed and failed.endpos == 0
    assert peer.session.dead
    assert value.value() == "b"
    old_text = b"511 Command Not Permitted on a dead channel\n"
    assert feed_in_chunks(old_text, 4096)[0].code == 511


async def check_f04(case: dict[str, Any], peer: SessionPeer) -> None:
    """HANGUP between a command and its reply is a notice, not the reply."""
    streamed, notice, channel_name = wire_lines(wire(case["wire_input"]))
    await run(peer, commands.stream_file("demo"), streamed)
    reply = await run(peer, commands.get_variable("CHANNEL"), notice + channel_name)
    with pytest.raises(CallerHungUp):
        await peer.session.execute(commands.answer())
    later = await run(peer, commands.set_variable("DONE", "1"), b"200 result=1\n")

    assert reply.value() == "PJSIP/100-00000001"
    assert peer.session.hung_up
    assert later.result == "1"


async def check_f07(case: dict[str, Any], peer: SessionPeer) -> None:
    """GET DATA: empty result with (timeout) is ('', True), never an error."""
    data = wire(case["wire_input"])
    for size in CHUNKS:
        replies = feed_in_chunks(data, size)
        assert [r.get_data() for r in replies[:3]] == [
            ("", True),
            ("12", True),
            ("1234", False),
        ]
        assert replies[3].failed
    channel = AGIChannel(peer.session, environment())
    task = asyncio.create_task(channel.collect(["beep"], max_digits=4, first_timeout=3))
    assert await peer.next_command() == b"GET DATA beep 3000 4\n"
    await peer.send(wire_lines(data)[0])
    result = await task

    assert (result.digits, result.timed_out) == ("", True)


async def check_f08(case: dict[str, Any], peer: SessionPeer) -> None:
    """100 Trying... is skipped; the final reply's text and 503 are exposed."""
    lines = wire_lines(wire(case["wire_input"]))
    gosub = commands.gosub("sub-menu", "s", "1")
    complete = await run(peer, gosub, lines[0] + lines[1])
    abnormal = await run(peer, gosub, lines[2] + lines[3])
    missing = await run(peer, gosub, lines[4])
    with pytest.raises(AGIAsteriskError) as caught:
        await run(peer, gosub, lines[5])

    assert complete.text == "Gosub complete"
    assert abnormal.text == "Gosub complete (abnormal exit)"
    assert (missing.failed, missing.text) == (True, "Gosub label not found")
    assert caught.value.raw == lines[5]


async def check_f09(case: dict[str, Any], peer: SessionPeer) -> None:
    """A stray empty line is skipped; EOF raises a hang-up, not ValueError."""
    stray = wire(case["wire_input"])
    verbose = commands.verbose("Phone number = 138******00")
    reply = await run(peer, verbose, stray + b"200 result=1\n")
    task = asyncio.create_task(peer.session.execute(verbose))
    await peer.next_command()
    await peer.send(stray)
    peer.writer.close()
    with pytest.raises(AGIConnectionClosed):
        await task

    assert reply.result == "1"
    assert peer.session.closed and peer.session.hung_up


async def check_f10(case: dict[str, Any], peer: SessionPeer) -> None:
    """ASCII codes become keys; -1 is checked: missing prompt or hang-up."""
    lines = wire_lines(wire(case["wire_input"]))
    digits = [reply.digit() for reply in feed_in_chunks(b"".join(lines), 5)]
    channel = AGIChannel(peer.session, environment())
    task = asyncio.create_task(channel.play(["missing", "next"], escape_digits="1"))
    await peer.next_command()
    await peer.send(lines[3])
    status = await peer.next_command()
    await peer.send(b"200 result=6\n")
    await peer.next_command()
    await peer.send(lines[0])
    played = await task
    gone = asyncio.create_task(channel.play(["again"]))
    await peer.next_command()
    await peer.send(lines[3] + b"HANGUP\n")
    with pytest.raises(CallerHungUp):
        await gone

    assert digits == ["1", "#", None, None]
    assert status == b"CHANNEL STATUS\n"
    assert (played.digit, played.missing) == ("1", ("missing",))
    assert channel.hung_up


async def check_f12(case: dict[str, Any], peer: SessionPeer) -> None:
    """Any order, empty values kept, 'unknown' is None, args by number."""
    data = wire(case["wire_input"])
    for size in CHUNKS:
        parser = EnvironmentParser()
        done = [parser.feed(data[i : i + size]) for i in range(0, len(data), size)]
        env = parser.environment()
        info = env.call_info()
        assert done[-1] and parser.remainder == b""
        assert env.get("agi_accountcode", "missing") == ""
        assert env.get("agi_callingtns") == "0"
        assert (info.caller, info.caller_name, info.dnid) == (None, None, None)
        assert env.known("agi_rdnis") is None
        assert dict(env.args) == {1: "", 2: "sales"}
        assert info.script == "ivr"
    latin = EnvironmentParser()
    latin.feed(b"agi_calleridname: Jos\xe9\n\n")
    assert latin.environment().calleridname == "Jos\ufffd"


async def check_f14(case: dict[str, Any], peer: SessionPeer) -> None:
    """EOF before the blank line: no handler, a counted, quiet failure."""
    started: list[AGIEnvironment] = []

    async def handler(session: object, env: AGIEnvironment) -> None:
        started.append(env)

    server = await start_fastagi_server(handler, "127.0.0.1", 0)
    for payload in (wire(case["wire_input"]), b""):
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(payload)
        writer.write_eof()
        assert await reader.read() == b""
        writer.close()
        await writer.wait_closed()
    await server.close(drain_timeout=1)

    assert started == []
    assert server.handshake_failures == 2


async def check_f15(case: dict[str, Any], peer: SessionPeer) -> None:
    """Only framed lines go out; 510 is reported as our own bug."""
    for bad in ("a\nb", "a\rb"):
        with pytest.raises(AGICommandError):
            commands.verbose(bad).encode()
    with pytest.raises(AGICommandError):
        Command("VERBOSE", ("x",) * 127).encode()
    with pytest.raises(AGICommandError):
        commands.verbose("x" * 8200).encode()
    with pytest.raises(AGIInvalidCommandError):
        await run(peer, Command("NO SUCH"), wire(case["wire_input"]))
    quoted = commands.set_variable("B", 'say "hi" \\ <table dir="rtl">').encode()

    assert quoted == b'SET VARIABLE B "say \\"hi\\" \\\\ <table dir=\\"rtl\\">"\n'
    assert commands.stream_file("beep").encode() == b'STREAM FILE beep ""\n'


CHECKS: dict[str, Check] = {
    "F01": check_f01,
    "F03": check_f03,
    "F04": check_f04,
    "F07": check_f07,
    "F08": check_f08,
    "F09": check_f09,
    "F10": check_f10,
    "F12": check_f12,
    "F14": check_f14,
    "F15": check_f15,
}


@pytest.mark.parametrize("case_id", case_ids(["agi", "fastagi"]))
async def test_field_case(
    case_id: str, peer: SessionPeer, caplog: pytest.LogCaptureFixture
) -> None:
    """The case's wire input gives the case's expected behaviour."""
    caplog.set_level(logging.DEBUG)
    check = CHECKS.get(case_id)
    assert check is not None, f"no check written for field case {case_id}"

    await check(load_case(case_id), peer)

    assert not [record for record in caplog.records if record.exc_info]
