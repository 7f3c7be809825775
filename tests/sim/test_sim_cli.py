"""`ivr call` (place_call) and run_calls against small in-test FastAGI servers."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sim_peer import (
    DEADLINE,
    Talk,
    WatchedOut,
    fastagi_server,
    read_environment,
    typed_keyboard,
)

from ivr.cli import main
from ivr.sim import call_arguments, parse_call_time, place_call, run_calls

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
TEXTS = {"welcome-morning": "早上好，欢迎拨打12333。", "menu": "请按1。"}
REPO = Path(__file__).resolve().parents[2]


def _flow(
    *, done: bool = True, outcome: str = "queue"
) -> tuple[Handler, dict[str, str]]:
    """A tiny 'service': one node, a prompt, a menu, a queue, the end."""
    seen: dict[str, str] = {}

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        seen.update(await read_environment(reader))
        peer = Talk(reader, writer)
        await peer.ask("ANSWER")
        await peer.ask("SET VARIABLE IVR_NODE main-menu")
        await peer.ask('STREAM FILE zh/welcome-morning ""')
        await peer.ask("GET DATA menu 5000 1")
        await peer.ask("SET VARIABLE IVR_NODE to-agent")
        await peer.ask("EXEC Queue q-general,c,,,30")
        await peer.ask(f"SET VARIABLE IVR_OUTCOME {outcome}")
        if done:
            await peer.ask("SET VARIABLE IVR_DONE 1")
        await peer.ask("HANGUP")
        writer.close()

    return handle, seen


async def _call(handle: Handler, **options: str | None) -> tuple[int, str]:
    out = io.StringIO()
    async with fastagi_server(handle) as port:
        async with asyncio.timeout(DEADLINE):
            status = await place_call(
                host="127.0.0.1",
                port=port,
                keys=options.pop("keys", "1"),
                at=options.pop("at", None),
                caller=options.pop("caller", None),
                queue=options.pop("queue", None) or "answer",
                prompt_text=TEXTS.get,
                out=out,
            )
    return status, out.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_transcript_shows_nodes_prompts_keys_queue_outcome() -> None:
    """A person sees each node, prompt text, key, the queue and the outcome."""
    handle, seen = _flow()

    status, text = await _call(handle, at="2026-10-08 09:00", caller="13912345678")

    assert status == 0
    assert seen["agi_arg_1"] == "at=2026-10-08T09:00"
    assert seen["agi_arg_2"] == "caller=13912345678"
    assert seen["agi_callerid"] == "13912345678"
    assert "13912345678" not in text
    for expected in [
        "[node] main-menu",
        "♪ zh/welcome-morning  早上好，欢迎拨打12333。",
        "♪ menu  请按1。",
        "☎ keys: 1",
        "[node] to-agent",
        "→ queue q-general (answered by Agent 1001 after 5 s, talked 4 s)",
        "■ outcome: queue",
    ]:
        assert expected in text


async def test_no_input_and_missing_done_is_an_error() -> None:
    """No keys prints (no input); a call closed without IVR_DONE exits 1."""
    handle, _ = _flow(done=False)

    status, text = await _call(handle, keys="_")

    assert status == 1
    assert "☎ (no input)" in text
    assert "without setting IVR_DONE" in text


async def test_error_outcome_exits_non_zero() -> None:
    """IVR_OUTCOME starting with "error" is a failed call."""
    handle, _ = _flow(outcome="error")

    status, text = await _call(handle)

    assert status == 1
    assert "✗ outcome: error" in text


async def test_no_service_and_bad_keys_exit_2() -> None:
    """A closed port and malformed --keys give clear messages and status 2."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = io.StringIO()

    refused = await place_call(
        host="127.0.0.1", port=port, keys="1", at=None, caller=None,
        prompt_text=TEXTS.get, out=out,
    )  # fmt: skip
    bad = await place_call(
        host="127.0.0.1", port=port, keys="1 x", at=None, caller=None,
        prompt_text=TEXTS.get, out=out,
    )  # fmt: skip

    assert (refused, bad) == (2, 2)
    assert (
        f"no IVR service at 127.0.0.1:{port}; start it with `ivr serve`"
        in out.getvalue()
    )
    assert "bad --keys" in out.getvalue()


def test_call_arguments_form() -> None:
    """--at and --caller travel as at=<ISO time> and caller=<number>."""
    assert call_arguments("2026-10-08 09:00", "13800000000") == [
        "at=2026-10-08T09:00",
        "caller=13800000000",
    ]
    assert call_arguments(None, None) == []


async def test_two_hundred_concurrent_calls() -> None:
    """200 emulated calls at once each get their own channel and their answers."""
    served = 0

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        nonlocal served
        env = await read_environment(reader)
        peer = Talk(reader, writer)
        reply = await peer.ask("GET DATA menu 3000 1")
        await peer.ask(f'SET VARIABLE GOT "{env["agi_uniqueid"]}:{reply.strip()}"')
        await peer.ask("HANGUP")
        served += 1
        writer.close()

    async with fastagi_server(handle) as port:
        async with asyncio.timeout(DEADLINE * 3):
            logs = await run_calls(200, host="127.0.0.1", port=port, keys="7")

    assert served == 200
    assert len({log.setup.uniqueid for log in logs}) == 200
    assert {log.variables["GOT"].split(":", 1)[1] for log in logs} == {"200 result=7"}
    assert all(log.variables["GOT"].startswith(log.setup.uniqueid) for log in logs)
    assert {log.hung_up_by for log in logs} == {"service"}


@pytest.mark.parametrize(
    ("mode", "hand_off", "status"),
    [
        ("answer", "(answered by Agent 1001 after 5 s, talked 4 s)", "CONTINUE"),
        ("noanswer", "(Agent 1001 rang, nobody answered in 30 s: TIMEOUT)", "TIMEOUT"),
        ("timeout", "(no agent free in 30 s: TIMEOUT)", "TIMEOUT"),
        ("empty", "(JOINEMPTY: no agent logged in)", "JOINEMPTY"),
    ],
)
async def test_queue_mode_decides_the_hand_off(
    mode: str, hand_off: str, status: str
) -> None:
    """--queue lets a person try the overflow path; the hand-off says what happened."""
    seen: list[str] = []

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_environment(reader)
        peer = Talk(reader, writer)
        await peer.ask("EXEC Queue q-general,c,,,30")
        seen.append(await peer.ask("GET VARIABLE QUEUESTATUS"))
        await peer.ask("SET VARIABLE IVR_DONE 1")
        writer.close()

    code, text = await _call(handle, queue=mode)

    assert code == 0
    assert f"→ queue q-general {hand_off}" in text
    assert seen == [f"200 result=1 ({status})\n"]


async def test_bad_queue_mode_exits_2_before_calling() -> None:
    """An unknown --queue mode is refused with the list of modes."""
    err = io.StringIO()

    code = await place_call(
        host="127.0.0.1", port=_free_port(), keys="1", at=None, caller=None,
        queue="busy", prompt_text=TEXTS.get, out=io.StringIO(), err=err,
    )  # fmt: skip

    assert code == 2
    assert "bad --queue 'busy': expected one of answer, noanswer" in err.getvalue()


def test_missing_prompt_folder_exits_2_with_advice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ivr call` away from the project folder says what to do, no traceback."""
    port = str(_free_port())

    code = main(["call", "--keys", "1", "--port", port, "--prompts", str(tmp_path)])

    assert code == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "--prompts" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "text", ["2026-13-45 09:00", "2026-10-08", "tomorrow", "2026-10-08 25:00"]
)
def test_bad_at_exits_2_with_a_clear_message(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ivr call --at` that is no real date and time stops before any call."""
    port = str(_free_port())

    code = main(["call", "--keys", "1", "--port", port, "--at", text])

    assert code == 2
    err = capsys.readouterr().err
    assert f"bad --at {text!r}" in err
    assert "YYYY-MM-DD HH:MM" in err
    assert "no IVR service" not in err


@pytest.mark.parametrize(
    "text", ["2026-10-08 09:00", "2026-10-08 09:00:30", "2026-10-08T09:00"]
)
def test_good_at_forms_are_accepted(text: str) -> None:
    """Space or T between date and time, seconds optional."""
    assert parse_call_time(text).strftime("%Y-%m-%d %H:%M") == "2026-10-08 09:00"


async def test_service_closing_mid_wait_ends_the_call_at_once() -> None:
    """The service going away while the person types ends the wait and says so."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_environment(reader)
        await Talk(reader, writer).send("WAIT FOR DIGIT -1")
        await out.shows("☎ your keys")
        writer.close()

    out = WatchedOut()
    with typed_keyboard() as (keyboard, _):
        async with fastagi_server(handle) as port:
            async with asyncio.timeout(DEADLINE):
                code = await place_call(
                    host="127.0.0.1", port=port, keys=None, at=None, caller=None,
                    prompt_text=TEXTS.get, out=out, keyboard=keyboard,
                )  # fmt: skip

    assert code == 1
    text = out.getvalue()
    assert "☎ your keys (Enter = no input" in text
    assert "✆ the service closed the connection during WAIT FOR DIGIT" in text
    assert "without setting IVR_DONE" in text


def test_keys_help_says_running_out_means_no_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`ivr call --help` tells that once the keys run out, requests get no input."""
    with pytest.raises(SystemExit):
        main(["call", "--help"])

    help_text = " ".join(capsys.readouterr().out.split())
    assert "once the keys run out every further request counts as no input" in (
        help_text
    )
    assert "--queue {answer,noanswer,timeout,empty}" in help_text


async def test_output_piped_into_head_ends_quietly() -> None:
    """`ivr call | head -1`: no BrokenPipeError traceback, status 0 or 141."""
    reader_gone = asyncio.Event()

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await read_environment(reader)
        await reader_gone.wait()
        with contextlib.suppress(ConnectionError, TimeoutError):
            for node in ("a", "b", "c"):
                await Talk(reader, writer).ask(f"SET VARIABLE IVR_NODE {node}")
        writer.close()

    read_fd, write_fd = os.pipe()
    async with fastagi_server(handle) as port:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ivr.cli", "call", "--keys", "1",
            "--port", str(port), "--prompts", str(REPO / "prompts"),
            stdout=write_fd, stderr=asyncio.subprocess.PIPE, cwd=REPO,
        )  # fmt: skip
        os.close(write_fd)
        assert process.stderr is not None
        async with asyncio.timeout(DEADLINE):
            first = await asyncio.to_thread(_first_line, read_fd)
            os.close(read_fd)
            reader_gone.set()
            errors = await process.stderr.read()
            code = await process.wait()

    assert first.startswith("☏ calling".encode())
    assert code in (0, 141)
    assert errors == b""


def _first_line(fd: int) -> bytes:
    """Read one line from ``fd`` byte by byte, as `head -1` would need."""
    line = b""
    while not line.endswith(b"\n") and (byte := os.read(fd, 1)):
        line += byte
    return line
