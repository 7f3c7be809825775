"""The CTI against the emulated Asterisk: calls, agents, figures, alerts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from cti_rig import AGENTS, OVERFLOW, QUEUE, Rig, drain, until
from sqlalchemy import Table, select

from cti.ami import emulator_events as scenes
from cti.seats import Seats
from cti.stats import daily_figures
from ivr.records.schema import cti_alerts, cti_calls, cti_offers

UID = "1796312000.10"
IVR_VARS = {"IVR_PATH": "main>3>1", "IVR_LANG": "zh", "IVR_SESSION": "sess-1"}


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    """A CTI service logged in to the emulated Asterisk."""
    setup = Rig(tmp_path)
    await setup.start()
    yield setup
    await setup.stop()


async def _rows(rig: Rig, table: Table) -> list[dict[str, object]]:
    async with rig.engine.connect() as connection:
        result = await connection.execute(select(table).order_by("id"))
        return [dict(row._mapping) for row in result]


async def _answer(
    rig: Rig, uid: str, agent: str, wait: int, ring: int, talk: int, queue: str = QUEUE
) -> None:
    caller = rig.emu.channels.get(f"PJSIP/trunk-{uid[-4:]}") or rig.caller(uid)
    rig.join(queue, caller)
    await rig.settle()
    rig.clock.advance(wait - ring)
    leg = rig.agent_leg(agent, uid)
    rig.called(queue, caller, agent, leg)
    await rig.settle()
    rig.clock.advance(ring)
    emu_queue = rig.emu.queues[queue]
    member = emu_queue.members[AGENTS[agent]]
    # Leave before AgentConnect, as app_queue.c try_calling sends them.
    scenes.caller_leave(rig.emu, emu_queue, caller)
    scenes.agent_connect(
        rig.emu, emu_queue, caller, member, leg, hold=wait, ring_time=ring
    )
    await rig.settle()
    rig.clock.advance(talk)
    scenes.agent_complete(rig.emu, emu_queue, caller, member, leg, hold=wait, talk=talk)


async def test_answered_call_pops_the_screen_and_counts_once(rig: Rig) -> None:
    """Offer: masked number, path, language, wait; then talk, wrap-up, figures."""
    desk, board = rig.cti.hub.listen("1001"), rig.cti.hub.listen(None)
    rig.member("1001")
    caller = rig.caller(UID, variables=IVR_VARS)

    await _answer(rig, UID, "1001", wait=14, ring=6, talk=120)
    await rig.settle()

    messages = drain(desk)
    offer = next(m for m in messages if m["type"] == "offer")
    assert offer == {
        "type": "offer",
        "uniqueid": UID,
        "queue": QUEUE,
        "caller": "138******00",
        "path": "main>3>1",
        "language": "zh",
        "session": "sess-1",
        "wait": 8.0,
    }
    everything = json.dumps(messages + drain(board), ensure_ascii=False)
    assert "13800138000" not in everything
    assert caller.caller_num == "13800138000"
    seat = rig.cti.state.seat_of("1001")
    assert seat is not None and seat.status(rig.clock()).value == "wrap_up"
    await rig.settle()
    rig.clock.advance(31)
    assert seat.status(rig.clock()).value == "ready"
    [call] = await _rows(rig, cti_calls)
    assert (call["outcome"], call["agent_number"], call["caller_masked"]) == (
        "answered",
        "1001",
        "138******00",
    )
    assert (call["wait_seconds"], call["ring_seconds"], call["talk_seconds"]) == (
        14,
        6,
        120,
    )
    assert (call["ivr_path"], call["language"], call["hour"]) == (
        "main>3>1",
        "zh",
        "2026-12-04T09",
    )
    today = rig.cti.wallboard()["queues"][QUEUE]["today"]
    assert today["answered"] == 1
    assert today["service_levels"] == {"15": 1.0, "20": 1.0, "60": 1.0}
    assert today["ring_answer_rate"] == 1.0
    assert today["average_speed_of_answer"] == 14.0
    stored = await daily_figures(
        rig.cti.calls, date(2026, 12, 4), rig.cti.options.policy
    )
    assert stored["by_agent"]["1001"]["answered"] == 1
    assert stored["by_hour"]["2026-12-04T09"] == stored["total"]
    assert stored["total"] == rig.cti.wallboard()["today"]


async def test_member_who_never_answers_is_autopaused_and_reported(rig: Rig) -> None:
    """RingNoAnswer past the target, Auto-Pause: alert; the call goes to 1002."""
    board = rig.cti.hub.listen(None)
    rig.member("1001")
    rig.member("1002")
    caller = rig.caller(UID)
    rig.join(QUEUE, caller)
    leg = rig.agent_leg("1001", UID)
    rig.called(QUEUE, caller, "1001", leg)
    await rig.settle()
    rig.clock.advance(15)
    queue = rig.emu.queues[QUEUE]
    member = queue.members[AGENTS["1001"]]
    scenes.agent_ring_no_answer(rig.emu, queue, caller, member, leg, ring_time_ms=15000)
    leg2 = rig.agent_leg("1002", UID)
    rig.called(QUEUE, caller, "1002", leg2)
    await rig.settle()
    rig.clock.advance(3)
    member2 = queue.members[AGENTS["1002"]]
    scenes.caller_leave(rig.emu, queue, caller)  # Leave first: app_queue.c try_calling
    scenes.agent_connect(rig.emu, queue, caller, member2, leg2, hold=18, ring_time=3)
    await rig.settle()

    alerts = [m for m in drain(board) if m["type"] == "alert"]
    assert alerts == [
        {
            "type": "alert",
            "kind": "autopause",
            "agent": "1001",
            "member": AGENTS["1001"],
            "queue": QUEUE,
            "uniqueid": UID,
            "reason": "Auto-Pause",
        }
    ]
    [stored] = await _rows(rig, cti_alerts)
    assert (stored["kind"], stored["agent_number"], stored["uniqueid"]) == (
        "autopause",
        "1001",
        UID,
    )
    seat = rig.cti.state.seat_of("1001")
    assert seat is not None
    assert seat.to_json(rig.clock())["status"] == "not_ready"
    assert seat.to_json(rig.clock())["reason"] == "Auto-Pause"
    offers = await _rows(rig, cti_offers)
    assert [(o["agent_number"], o["outcome"], o["ring_seconds"]) for o in offers] == [
        ("1001", "no_answer", 15.0),
        ("1002", "answered", 3.0),
    ]
    today = rig.cti.wallboard()["queues"][QUEUE]["today"]
    assert (today["offers"], today["ring_answer_rate"]) == (2, 0.5)
    assert today["service_levels"]["15"] == 0.0
    assert today["service_levels"]["20"] == 1.0


async def test_pause_while_ringing_keeps_ringing_then_shows_the_reason(
    rig: Rig,
) -> None:
    """Not ready during a ring: still ringing; after it, not ready (break)."""
    rig.member("1001")
    caller = rig.caller(UID)
    rig.join(QUEUE, caller)
    leg = rig.agent_leg("1001", UID)
    rig.called(QUEUE, caller, "1001", leg)
    await rig.settle()
    agent = await rig.cti.staff.get("agent1001")

    await Seats(rig.cti).not_ready(agent, "break")
    await rig.settle()
    seat = rig.cti.state.seat_of("1001")
    assert seat is not None
    during = seat.status(rig.clock()).value
    queue = rig.emu.queues[QUEUE]
    scenes.agent_ring_no_answer(
        rig.emu,
        queue,
        caller,
        queue.members[AGENTS["1001"]],
        leg,
        ring_time_ms=4000,
        autopause=False,
    )
    await rig.settle()
    after = seat.to_json(rig.clock())
    await Seats(rig.cti).ready(agent)
    await rig.settle()

    assert during == "ringing"
    assert (after["status"], after["reason"]) == ("not_ready", "break")
    pause = [r for r in rig.emu.requests if r.action == "QueuePause"]
    assert [(r.get("Paused"), r.get("Reason")) for r in pause] == [
        ("true", "break"),
        ("false", ""),
    ]
    assert seat.status(rig.clock()).value == "ready"
    assert seat.reason == "break"


async def test_abandons_short_and_long_are_counted_apart(rig: Rig) -> None:
    """Abandon then Leave (F39): length from Join/Leave; 3 s apart from 42 s."""
    rig.member("1001", paused=True)
    first, second = (
        rig.caller("1796312000.11"),
        rig.caller("1796312000.12", "13900139000"),
    )
    rig.join(QUEUE, first)
    rig.join(QUEUE, second)
    await rig.settle()
    length_two = rig.cti.wallboard()["queues"][QUEUE]["waiting"]
    queue = rig.emu.queues[QUEUE]
    await rig.settle()
    rig.clock.advance(3)
    scenes.caller_abandon(rig.emu, queue, first, hold=3)
    await rig.settle()
    rig.clock.advance(39)
    scenes.caller_abandon(rig.emu, queue, second, hold=42)
    await rig.settle()

    calls = await _rows(rig, cti_calls)
    assert [(c["outcome"], c["abandon_seconds"]) for c in calls] == [
        ("abandoned", 3.0),
        ("abandoned", 42.0),
    ]
    board = rig.cti.wallboard()["queues"][QUEUE]
    assert (length_two, board["waiting"]) == (2, 0)
    today = board["today"]
    assert (today["short_abandoned"], today["abandoned"], today["abandon_rate"]) == (
        1,
        1,
        1.0,
    )
    assert today["answer_rate"] == 0.0


async def test_overflow_makes_two_visits(rig: Rig) -> None:
    """A caller who times out of one queue and is answered in the next."""
    rig.member("1001", paused=True)
    rig.member("1002", OVERFLOW)
    caller = rig.caller(UID)
    rig.join(QUEUE, caller)
    await rig.settle()
    rig.clock.advance(60)
    scenes.caller_leave(rig.emu, rig.emu.queues[QUEUE], caller)
    await _answer(rig, UID, "1002", wait=5, ring=2, talk=30, queue=OVERFLOW)
    await rig.settle()

    calls = await _rows(rig, cti_calls)
    assert [(c["queue"], c["outcome"], c["wait_seconds"]) for c in calls] == [
        (QUEUE, "left", 60.0),
        (OVERFLOW, "answered", 5.0),
    ]
    board = rig.cti.wallboard()["queues"]
    assert board[QUEUE]["today"]["left"] == 1
    assert board[QUEUE]["today"]["service_levels"]["60"] == 0.0
    assert board[OVERFLOW]["today"]["service_levels"]["15"] == 1.0


async def test_priority_caller_goes_ahead(rig: Rig) -> None:
    """A complaint joins at position 1 ahead of an earlier caller."""
    rig.member("1001", paused=True)
    early = rig.caller("1796312000.21")
    urgent = rig.caller("1796312000.22", variables={"QUEUE_PRIO": "10"})
    rig.join(QUEUE, early)
    await rig.settle()
    rig.clock.advance(30)
    rig.join(QUEUE, urgent, position=1)
    await rig.settle()
    rig.clock.advance(10)
    await rig.settle()

    callers = rig.cti.wallboard()["queues"][QUEUE]["callers"]
    assert [(c["uniqueid"], c["position"], c["wait"]) for c in callers] == [
        ("1796312000.22", 1, 10.0),
        ("1796312000.21", 2, 40.0),
    ]
    assert rig.cti.wallboard()["queues"][QUEUE]["longest_wait"] == 40.0
    scenes.caller_leave(rig.emu, rig.emu.queues[QUEUE], urgent)
    await rig.settle()
    assert rig.cti.wallboard()["queues"][QUEUE]["callers"][0]["position"] == 1
    [row] = await _rows(rig, cti_calls)
    assert row["priority"] == 10


async def test_reconnect_resyncs_to_what_asterisk_holds(rig: Rig) -> None:
    """Lost link: state changed meanwhile; the resync shows Asterisk's truth."""
    board = rig.cti.hub.listen(None)
    rig.member("1001")
    await rig.settle()
    queue = rig.emu.queues[QUEUE]
    rig.emu.drop_sessions()
    del queue.members[AGENTS["1001"]]
    member = rig.member("1002")
    member.paused, member.paused_reason = True, "training"
    queue.callers.append(rig.caller("1796312000.31"))
    await until(lambda: rig.emu.connections == 2)
    await rig.ready()

    assert rig.cti.state.seat_of("1001") is None
    seat = rig.cti.state.seat_of("1002")
    assert seat is not None
    assert seat.to_json(rig.clock())["status"] == "not_ready"
    assert seat.reason == "training"
    walls = [m for m in drain(board) if m["type"] == "wallboard"]
    assert walls[-1]["queues"][QUEUE]["waiting"] == 1
    assert walls[-1]["queues"][QUEUE]["agents"]["not_ready"] == 1


async def test_asterisk_restart_rebuilds_after_fully_booted(rig: Rig) -> None:
    """Shutdown, then FullyBooted: the seat that was talking is gone."""
    rig.member("1001")
    await _answer(rig, UID, "1001", wait=4, ring=2, talk=0)
    rig.called(
        QUEUE,
        rig.caller("1796312000.41"),
        "1001",
        rig.agent_leg("1001", "1796312000.41"),
    )
    await rig.settle()
    ringing = rig.cti.state.seat_of("1001")
    assert ringing is not None and ringing.ringing

    rig.emu.shutdown()
    rig.emu.queues[QUEUE].members.clear()
    rig.emu.channels.clear()
    await until(lambda: rig.cti.client.state.value == "booting")
    rig.emu.boot()
    await rig.ready()

    assert rig.cti.state.seats == {}
    assert rig.cti.wallboard()["queues"][QUEUE]["agents"]["ringing"] == 0


async def test_event_storm_leaves_state_right(rig: Rig) -> None:
    """Thousands of dialplan events between queue events lose nothing."""
    rig.member("1001")
    noise = rig.caller("1796312000.50")
    scenes.event_storm(rig.emu, 3000, noise)
    await _answer(rig, UID, "1001", wait=9, ring=3, talk=60)
    await rig.settle()

    assert rig.cti.events_handled >= 3000
    [call] = await _rows(rig, cti_calls)
    assert (call["outcome"], call["talk_seconds"]) == ("answered", 60.0)


async def test_survey_score_is_stored_with_call_and_agent(rig: Rig) -> None:
    """The IVR stores the caller's key through the CTI's call store."""
    rig.member("1001")
    await _answer(rig, UID, "1001", wait=9, ring=3, talk=60)
    await rig.settle()

    agent = await rig.cti.calls.record_survey(UID, 5, rig.cti.now())

    [call] = await _rows(rig, cti_calls)
    assert (agent, call["survey_score"], call["agent_number"]) == ("1001", 5, "1001")


async def test_login_refused_alerts_supervisors(tmp_path: Path) -> None:
    """A wrong AMI secret: supervisors see the alert; no tight retry loop."""
    setup = Rig(tmp_path, secret="wrong")
    try:
        await setup.start(ready=False)
        board = setup.cti.hub.listen(None)
        await until(lambda: not board.queue.empty() and bool(setup.sleeps))
        alert = board.queue.get_nowait()
    finally:
        await setup.stop()

    assert (alert["type"], alert["kind"]) == ("alert", "ami_login")
    assert "Authentication failed" in alert["detail"]
    assert setup.sleeps[0] >= 10.0


async def test_lost_link_alerts_marks_stale_and_reports_health(rig: Rig) -> None:
    """Drop: ami_down alert, stale wallboard and health; resync: ami_up."""
    board = rig.cti.hub.listen(None)
    before = rig.cti.health()
    seen: list[tuple[dict[str, Any], bool]] = []
    sleep = rig.cti._sleep

    async def reconnect_delay(delay: float) -> None:
        # Only the reconnect delay: the same sleep serves the retention job
        # and the FullyBooted polling.
        if not seen and rig.cti.client.state.value == "disconnected":
            seen.append((rig.cti.health(), rig.cti.wallboard()["stale"]))
            rig.clock.advance(12)
        await sleep(delay)

    rig.cti._sleep = reconnect_delay
    rig.emu.drop_sessions()
    await until(lambda: rig.emu.connections == 2)
    await rig.ready()
    await until(lambda: not rig.cti.health()["stale"])

    assert before == {
        "connected": True,
        "state": "ready",
        "stale": False,
        "last_error": None,
        "down_since": None,
    }
    down, stale_board = seen[0]
    assert (down["connected"], down["stale"], stale_board) == (False, True, True)
    assert down["last_error"] == "the AMI session ended"
    assert down["down_since"] == "2026-12-04T01:00:00+00:00"
    assert rig.cti.wallboard()["stale"] is False
    messages = drain(board)
    alerts = [(m["kind"], m.get("down")) for m in messages if m["type"] == "alert"]
    assert alerts == [("ami_down", None), ("ami_up", 12.0)]
    assert any(m["type"] == "wallboard" and m["stale"] for m in messages)
    kinds = [a["kind"] for a in await rig.cti.calls.alerts()]
    assert kinds == ["ami_up", "ami_down"]


async def test_autopause_in_one_queue_leaves_the_other_ready(rig: Rig) -> None:
    """autopause=yes pauses one membership: not ready there, ready elsewhere."""
    rig.member("1001")
    rig.member("1001", OVERFLOW)
    caller = rig.caller(UID)
    rig.join(QUEUE, caller)
    leg = rig.agent_leg("1001", UID)
    rig.called(QUEUE, caller, "1001", leg)
    queue = rig.emu.queues[QUEUE]
    member = queue.members[AGENTS["1001"]]
    scenes.agent_ring_no_answer(rig.emu, queue, caller, member, leg, ring_time_ms=15000)
    await rig.settle()

    seat = rig.cti.state.seat_of("1001")
    assert seat is not None
    shown = seat.to_json(rig.clock())
    board = rig.cti.wallboard()["queues"]
    assert (shown["status"], shown["paused_in"]) == ("ready", {QUEUE: "Auto-Pause"})
    assert board[QUEUE]["agents"]["not_ready"] == 1
    assert board[QUEUE]["agents"]["ready"] == 0
    assert board[OVERFLOW]["agents"]["ready"] == 1
    assert board[OVERFLOW]["agents"]["not_ready"] == 0
