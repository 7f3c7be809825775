"""The AMI client against the emulated Asterisk: login, reconnect, storms."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from ami_field_cases import wire_bytes
from ami_peer_fixtures import FakeSleep, until

from cti.ami import (
    Action,
    ActionFailedError,
    AMIClient,
    AMIConfig,
    AuthenticationError,
    ConnectionLostError,
    ConnectionState,
    NotLoggedInError,
)
from cti.ami import emulator_events as scenes
from cti.ami.emulator import AMIEmulator
from cti.ami.emulator_model import EmulatedChannel, EmulatedQueue, QueueMember
from cti.ami.emulator_wire import ALL_CLASSES, EmulatedUser


@pytest.fixture
async def emulator() -> AsyncIterator[AMIEmulator]:
    """An emulated Asterisk with one queue and two members."""
    emu = AMIEmulator(
        {"cti": EmulatedUser("s3cret")}, sleep=FakeSleep(), clock=lambda: 1796312777.0
    )
    queue = EmulatedQueue("q-answer", strategy="rrmemory")
    for number in (1, 2):
        queue.members[f"Local/agent{number}@agents/n"] = QueueMember(
            f"Agent 100{number}",
            f"Local/agent{number}@agents/n",
            f"Custom:agent{number}",
        )
    emu.queues[queue.name] = queue
    await emu.start()
    yield emu
    await emu.close()


class Harness:
    """A client wired to the emulator with counted resyncs and alerts."""

    def __init__(
        self, emu: AMIEmulator, secret: str = "s3cret", **config: object
    ) -> None:
        self.resyncs = 0
        self.alerts: list[Exception] = []
        limit = config.pop("sleep_limit", None)
        self.sleep = FakeSleep(limit=limit)  # type: ignore[arg-type]
        self.client = AMIClient(
            AMIConfig("cti", secret, port=emu.port, **config),  # type: ignore[arg-type]
            on_resync=self._resync,
            on_alert=self.alerts.append,
            sleep=self.sleep,
            random=lambda: 1.0,
        )

    async def _resync(self) -> None:
        self.resyncs += 1

    async def ready(self) -> AMIClient:
        self.client.start()
        async with asyncio.timeout(5):
            await self.client.wait_ready()
        return self.client


@pytest.fixture
async def harness(emulator: AMIEmulator) -> AsyncIterator[Harness]:
    """A logged-in client."""
    rig = Harness(emulator)
    await rig.ready()
    yield rig
    await rig.client.stop()


async def test_login_then_ready_with_resync(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """Banner, Login with the Events mask, FullyBooted, resync, ready."""
    client = harness.client

    assert client.banner is not None and client.banner.version == "11.0.0"
    assert emulator.requests[0].action == "Login"
    assert emulator.requests[0].get("Events") == "on"
    assert (client.state, client.stale, harness.resyncs) == (
        ConnectionState.READY,
        False,
        1,
    )


async def test_actions_before_login_refused_locally(emulator: AMIEmulator) -> None:
    """Nothing but Login goes out before login (F26)."""
    client = Harness(emulator).client

    with pytest.raises(NotLoggedInError):
        await client.send_action(Action("Ping"))

    assert emulator.requests == []


async def test_login_failure_alerts_and_backs_off(emulator: AMIEmulator) -> None:
    """A wrong secret is a configuration fault: alert, slow exponential retry (F27)."""
    rig = Harness(emulator, secret="wrong", sleep_limit=4)

    rig.client.start()
    async with asyncio.timeout(5):
        await rig.sleep.blocked.wait()
    await rig.client.stop()

    assert rig.sleep.delays == [10.0, 20.0, 40.0, 80.0]
    assert emulator.connections == 4
    assert len(rig.alerts) == 4 and isinstance(rig.alerts[0], AuthenticationError)
    assert all(r.action == "Login" for r in emulator.requests)


async def test_reconnect_after_eof_fails_in_flight_and_resyncs(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """EOF fails the action in flight, then reconnect, re-login and resync (F29)."""
    emulator.overrides["ping"] = b""
    ping = asyncio.create_task(harness.client.send_action(Action("Ping")))
    await until(lambda: any(r.action == "Ping" for r in emulator.requests))
    del emulator.overrides["ping"]

    emulator.drop_sessions()

    with pytest.raises(ConnectionLostError):
        await ping
    await until(lambda: harness.resyncs == 2)
    assert emulator.connections == 2 and harness.sleep.delays == [0.5]
    assert (await harness.client.send_action(Action("Ping"))).response.get(
        "Ping"
    ) == "Pong"


async def test_shutdown_then_restart_waits_for_fully_booted(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """After Shutdown no resync runs until Asterisk reports FullyBooted (F29)."""
    events = harness.client.subscribe("Shutdown", "FullyBooted")

    emulator.shutdown()
    await until(lambda: harness.client.state is ConnectionState.BOOTING)

    assert (harness.resyncs, harness.client.stale) == (1, True)
    emulator.boot()
    await until(lambda: harness.client.state is ConnectionState.READY)
    assert harness.resyncs == 2
    assert [(await events.get()).name for _ in range(2)] == ["Shutdown", "FullyBooted"]


async def test_without_system_read_core_status_is_polled(emulator: AMIEmulator) -> None:
    """A user without system read gets no FullyBooted: CoreStatus stands in."""
    emulator.users["cti"] = EmulatedUser("s3cret", read=ALL_CLASSES - {"system"})
    rig = Harness(emulator, expect_fully_booted=False)

    await rig.ready()
    await rig.client.stop()

    assert [r.action for r in emulator.requests[:2]] == ["Login", "CoreStatus"]


async def test_event_storm_with_slow_consumer_keeps_reading(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """A full subscription drops and resyncs; the socket keeps being read (F30)."""
    slow = harness.client.subscribe("Newexten", maxsize=100)

    scenes.event_storm(emulator, 5000, EmulatedChannel("PJSIP/100-00000009", "1.9"))
    reply = await harness.client.send_action(Action("Ping"))

    assert reply.response.get("Ping") == "Pong"
    assert (slow.qsize(), slow.lost) == (100, 4900)
    await until(lambda: harness.resyncs >= 2 and not harness.client.stale)


async def test_event_list_with_interleaved_events(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """Only our tagged events make the list; the others reach subscribers (F25)."""
    events = harness.client.subscribe("Newexten")
    emulator.overrides["queuestatus"] = wire_bytes("F25").replace(
        b"1646742257604", b"{ActionID}"
    )

    reply = await harness.client.send_action(Action("QueueStatus"))

    assert [e.name for e in reply.events] == ["QueueParams", "QueueStatusComplete"]
    assert (await events.get()).get("AppData") == "support"


async def test_error_without_action_id_fails_the_only_action(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """'line too long' without ActionID answers the one action in flight (F33)."""
    emulator.overrides["originate"] = (
        wire_bytes("F33").split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    )

    with pytest.raises(ActionFailedError, match="line too long"):
        await harness.client.send_action(Action.build("Originate", Channel="Local/1@x"))


async def test_originate_is_always_async(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """Async is forced and the outcome comes from OriginateResponse (F22, F23)."""
    action = Action.build(
        "Originate", Channel="Local/nowhere@nosuchcontext", Async=False
    )

    result = await harness.client.originate(action)

    (sent,) = [r for r in emulator.requests if r.action == "Originate"]
    assert sent.get_all("Async") == ["true"]
    assert (result.ok, result.reason, result.uniqueid) == (False, "failed", None)


async def test_command_output_and_failed_command(harness: Harness) -> None:
    """Command output is joined; a failed CLI command is not a session error (F17)."""
    good = await harness.client.command("core show uptime")
    bad = await harness.client.command("core show hi")

    assert (
        good.ok and good.output.splitlines()[1] == "Last reload: 2 minutes, 4 seconds"
    )
    assert not bad.ok and bad.output.startswith("No such command 'core show hi'")


async def test_queue_actions_and_their_events(harness: Harness) -> None:
    """QueueStatus lists members; QueuePause answers and sends its event."""
    pauses = harness.client.subscribe("QueueMemberPause")
    client = harness.client

    status = await client.send_action(Action("QueueStatus"))
    await client.send_action(
        Action.build(
            "QueuePause",
            Queue="q-answer",
            Interface="Local/agent1@agents/n",
            Paused=True,
            Reason="break",
        )
    )
    with pytest.raises(ActionFailedError, match="Not there"):
        await client.send_action(
            Action.build("QueueRemove", Queue="q-answer", Interface="Local/x@y")
        )

    assert [e.name for e in status.items] == [
        "QueueParams",
        "QueueMember",
        "QueueMember",
    ]
    event = await pauses.get()
    assert (event.get("Paused"), event.get("PausedReason")) == ("1", "break")


async def test_ring_no_answer_auto_pause(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """A member who lets it ring out is paused with reason Auto-Pause."""
    events = harness.client.subscribe("AgentRingNoAnswer", "QueueMemberPause")
    queue = emulator.queues["q-answer"]
    caller = EmulatedChannel("PJSIP/trunk-00000001", "1.1", caller_num="13800000000")
    member = queue.members["Local/agent2@agents/n"]

    scenes.caller_join(emulator, queue, caller)
    scenes.agent_ring_no_answer(
        emulator,
        queue,
        caller,
        member,
        EmulatedChannel("Local/agent2@agents-1;1", "1.2"),
        ring_time_ms=4000,
    )

    rna, pause = await events.get(), await events.get()
    assert (rna.name, rna.get("RingTime")) == ("AgentRingNoAnswer", "4000")
    assert (pause.get("Paused"), pause.get("PausedReason")) == ("1", "Auto-Pause")


async def test_bad_message_does_not_kill_the_connection(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """Junk, undecodable bytes and orphan replies are logged, the link stays."""
    emulator.emit_raw(b"no colon here\r\n\r\nEvent: X\r\nName: \xff\xfe\r\n\r\n")
    emulator.emit_raw(b"Response: Success\r\nActionID: nobody\r\n\r\n")

    reply = await harness.client.send_action(Action("Ping"))

    assert reply.response.succeeded and emulator.connections == 1


async def test_answered_call_and_abandon_scenes(
    harness: Harness, emulator: AMIEmulator
) -> None:
    """An answered call and an abandon arrive in Asterisk's order (F39)."""
    events = harness.client.subscribe()
    queue = emulator.queues["q-answer"]
    member = queue.members["Local/agent1@agents/n"]
    caller = EmulatedChannel("PJSIP/trunk-00000002", "2.1", caller_num="13800000000")
    agent = EmulatedChannel("Local/agent1@agents-2;1", "2.2")
    quitter = EmulatedChannel("PJSIP/trunk-00000003", "3.1")

    scenes.new_channel(emulator, caller)
    scenes.caller_join(emulator, queue, caller)
    scenes.agent_called(emulator, queue, caller, member, agent)
    scenes.agent_connect(emulator, queue, caller, member, agent, hold=3, ring_time=2)
    scenes.caller_leave(emulator, queue, caller)
    scenes.agent_complete(emulator, queue, caller, member, agent, hold=3, talk=4)
    scenes.hangup(emulator, caller)
    scenes.caller_join(emulator, queue, quitter)
    scenes.caller_abandon(emulator, queue, quitter, hold=42)
    status = await harness.client.send_action(Action("QueueStatus"))

    names = [(await events.get()).name for _ in range(10)]
    assert names == [
        "Newchannel",
        "QueueCallerJoin",
        "AgentCalled",
        "AgentConnect",
        "QueueCallerLeave",
        "AgentComplete",
        "Hangup",
        "QueueCallerJoin",
        "QueueCallerAbandon",
        "QueueCallerLeave",
    ]
    params = status.items[0]
    assert (params.get("Completed"), params.get("Abandoned"), params.get("Calls")) == (
        "1",
        "1",
        "0",
    )
