"""FastAGI server behaviour: handshakes that fail, and draining on close."""

from __future__ import annotations

import asyncio
import logging

import pytest

from ivr.agi.fastagi import FastAGIServer, start_fastagi_server
from ivr.agi.messages import AGIEnvironment
from ivr.agi.session import AGISession

ENVIRONMENT = b"agi_network: yes\nagi_uniqueid: 1.1\nagi_network_script: t\n\n"


async def connect(
    server: FastAGIServer,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a client connection to the server."""
    return await asyncio.open_connection("127.0.0.1", server.port)


async def idle(session: AGISession, env: AGIEnvironment) -> None:
    """A handler that must never run in the handshake tests."""
    raise AssertionError("handler started without a complete environment")


@pytest.mark.parametrize(
    "payload", [b"", b"agi_network: yes\n", b"agi_network: yes\nagi_request: x"]
)
async def test_incomplete_handshake_closes_quietly(
    payload: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Zero bytes or half an environment then EOF: counted, no traceback."""
    caplog.set_level(logging.DEBUG)
    server = await start_fastagi_server(idle, "127.0.0.1", 0)
    reader, writer = await connect(server)
    writer.write(payload)
    writer.write_eof()
    closed = await reader.read()
    writer.close()
    await server.close(drain_timeout=1)

    assert closed == b""
    assert server.handshake_failures == 1 and server.calls_started == 0
    assert all(r.levelno <= logging.DEBUG for r in caplog.records if "agi" in r.name)
    assert not [r for r in caplog.records if r.exc_info]


async def test_handshake_timeout_closes_connection() -> None:
    """A peer that sends nothing is dropped after the handshake timeout."""
    server = await start_fastagi_server(idle, "127.0.0.1", 0, handshake_timeout=0.05)
    reader, writer = await connect(server)
    closed = await reader.read()
    writer.close()
    await server.close(drain_timeout=1)

    assert closed == b""
    assert server.handshake_failures == 1


async def test_garbage_handshake_is_rejected() -> None:
    """An HTTP probe is not an AGI environment and never reaches the handler."""
    server = await start_fastagi_server(idle, "127.0.0.1", 0)
    reader, writer = await connect(server)
    writer.write(b"GET / HTTP/1.0\r\n\r\n")
    closed = await reader.read()
    writer.close()
    await server.close(drain_timeout=1)

    assert closed == b""
    assert server.handshake_failures == 1


async def test_close_waits_for_running_calls() -> None:
    """close() stops accepting, then lets a running call finish."""
    release = asyncio.Event()
    entered = asyncio.Event()
    finished: list[str] = []

    async def handler(session: AGISession, env: AGIEnvironment) -> None:
        entered.set()
        await release.wait()
        finished.append(env.script)

    server = await start_fastagi_server(handler, "127.0.0.1", 0)
    _, writer = await connect(server)
    writer.write(ENVIRONMENT)
    await entered.wait()
    open_during = server.open_calls
    closing = asyncio.create_task(server.close(drain_timeout=30))
    release.set()
    await closing
    writer.close()

    assert open_during == 1
    assert finished == ["t"]
    assert server.open_calls == 0


async def test_close_cancels_calls_after_the_deadline() -> None:
    """A call still running at the drain deadline is cancelled."""
    entered = asyncio.Event()
    cancelled: list[bool] = []

    async def handler(session: AGISession, env: AGIEnvironment) -> None:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    server = await start_fastagi_server(handler, "127.0.0.1", 0)
    _, writer = await connect(server)
    writer.write(ENVIRONMENT)
    await entered.wait()
    await server.close(drain_timeout=0)
    writer.close()

    assert cancelled == [True]
    assert server.open_calls == 0


async def test_handler_crash_is_logged_and_contained(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An exception in the handler is logged once and the connection closed."""

    async def handler(session: AGISession, env: AGIEnvironment) -> None:
        raise RuntimeError("flow bug")

    server = await start_fastagi_server(handler, "127.0.0.1", 0)
    reader, writer = await connect(server)
    writer.write(ENVIRONMENT)
    closed = await reader.read()
    writer.close()
    await server.close(drain_timeout=1)

    crashes = [r for r in caplog.records if r.exc_info]
    assert closed == b""
    assert len(crashes) == 1 and crashes[0].name == "ivr.agi.call"


async def test_malformed_environment_is_logged_without_its_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A line that is not 'key: value' is refused with a warning ops can see,
    which does not repeat the line (it may hold a caller number)."""
    server = await start_fastagi_server(idle, "127.0.0.1", 0)
    reader, writer = await connect(server)
    writer.write(b"agi_network: yes\nagi_callerid 13812345678\n\n")
    closed = await reader.read()
    writer.close()
    await server.close(drain_timeout=1)

    assert closed == b""
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "FastAGI handshake refused: environment line 2 is not 'key: value'"
    ]
    assert "13812345678" not in caplog.text
