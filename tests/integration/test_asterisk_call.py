"""Calls through a real Asterisk running the project's dialplan.

A Local channel plays the caller: ``channel originate
Local/12333@ivr-inbound extension s@sim-caller-keys`` runs the hotline on
the ``;2`` half and the key script ``SIM_SCRIPT`` on the ``;1`` half
(``asterisk-dialplan/extensions.conf``). The tests cover the hand-off to
a FastAGI peer, the ``IVR_DONE`` contract and the fallback to ``q-general``
when the service is down.
"""

from __future__ import annotations

import asyncio

import pytest
from agi_stub import AGIStub
from asterisk_box import StartAsterisk

pytestmark = pytest.mark.asterisk

CALL_SECONDS = 30.0
HOTLINE = ("12333", "ivr-inbound")


async def test_done_call_ends_without_fallback(
    start_asterisk: StartAsterisk, spare_port: int
) -> None:
    """A peer that sets IVR_DONE=1 ends the call; the fallback never runs."""
    stub = AGIStub(("ANSWER", "SET VARIABLE IVR_DONE 1"))
    await stub.start(spare_port)
    try:
        box = await start_asterisk(IVR_PORT=str(spare_port))
        await box.originate(*HOTLINE, "sim-caller-keys")
        async with asyncio.timeout(CALL_SECONDS):
            await stub.finished.wait()
        ended = await box.wait_for_log(r"12333 call \S+ ended", CALL_SECONDS)
    finally:
        await stub.close()
    log = box.log_text()

    assert stub.sessions[0]["agi_network_script"] == "ivr"
    assert stub.sessions[0]["agi_arg_1"] == "12333"
    assert stub.replies == ["200 result=0", "200 result=1"]
    assert "IVR finished the call, AGISTATUS=SUCCESS" in log
    assert "ivr-fallback" not in log[: ended.end()]


async def test_crashed_service_falls_back(
    start_asterisk: StartAsterisk, spare_port: int
) -> None:
    """A peer that answers and drops the session without IVR_DONE is a failure."""
    stub = AGIStub(("ANSWER",))
    await stub.start(spare_port)
    try:
        box = await start_asterisk(IVR_PORT=str(spare_port))
        await box.originate(*HOTLINE, "sim-caller-keys")
        caller = await box.wait_for_cli(
            "queue show q-general", r"^\s+1\. (Local/\S+;2)", CALL_SECONDS
        )
    finally:
        await stub.close()

    assert caller.group(1).startswith("Local/12333@ivr-inbound-")
    assert "IVR fallback: AGISTATUS=SUCCESS IVR_DONE=" in box.log_text()


async def test_service_down_queues_caller_in_general(
    start_asterisk: StartAsterisk, spare_port: int
) -> None:
    """With nothing on the FastAGI port the caller hears the apology and waits."""
    box = await start_asterisk(IVR_PORT=str(spare_port))

    await box.originate(*HOTLINE, "sim-caller-keys")
    caller = await box.wait_for_cli(
        "queue show q-general", r"^\s+1\. (Local/\S+;2)", CALL_SECONDS
    )
    log = box.log_text()

    assert caller.group(1).startswith("Local/12333@ivr-inbound-")
    assert "IVR fallback: AGISTATUS=FAILURE IVR_DONE=" in log
    assert "Playback failed on Local/12333@ivr-inbound-" in log
    assert "Playback(pls-hold-while-try)" in log
    assert 'Queue("Local/12333@ivr-inbound-' in log
    assert "class 'national-wait'" in log
