"""`ivr call` (place_call) and run_calls against small in-test FastAGI servers."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import Awaitable, Callable

from sim_peer import DEADLINE, Talk, fastagi_server, read_environment

from ivr.sim import call_arguments, place_call, run_calls

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
TEXTS = {"welcome-morning": "早上好，欢迎拨打12333。", "menu": "请按1。"}


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
                prompt_text=TEXTS.get,
                out=out,
            )
    return status, out.getvalue()


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
