"""Scripted and keyboard callers: key tokens, barge-in, running out of tokens."""

from __future__ import annotations

import io

import pytest
from sim_peer import Talk, WatchedOut, converse, typed_keyboard

from ivr.sim import (
    CallerScriptError,
    CallLog,
    InteractiveCaller,
    ScriptedCaller,
    parse_tokens,
)
from ivr.sim.wire import NOT_PERMITTED


async def test_tokens_one_two_none_hangup() -> None:
    """`1 2 _ !`: GET DATA gets 1, a WAIT FOR DIGIT run gets 2, then none, then gone."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        for command in [
            "ANSWER",
            "GET DATA menu 3000 1",
            'STREAM FILE sub "123"',
            "WAIT FOR DIGIT 3000",
            "WAIT FOR DIGIT 3000",
            "GET DATA again 3000 1",
            "GET DATA again 3000 1",
        ]:
            lines.append(await peer.ask(command))
        await peer.send('STREAM FILE bye ""')
        lines.extend([await peer.line(), await peer.line()])

    log = await converse(ScriptedCaller("1 2 _ !"), talk)

    assert lines == [
        "200 result=0\n",
        "200 result=1\n",
        "200 result=0 endpos=24000\n",
        "200 result=50\n",
        "200 result=0\n",
        "200 result= (timeout)\n",
        "200 result=-1\n",
        "HANGUP\n",
        NOT_PERMITTED,
    ]
    assert [e.value for e in log.of_kind("keys")] == ["1", "2", "", ""]
    assert log.hung_up_by == "caller"


async def test_multi_key_token_feeds_a_wait_for_digit_run() -> None:
    """`23#` is pressed one key per WAIT FOR DIGIT; GET DATA takes a whole token."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        for command in ["WAIT FOR DIGIT 1000"] * 3 + ["GET DATA x 2000 4"] * 2:
            lines.append(await peer.ask(command))

    await converse(ScriptedCaller("23# 45"), talk)

    assert lines == [
        "200 result=50\n",
        "200 result=51\n",
        "200 result=35\n",
        "200 result=45 (timeout)\n",
        "200 result= (timeout)\n",
    ]


async def test_barge_in_presses_first_key_during_prompt() -> None:
    """With barge_in, a prompt that accepts the key is interrupted by it."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        lines.append(await peer.ask('STREAM FILE menu "0123456789"'))
        lines.append(await peer.ask("WAIT FOR DIGIT 2000"))
        lines.append(await peer.ask("WAIT FOR DIGIT 2000"))

    await converse(ScriptedCaller("12", barge_in=True, barge_after=0.5), talk)

    assert lines == [
        "200 result=49 endpos=4000\n",
        "200 result=50\n",
        "200 result=0\n",
    ]


@pytest.mark.parametrize("script", ["1 x", "12a", "!!", "_1"])
def test_bad_tokens_are_refused(script: str) -> None:
    """Only key strings, `_` and `!` are tokens."""
    with pytest.raises(CallerScriptError):
        parse_tokens(script)


async def test_interactive_caller_reads_lines_until_eof() -> None:
    """Keyboard lines: keys, empty = no input, end-of-file = hang up."""
    out = io.StringIO()
    caller = InteractiveCaller(io.StringIO("7\n\nabc\n9\n"), out)
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        for _ in range(4):
            lines.append(await peer.ask("GET DATA x 1000 1"))

    await converse(caller, talk)

    assert lines == [
        "200 result=7\n",
        "200 result= (timeout)\n",
        "200 result=9\n",
        "200 result=-1\n",
    ]
    assert "keys are 0-9, * and #" in out.getvalue()


async def test_interactive_request_times_out_when_nobody_types() -> None:
    """Nobody typing: each request ends after its own timeout, as Asterisk replies."""
    out = io.StringIO()
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        for command in [
            "GET DATA menu 20 1",
            "WAIT FOR DIGIT 20",
            "GET OPTION menu 12 20",
            "WAIT FOR DIGIT 0",
        ]:
            lines.append(await peer.ask(command))

    with typed_keyboard() as (keyboard, _):
        caller = InteractiveCaller(keyboard, out)
        log = await converse(caller, talk)
        caller.close()

    assert lines == [
        "200 result= (timeout)\n",
        "200 result=0\n",
        "200 result=0 endpos=24000\n",
        "200 result=0\n",
    ]
    assert [e.value for e in log.of_kind("keys")] == ["", "", ""]
    assert out.getvalue().count("☎ your keys within 0.02 s") == 3
    assert log.hung_up_by is None


async def test_interactive_late_line_is_dropped_with_a_note() -> None:
    """A line finished after its request timed out is dropped, not used later."""
    out = WatchedOut()
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        lines.append(await peer.ask("GET DATA menu 20 1"))
        type_line("5\n")
        await out.shows("too late")
        await peer.send("GET DATA menu 5000 1")
        await out.shows("☎ your keys", times=2)
        type_line("7\n")
        lines.append(await peer.line())

    with typed_keyboard() as (keyboard, type_line):
        caller = InteractiveCaller(keyboard, out)
        await converse(caller, talk)
        caller.close()

    assert lines == ["200 result= (timeout)\n", "200 result=7\n"]
    assert "(too late, dropped: '5'; type keys when asked)" in out.getvalue()


async def test_interactive_piped_lines_answer_one_request_each() -> None:
    """Lines that arrive together (keys piped in) wait for the next requests."""
    out = io.StringIO()
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        for _ in range(3):
            lines.append(await peer.ask("GET DATA x 5000 2"))

    with typed_keyboard() as (keyboard, type_line):
        type_line("1\n\n23\n")
        caller = InteractiveCaller(keyboard, out)
        await converse(caller, talk)
        caller.close()

    assert lines == [
        "200 result=1 (timeout)\n",
        "200 result= (timeout)\n",
        "200 result=23\n",
    ]
    assert "too late" not in out.getvalue()


async def test_wait_for_digit_zero_asks_nobody() -> None:
    """WAIT FOR DIGIT 0 returns 0 at once; the scripted key is kept for later."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        lines.append(await peer.ask("WAIT FOR DIGIT 0"))
        lines.append(await peer.ask("WAIT FOR DIGIT 1000"))

    await converse(ScriptedCaller("4"), talk)

    assert lines == ["200 result=0\n", "200 result=52\n"]


async def _replies(
    caller: ScriptedCaller, commands: list[str]
) -> tuple[list[str], CallLog]:
    """The emulator's reply to each command in turn, and the call log."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        for command in commands:
            lines.append(await peer.ask(command))

    log = await converse(caller, talk)
    return lines, log


async def test_keys_past_a_full_get_data_reach_the_next_read() -> None:
    """A `#` after 18 digits ends the next GET DATA with nothing read, as on
    Asterisk (ast_readstring_full() stops at the 18th digit)."""
    caller = ScriptedCaller("11010119700101018*# 135790#")
    commands = ["GET DATA id 3000 18", "GET DATA pin 3000 6"] * 2

    lines, log = await _replies(caller, commands)

    assert lines == [
        "200 result=11010119700101018*\n",
        "200 result=\n",
        "200 result=135790\n",
        "200 result= (timeout)\n",
    ]
    prompts = [(e.name, e.value) for e in log.of_kind("prompt")]
    assert ("pin", "interrupted:#") in prompts


async def test_queued_keys_dropped_by_a_prompt_without_escape_digits() -> None:
    """A prompt that takes no keys drops the queued ones; one that takes `#`
    stops on it and leaves the keys after it queued."""
    commands = ["GET DATA a 3000 2", 'STREAM FILE wait ""', "GET DATA b 3000 2"]
    commands += ['STREAM FILE menu "#"'] + ["WAIT FOR DIGIT 1000"] * 2

    lines, log = await _replies(ScriptedCaller("123# 4##56"), commands)

    assert lines == [
        "200 result=12\n",
        "200 result=0 endpos=24000\n",
        "200 result=4\n",
        "200 result=35 endpos=0\n",
        "200 result=53\n",
        "200 result=54\n",
    ]
    dropped = [e.value for e in log.of_kind("keys") if e.name == "dropped"]
    assert dropped == ["3#"]
