"""The live emulator's answers: dead-channel rules, errors, variables, media."""

from __future__ import annotations

import pytest
from sim_peer import Talk, converse

from ivr.sim import PromptLibrary, QueueOutcome, RecordOutcome, ScriptedCaller
from ivr.sim.wire import COMMANDS, NOT_PERMITTED

DEAD_OK = {
    "EXEC NoOp x": "200 result=0\n",
    "GET VARIABLE FOO": "200 result=1 (bar)\n",
    "GET FULL VARIABLE ${FOO}": "200 result=1 (bar)\n",
    "SET VARIABLE A b": "200 result=1\n",
    "NOOP": "200 result=0\n",
    "VERBOSE hi 1": "200 result=1\n",
    "DATABASE PUT fam key val": "200 result=1\n",
    "DATABASE GET fam key": "200 result=1 (val)\n",
}
DEAD_REFUSED = [
    "ANSWER", "HANGUP", "CHANNEL STATUS", "STREAM FILE beep \"\"",
    "GET DATA beep 1000 1", "WAIT FOR DIGIT 100", "RECORD FILE /tmp/x wav # 1000",
    "SAY NUMBER 1 \"\"", "GOSUB ctx s 1", "SET CALLERID 1", "GET OPTION beep \"\"",
]  # fmt: skip


async def test_dead_channel_allows_only_dead_commands() -> None:
    """After HANGUP, commands flagged dead in res_agi.c run; the rest get 511."""
    replies: dict[str, str] = {}

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        await peer.ask("SET VARIABLE FOO bar")
        await peer.ask("HANGUP")
        assert await peer.line() == "HANGUP\n"
        for command in [*DEAD_OK, *DEAD_REFUSED]:
            replies[command] = await peer.ask(command)

    await converse(ScriptedCaller(), talk)

    assert {command: replies[command] for command in DEAD_OK} == DEAD_OK
    assert {replies[command] for command in DEAD_REFUSED} == {NOT_PERMITTED}


def test_dead_flags_match_res_agi_table() -> None:
    """The commands allowed on a dead channel are exactly res_agi.c's list."""
    allowed = {spec.name for spec in COMMANDS if spec.dead}

    assert allowed == {
        "ASYNCAGI BREAK", "DATABASE DEL", "DATABASE DELTREE", "DATABASE GET",
        "DATABASE PUT", "EXEC", "GET FULL VARIABLE", "GET VARIABLE", "NOOP",
        "SET VARIABLE", "SPEECH DESTROY", "SPEECH UNLOAD GRAMMAR", "VERBOSE",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("command", "reply"),
    [
        ("FLY AWAY", "510 Invalid or unknown command\n"),
        ("GET", "510 Invalid or unknown command\n"),
        ("STREAM FILE", "520 Invalid command syntax.  Proper usage not available.\n"),
        (
            "SET VARIABLE ONLYNAME",
            "520 Invalid command syntax.  Proper usage not available.\n",
        ),
        (
            "WAIT FOR DIGIT soon",
            "520 Invalid command syntax.  Proper usage not available.\n",
        ),
        (
            "RECORD FILE x wav #",
            "520 Invalid command syntax.  Proper usage not available.\n",
        ),
        ("GOSUB ctx", "520 Invalid command syntax.  Proper usage not available.\n"),
        ("EXEC", "520 Invalid command syntax.  Proper usage not available.\n"),
        ("EXEC NoSuchApplication x", "200 result=-2\n"),
        ("CHANNEL STATUS", "200 result=4\n"),
        ("CHANNEL STATUS SIP/other", "200 result=-1\n"),
        ("GET VARIABLE NO_SUCH_VAR", "200 result=0\n"),
        ("GET VARIABLE CALLERID(num)", "200 result=1 (13800000000)\n"),
        ("GET VARIABLE EXTEN", "200 result=1 (12333)\n"),
        (
            "GET FULL VARIABLE <${CALLERID(num)}|${NOPE}>",
            "200 result=1 (<13800000000|>)\n",
        ),
    ],
)
async def test_errors_and_simple_replies(command: str, reply: str) -> None:
    """510 for unknown or incomplete commands, the one-line 520, and plain replies."""
    got: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        got.append(await peer.ask(command))

    await converse(ScriptedCaller(), talk)

    assert got == [reply]


async def test_variables_answer_and_gosub() -> None:
    """SET/GET VARIABLE round trip (underscore marks dropped), ANSWER, GOSUB's 100."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        lines.append(await peer.ask('SET VARIABLE __INHERIT "a b"'))
        lines.append(await peer.ask("GET VARIABLE INHERIT"))
        lines.append(await peer.ask("ANSWER"))
        lines.append(await peer.ask("CHANNEL STATUS"))
        lines.append(await peer.ask("GOSUB sub s 1 arg"))
        lines.append(await peer.line())

    log = await converse(ScriptedCaller(), talk)

    assert lines == [
        "200 result=1\n",
        "200 result=1 (a b)\n",
        "200 result=0\n",
        "200 result=6\n",
        "100 result=0 Trying...\n",
        "200 result=0 Gosub complete\n",
    ]
    assert log.variables["INHERIT"] == "a b"


async def test_stream_file_plays_to_end_or_reports_missing_file() -> None:
    """A known prompt plays to its end (endpos = length); an unknown one is -1/0."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        lines.append(await peer.ask('STREAM FILE welcome "12"'))
        lines.append(await peer.ask('STREAM FILE nothing-here "" 800'))
        lines.append(await peer.ask("GET DATA nothing-here 1000 2"))

    prompts = PromptLibrary(known={"welcome"}, seconds={"welcome": 2.5}.get)
    log = await converse(ScriptedCaller(), talk, prompts=prompts)

    assert lines == [
        "200 result=0 endpos=20000\n",
        "200 result=-1 endpos=800\n",
        "200 result=-1\n",
    ]
    assert [(e.name, e.value) for e in log.of_kind("prompt")] == [
        ("welcome", "played"),
        ("nothing-here", "missing"),
        ("nothing-here", "missing"),
    ]
    assert log.hung_up_by is None


async def test_hangup_during_prompt_then_notice_before_next_reply() -> None:
    """A caller hanging up mid-prompt: -1 with the position, then HANGUP and 511."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        await peer.send('STREAM FILE welcome ""')
        lines.append(await peer.line())
        await peer.send("WAIT FOR DIGIT 100")
        lines.append(await peer.line())
        lines.append(await peer.line())

    caller = ScriptedCaller(hangup_during_prompt=1, barge_after=0.5)
    log = await converse(caller, talk, hangup_notice_delay=None)

    assert lines == ["200 result=-1 endpos=4000\n", "HANGUP\n", NOT_PERMITTED]
    assert log.hung_up_by == "caller"


@pytest.mark.parametrize(
    ("outcome", "command", "reply"),
    [
        (
            RecordOutcome("dtmf", "#", 2.0),
            'RECORD FILE /r/a wav "#" 10000 0 BEEP',
            "200 result=35 (dtmf) endpos=14400\n",
        ),
        (
            RecordOutcome("dtmf", "5", 2.0),
            'RECORD FILE /r/a wav "#" 10000',
            "200 result=0 (timeout) endpos=80000\n",
        ),
        (
            RecordOutcome("timeout", seconds=0),
            'RECORD FILE /r/a wav "#" 6000',
            "200 result=0 (timeout) endpos=0\n",
        ),
        (
            RecordOutcome("silence", seconds=3.0),
            'RECORD FILE /r/a wav "#" 20000 0 BEEP s=2',
            "200 result=15000 (timeout) endpos=32000\n",
        ),
        (
            RecordOutcome("hangup", seconds=1.5),
            'RECORD FILE /r/a wav "#" 20000',
            "200 result=-1 (hangup) endpos=12000\n",
        ),
        (
            RecordOutcome("beep-key", "#"),
            'RECORD FILE /r/a wav "#" 20000 BEEP',
            "200 result=35 (randomerror) endpos=0\n",
        ),
        (
            RecordOutcome("beep-hangup"),
            'RECORD FILE /r/a wav "#" 20000 0 BEEP',
            "200 result=-1 (randomerror) endpos=0\n",
        ),
    ],
)
async def test_record_file_reply_forms(
    outcome: RecordOutcome, command: str, reply: str
) -> None:
    """Each way a recording ends gives handle_recordfile()'s reply form."""
    got: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        await peer.send(command)
        got.append(await peer.line())

    await converse(ScriptedCaller(record=outcome), talk)

    assert got == [reply]


@pytest.mark.parametrize(
    ("outcome", "app_data", "result", "expected"),
    [
        (
            QueueOutcome(answered_after=5, talk_seconds=42),
            "q-general,c,,,30",
            "0",
            {
                "QUEUESTATUS": "CONTINUE",
                "ANSWEREDTIME": "42",
                "QUEUEWAIT": "5",
                "MEMBERNAME": None,
                "ABANDONED": None,
            },
        ),
        (
            QueueOutcome(answered_after=5, set_interface_vars=True),
            "q-general,c",
            "0",
            {"MEMBERNAME": "Agent 1001", "MEMBERINTERFACE": "Local/1001@agents"},
        ),
        (
            QueueOutcome(answered_after=None, status="TIMEOUT"),
            "q-general,c,,,30",
            "0",
            {
                "QUEUESTATUS": "TIMEOUT",
                "ABANDONED": "TRUE",
                "ANSWEREDTIME": "0",
                "QUEUEWAIT": "30",
            },
        ),
        (
            QueueOutcome(answered_after=None, status="JOINEMPTY"),
            "q-general,c,,,30",
            "0",
            {"QUEUESTATUS": "JOINEMPTY", "ABANDONED": None, "ANSWEREDTIME": ""},
        ),
        (
            QueueOutcome(answered_after=5),
            "q-general",
            "-1",
            {"QUEUESTATUS": None, "ANSWEREDTIME": "4"},
        ),
    ],
)
async def test_queue_sets_app_queue_variables(
    outcome: QueueOutcome, app_data: str, result: str, expected: dict[str, str | None]
) -> None:
    """EXEC Queue leaves the channel variables queue_exec() would."""
    got: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        got.append(await peer.ask(f"EXEC Queue {app_data}"))

    log = await converse(ScriptedCaller(queue=outcome), talk)

    assert got == [f"200 result={result}\n"]
    assert {name: log.variables.get(name) for name in expected} == expected
    assert log.of_kind("queue")[0].name == "q-general"


async def test_commands_run_past_limit_make_the_caller_hang_up() -> None:
    """A service that never ends the call is hung up on after max_commands."""
    lines: list[str] = []

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        for _ in range(3):
            await peer.send("CHANNEL STATUS")
            lines.append(await peer.line())
        lines.append(await peer.line())

    log = await converse(ScriptedCaller(), talk, max_commands=2, hangup_notice_delay=0)

    assert lines == ["200 result=4\n", "200 result=4\n", "HANGUP\n", NOT_PERMITTED]
    assert log.hung_up_by == "caller"


async def test_pace_scales_prompt_and_key_time() -> None:
    """With a pace, prompts take their length and keys their pause, times pace."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        await peer.ask('STREAM FILE welcome ""')
        await peer.ask("WAIT FOR DIGIT 5000")

    prompts = PromptLibrary(seconds={"welcome": 4.0}.get)
    caller = ScriptedCaller("9", pause=2.0)
    log = await converse(caller, talk, prompts=prompts, pace=0.5, sleep=sleep)

    assert slept == [2.0, 1.0]
    assert [event.t for event in log.of_kind("reply")] == [4.0, 6.0]


async def test_no_sleep_at_pace_zero() -> None:
    """Pace 0 answers at once while call time still advances in the log."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def talk(peer: Talk, env: dict[str, str]) -> None:
        await peer.ask('STREAM FILE welcome ""')

    log = await converse(ScriptedCaller(), talk, sleep=sleep)

    assert slept == []
    assert log.of_kind("prompt")[0].t == 3.0


def test_uniqueids_differ_across_processes() -> None:
    """Two `ivr call` processes in the same second get different uniqueids."""
    import subprocess
    import sys

    code = "from ivr.sim import CallSetup; print(CallSetup().completed().uniqueid)"
    ids = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.split(".")[1]
        for _ in range(3)
    }

    assert len(ids) == 3
