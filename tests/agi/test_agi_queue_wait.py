"""A queued call waits for Queue to return, however long the conversation.

Asterisk answers ``EXEC Queue`` only when the caller leaves the queue or the
agent's conversation ends; a reply timeout there would cut off a long call
and send the caller back to the fallback queue.
"""

from __future__ import annotations

import asyncio

import pytest

from ivr.agi import AGIChannel, AGIEnvironment, AGISession, start_fastagi_server

ENVIRONMENT = b"agi_request: agi://127.0.0.1/ivr\nagi_uniqueid: 1796300000.5\n\n"


async def test_queue_outlives_the_reply_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Queue reply later than the queue timeout plus any slack is still awaited."""
    # Other long commands get their own duration plus a slack; shrink the
    # slack so that a bounded wait would end well inside this test.
    monkeypatch.setattr("ivr.agi.channel._REPLY_SLACK", 0.01)
    results = []

    async def handler(session: AGISession, env: AGIEnvironment) -> None:
        results.append(await AGIChannel(session, env).queue("q-general", timeout=0))

    server = await start_fastagi_server(handler, "127.0.0.1", 0, reply_timeout=0.02)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(ENVIRONMENT)
    command = await reader.readline()
    await asyncio.sleep(0.2)  # the conversation: ten reply timeouts long
    writer.write(b"200 result=0\n")
    replies = [b"200 result=1 (CONTINUE)\n", b"200 result=1 (Agent 1001)\n"]
    replies.append(b"200 result=1 (185)\n")
    for reply in replies:
        await reader.readline()
        writer.write(reply)
    writer.write_eof()
    await reader.read()
    writer.close()
    await server.close(drain_timeout=1)

    assert command.startswith(b"EXEC Queue q-general,c")
    assert len(results) == 1
    assert results[0].answered and results[0].answered_time == 185
