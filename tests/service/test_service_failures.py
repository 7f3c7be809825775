"""What the service does when things go wrong around a call.

A crash, a shutdown in the middle of a call, a second session on the same
channel and a port already taken: each must leave a useful record or one
readable message, never a silent loss.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from service_calls import MakeConfig, place

from ivr.service import Service, ServiceError
from ivr.sim import CallSetup, FastAGIEmulator, ScriptedCaller

ENVIRONMENT = (
    b"agi_network: yes\nagi_network_script: ivr\nagi_request: agi://x/ivr\n"
    b"agi_channel: PJSIP/trunk-00000009\nagi_uniqueid: 1796300000.9\n"
    b"agi_callerid: 13812345678\nagi_arg_1: at=2026-10-08T09:30\n\n"
)


async def _converse(port: int, replies: dict[str, bytes]) -> list[str]:
    """Play Asterisk with canned replies by command name; return the commands."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(ENVIRONMENT)
    commands = []
    async with asyncio.timeout(10):
        while line := await reader.readline():
            command = line.decode().strip()
            commands.append(command)
            name = next((n for n in replies if command.startswith(n)), "")
            writer.write(replies.get(name, b"200 result=0\n"))
            await writer.drain()
    writer.close()
    return commands


async def test_a_crash_is_recorded_with_its_node_and_cause(service: Service) -> None:
    """A usage error from Asterisk mid-call: error outcome at that node, no IVR_DONE."""
    usage = b"520 Invalid command syntax.  Proper usage not available.\n"

    commands = await _converse(service.fastagi_port, {"STREAM FILE": usage})
    await service.records.flush()
    record = await service.records.get_call("1796300000.9")

    assert record is not None
    assert (record["outcome_kind"], record["outcome_node"]) == ("error", "welcome")
    assert record["detail"] == "AGIUsageError"
    assert "SET VARIABLE IVR_OUTCOME error" in commands
    assert not any(c.startswith("SET VARIABLE IVR_DONE") for c in commands)


async def test_two_sessions_on_one_channel_keep_two_records(service: Service) -> None:
    """The same uniqueid running the IVR twice (a transfer back) is two records."""
    setup = CallSetup(uniqueid="1796300000.77", args=("at=2026-10-08T09:30",))
    for keys in ("!", "1 !"):
        caller = ScriptedCaller(keys)
        await FastAGIEmulator(
            "127.0.0.1", service.fastagi_port, caller, setup=setup
        ).run()
    await service.records.flush()

    assert await service.records.count_calls() == 2
    newest = await service.records.get_call("1796300000.77")
    assert newest is not None and newest["outcome_node"] == "social-insurance"


async def test_shutdown_mid_call_records_where_the_call_was_cut(
    make_config: MakeConfig,
) -> None:
    """A call still running at the drain deadline is stored as cut off, with its node,
    and /health says the service is draining meanwhile."""
    service = Service(make_config(**{"calls.drain_seconds": 0.5}))
    await service.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", service.fastagi_port)
    writer.write(ENVIRONMENT)
    for _ in range(3):
        await reader.readline()
        writer.write(b"200 result=0\n")
    await reader.readline()
    stopping = asyncio.create_task(service.stop())
    await asyncio.sleep(0)
    async with aiohttp.ClientSession() as client:
        async with client.get(f"http://127.0.0.1:{service.http_port}/health") as got:
            health_status = got.status
    await stopping
    writer.close()
    record = await service.records.get_call("1796300000.9")

    assert health_status == 503
    assert record is not None
    assert record["outcome_kind"] == "error"
    assert record["outcome_node"] == "recording-notice", "the node being entered"
    assert "service stopped" in record["detail"]


async def test_port_in_use_is_one_readable_message(
    service: Service, make_config: MakeConfig
) -> None:
    """A second service on a taken FastAGI port says so, without a traceback."""
    second = Service(make_config(**{"fastagi.port": service.fastagi_port}))

    with pytest.raises(ServiceError) as refused:
        await second.start()

    assert f"cannot listen for FastAGI on 127.0.0.1:{service.fastagi_port}" in str(
        refused.value
    )


async def test_record_times_follow_the_call_placed_at(service: Service) -> None:
    """A call placed --at a moment starts its record at that moment."""
    call = await place(service, "!", at="2026-10-08 09:30")

    assert call.record["started_at"].isoformat().startswith("2026-10-08T01:30")
