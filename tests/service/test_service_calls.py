"""Scripted calls through the whole service: wire, flow and stored record.

Each test places a call with the simulated caller over real TCP and checks
both what the caller heard (the path the service announced with
``IVR_NODE``, the prompts) and the record the service stored.
"""

from __future__ import annotations

import pytest
from service_calls import CALLER, MakeConfig, place

from ivr.service import Service
from ivr.sim import CallSetup, FastAGIEmulator, QueueOutcome, ScriptedCaller
from ivr.sim.cli import call_arguments

ARRIVAL = ["welcome", "recording-notice", "main-menu"]

AREAS = {
    "1": "social-insurance",
    "2": "employment",
    "3": "labour-relations",
    "4": "personnel-talent",
    "5": "social-security-card",
    "6": "complaints",
}


ANNOUNCEMENT_KEY = {"complaints": "2"}
"""The sub-menu key of a recorded announcement where it is not "1" (in the
complaints menu "1" leaves a complaint by recording)."""


@pytest.mark.parametrize("key", sorted(AREAS))
async def test_every_main_menu_branch(service: Service, key: str) -> None:
    """Each main-menu key leads to its area; a key plays an announcement, "*"
    returns."""
    area = AREAS[key]
    announcement = ANNOUNCEMENT_KEY.get(area, "1")

    call = await place(service, f"{key} {announcement} * !")

    assert call.path[:4] == [*ARRIVAL, area]
    assert call.path[4] != area, "the sub-menu key plays an announcement"
    assert call.path[5:7] == [area, "main-menu"]
    assert call.stored_path == call.path
    assert call.record["outcome_kind"] == "hangup"
    assert call.record["outcome_node"] == "main-menu"


async def test_announcement_is_heard_and_recorded(service: Service) -> None:
    """Social insurance, key 1: the pension contribution announcement plays."""
    call = await place(service, "1 1 !")

    assert call.path[3:6] == [
        "social-insurance",
        "si-pension-contribution",
        "social-insurance",
    ]
    assert "si-pension-contribution" in call.prompts
    assert call.record["steps"][3]["keys"] == "1"


async def test_no_input_escalates_then_says_goodbye(service: Service) -> None:
    """Silence: re-prompt, a second prompt, then a polite goodbye and hang-up."""
    call = await place(service, "_ _ _")

    heard = call.prompts
    assert heard.index("no-input-1") < heard.index("no-input-2")
    assert call.path[-1] == "goodbye-no-input"
    assert heard[-1] == "goodbye-no-input", "Annex 1 (十六) ends with its own thanks"
    assert call.log.hung_up_by == "service"
    assert call.log.variables["IVR_DONE"] == "1"
    assert call.record["outcome_kind"] == "goodbye"


async def test_invalid_input_escalates_then_says_goodbye(service: Service) -> None:
    """Wrong keys: re-prompt, a second prompt, then goodbye."""
    call = await place(service, "8 9 8")

    assert call.prompts.index("invalid-1") < call.prompts.index("invalid-2")
    assert call.path[-1] == "goodbye-invalid"
    assert call.record["outcome_kind"] == "goodbye"


async def test_agent_within_service_hours_reaches_the_queue(service: Service) -> None:
    """Key 0 on a working-day morning hands the call to the general queue."""
    call = await place(service, "0")

    queued = call.log.of_kind("queue")
    assert [event.name for event in queued][:1] == ["q-general"]
    assert call.record["outcome_kind"] == "queue"
    assert call.record["queue"] == "q-general"
    assert call.record["queue_status"] == "CONTINUE"


async def test_queue_timeout_overflows_then_takes_a_message(service: Service) -> None:
    """An area queue nobody answers offers q-general (key 1); when that fails
    too, the caller is put through to a voice message instead of a goodbye."""
    nobody = QueueOutcome(answered_after=None, status="TIMEOUT")

    call = await place(service, "1 0 1", queue=nobody)

    queues = [event.name for event in call.log.of_kind("queue")]
    assert queues[0] == "q-social-insurance"
    assert "q-general" in queues
    assert "message-transfer-failed" in call.path
    assert call.record["outcome_kind"] == "message"
    assert (call.record["queue"], call.record["queue_status"]) == (
        "q-general",
        "TIMEOUT",
    )
    assert call.log.variables["IVR_DONE"] == "1"


async def test_after_hours_offers_self_service(service: Service) -> None:
    """At 20:00 key 0 plays the service hours, then the self-service menu."""
    call = await place(service, "0 1 !", at="2026-10-08 20:00")

    assert "service-hours-closed" in call.prompts
    assert call.log.of_kind("queue") == []
    assert "main-menu" in call.path[4:]
    assert call.record["outcome_kind"] == "hangup"


async def test_statutory_holiday_greets_and_closes_agents(service: Service) -> None:
    """National Day: holiday greeting, no agent even at 10:00."""
    call = await place(service, "0 !", at="2026-10-01 10:00")

    assert "holiday-national-day" in call.prompts
    assert "service-hours-closed" in call.prompts
    assert call.log.of_kind("queue") == []


async def test_make_up_working_day_has_agents(service: Service) -> None:
    """Saturday 2026-10-10 is a make-up working day (调休): agents answer."""
    call = await place(service, "0", at="2026-10-10 10:00")

    assert [event.name for event in call.log.of_kind("queue")][:1] == ["q-general"]


async def test_ordinary_saturday_has_no_agents(service: Service) -> None:
    """Saturday 2026-10-17 is a rest day: the hours are played instead."""
    call = await place(service, "0 !", at="2026-10-17 10:00")

    assert "service-hours-closed" in call.prompts
    assert call.log.of_kind("queue") == []


async def test_hangup_during_a_prompt(service: Service) -> None:
    """The caller hangs up during the welcome: the record says where."""
    call = await place(service, "", hangup_during_prompt=1)

    assert call.record["outcome_kind"] == "hangup"
    assert call.record["outcome_node"] == "welcome"
    assert call.record["ended_at"] is not None


async def test_hangup_during_digit_collection(service: Service) -> None:
    """The caller hangs up while the main menu waits for a key."""
    call = await place(service, "!")

    assert call.record["outcome_kind"] == "hangup"
    assert call.record["outcome_node"] == "main-menu"


async def test_hangup_before_the_first_command(service: Service) -> None:
    """Gone before the service said anything: still one record, a hang-up."""
    call = await place(service, "", hangup_before_start=True)

    assert call.record["outcome_kind"] == "hangup"
    assert call.log.of_kind("prompt") == []


async def test_record_keeps_no_full_caller_number(service: Service) -> None:
    """The stored call has the masked number and a keyed hash, never the number."""
    call = await place(service, "!")

    assert call.record["caller_masked"] == "138******78"
    assert len(call.record["caller_hash"]) == 64
    assert CALLER not in repr(call.record)


async def test_clock_override_is_ignored_when_not_allowed(
    make_config: MakeConfig,
) -> None:
    """With allow_clock_override off, at= cannot make a holiday a working day."""
    from datetime import datetime

    from ivr.clock import FixedClock

    holiday = FixedClock(datetime(2026, 10, 1, 10, 0))
    locked = Service(
        make_config(**{"calls.allow_clock_override": False}), clock=holiday
    )
    await locked.start()
    try:
        call = await place(locked, "0 !", at="2026-10-08 10:00", caller="13900000000")
    finally:
        await locked.stop()

    assert "holiday-national-day" in call.prompts
    assert call.log.of_kind("queue") == []
    assert call.record["caller_masked"] == "138******78"


async def test_cantonese_caller_hears_cantonese_then_mandarin_fallback(
    service: Service,
) -> None:
    """A yue channel gets the Cantonese prompts it has; others come from zh/."""
    setup = CallSetup(
        language="yue", args=tuple(call_arguments("2026-10-08 09:30", None))
    )
    caller = ScriptedCaller("1 !")

    log = await FastAGIEmulator(
        "127.0.0.1", service.fastagi_port, caller, setup=setup
    ).run()

    heard = [event.name for event in log.of_kind("prompt")]
    assert heard[:3] == ["welcome-morning", "recording-notice", "main-menu"]
    assert "zh/menu-social-insurance" in heard
