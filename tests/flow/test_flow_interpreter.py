"""The interpreter on the shipped flow, driven by a scripted caller."""

from __future__ import annotations

import logging
import re

import pytest
from flow_fakes import (
    HANG_UP,
    MENUS,
    PROMPTS,
    SILENCE,
    RunCall,
    ScriptedChannel,
    at,
)

from ivr.channel import QueueResult
from ivr.flow import (
    AnnouncementNode,
    Flow,
    HoursNode,
    MenuNode,
    QueueNode,
    load_flow,
)
from ivr.prompts import PromptCatalog
from ivr.trace import OutcomeKind

WORKDAY_MORNING = at(2026, 3, 3, 10, 0)  # a Tuesday
ARRIVAL = ["welcome", "recording-notice", "main-menu"]
AREAS = {
    "1": "social-insurance",
    "2": "employment",
    "3": "labour-relations",
    "4": "personnel-talent",
    "5": "social-security-card",
    "6": "complaints",
}


def _announcements() -> list[tuple[str, str, str]]:
    flow, _ = load_flow(MENUS, PromptCatalog.load(PROMPTS))
    assert flow is not None
    return list(_announcement_keys(flow))


def _announcement_keys(flow: Flow) -> list[tuple[str, str, str]]:
    found = []
    for area_key, area in AREAS.items():
        menu = flow.node(area)
        assert isinstance(menu, MenuNode)
        for key, target in menu.options.items():
            if isinstance(flow.nodes.get(target), AnnouncementNode):
                found.append((area_key, key, target))
    return found


@pytest.mark.parametrize(("key", "area"), AREAS.items())
async def test_main_menu_key_opens_its_business_area(
    run_call: RunCall, key: str, area: str
) -> None:
    """Each main-menu key leads to its area's sub-menu."""
    channel = ScriptedChannel([key, HANG_UP])

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.path == [*ARRIVAL, area]
    assert channel.nodes == trace.path
    assert outcome.kind is OutcomeKind.HANGUP
    assert outcome.node_id == area


@pytest.mark.parametrize(("area_key", "key", "announcement"), _announcements())
async def test_sub_menu_key_plays_its_announcement_then_returns(
    run_call: RunCall, area_key: str, key: str, announcement: str
) -> None:
    """Every policy announcement plays and leads back to its sub-menu."""
    channel = ScriptedChannel([area_key, key, HANG_UP])

    _, trace = await run_call(channel, WORKDAY_MORNING)

    area = AREAS[area_key]
    assert trace.path == [*ARRIVAL, area, announcement, area]
    assert trace.steps[4].prompts == [announcement]
    assert announcement in channel.played


def test_every_area_has_two_to_four_announcements() -> None:
    """The sub-menus offer 2-4 recorded announcements each."""
    per_area = [sum(1 for a, _, _ in _announcements() if a == k) for k in AREAS]

    assert all(2 <= count <= 4 for count in per_area), per_area


async def test_star_goes_back_to_the_main_menu(run_call: RunCall) -> None:
    """``*`` in a sub-menu returns to the main menu."""
    channel = ScriptedChannel(["1", "*", HANG_UP])

    _, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.path == [*ARRIVAL, "social-insurance", "main-menu"]
    assert trace.steps[3].result == "key *"


async def test_hash_repeats_the_menu_in_the_same_step(run_call: RunCall) -> None:
    """``#`` plays the menu again without counting as a mistake."""
    channel = ScriptedChannel(["#", "#", "2", HANG_UP])

    _, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.path == [*ARRIVAL, "employment"]
    assert channel.collects[:3] == [["main-menu"]] * 3
    assert trace.steps[2].keys == "##2"


async def test_zero_in_service_hours_reaches_the_general_queue(
    run_call: RunCall,
) -> None:
    """``0`` on a working day in service hours hands the call to q-general."""
    answered = QueueResult("q-general", "", answered=True, member="PJSIP/agent-1")
    channel = ScriptedChannel(["0", "5"], queue_results=[answered])

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.path == [*ARRIVAL, "agent-general", "queue-general", "survey"]
    assert channel.queues == [("q-general", 180.0)]
    assert "transfer-agent" in channel.played
    assert (outcome.kind, outcome.queue) == (OutcomeKind.QUEUE, "q-general")
    assert channel.variables["IVR_OUTCOME"] == "queue"
    assert channel.variables["IVR_DONE"] == "1"
    assert channel.hung_up_by_flow


async def test_area_queue_timeout_overflows_to_general(run_call: RunCall) -> None:
    """A business queue that times out offers the general queue; 1 takes it."""
    results = [
        QueueResult("q-social-insurance", "TIMEOUT"),
        QueueResult("q-general", "", answered=True),
    ]
    channel = ScriptedChannel(["1", "0", "1", "4"], queue_results=results)

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert [name for name, _ in channel.queues] == ["q-social-insurance", "q-general"]
    assert trace.path[-5:] == [
        "agent-social-insurance",
        "queue-social-insurance",
        "queue-busy",
        "queue-general",
        "survey",
    ]
    assert "queue-busy-offer" in channel.played
    assert outcome.kind is OutcomeKind.QUEUE


async def test_queue_without_agents_says_goodbye(run_call: RunCall) -> None:
    """JOINEMPTY (nobody logged in): the transfer-failed words lead to a
    message; with no desk the caller is told so and hears only the closing."""
    channel = ScriptedChannel(
        ["0"], queue_results=[QueueResult("q-general", "JOINEMPTY")]
    )

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.path[-1] == "goodbye-message-failed"
    assert channel.played[-3:] == [
        "message-intro-transfer-failed",
        "message-unavailable",
        "closing",
    ]
    assert outcome.kind is OutcomeKind.GOODBYE
    assert channel.variables["IVR_DONE"] == "1"


async def test_agent_outside_hours_hears_hours_then_self_service(
    run_call: RunCall,
) -> None:
    """At lunch time ``0`` plays the service hours and offers the menu again."""
    channel = ScriptedChannel(["0", "1", HANG_UP])

    _, trace = await run_call(channel, at(2026, 3, 3, 12, 30))

    assert trace.path == [*ARRIVAL, "agent-general", "after-hours", "main-menu"]
    assert trace.steps[3].result == "closed"
    assert channel.collects[1] == ["service-hours-closed", "after-hours-menu"]
    assert channel.queues == []


async def test_after_hours_zero_ends_the_call_politely(run_call: RunCall) -> None:
    """``0`` in the after-hours menu ends the call with a goodbye, no queue."""
    channel = ScriptedChannel(["0", "0"])

    outcome, _ = await run_call(channel, at(2026, 3, 3, 18, 0))

    assert outcome.kind is OutcomeKind.GOODBYE
    assert outcome.node_id == "goodbye-after-hours"
    assert channel.queues == []
    assert channel.played[-2:] == ["goodbye-after-hours", "closing"]


def test_menu_lines_match_their_keys(flow: Flow, catalog: PromptCatalog) -> None:
    """Every "XX请按N" a menu says is a key it takes; "人工服务" leads to an agent."""
    for menu in flow.nodes.values():
        if not isinstance(menu, MenuNode):
            continue
        script = "".join(catalog.text(prompt) for prompt in menu.prompts)
        for offer, key in _offers(script):
            assert key in menu.options, (menu.id, offer, key)
            if "人工" in offer:
                target = flow.node(menu.options[key])
                assert isinstance(target, HoursNode | QueueNode), (menu.id, offer)


def _offers(script: str) -> list[tuple[str, str]]:
    """(what is offered, key) for each "XX请按N" in a menu script."""
    names = {"星号键": "*", "井号键": "#"}
    found = re.findall(r"([^；，。]*?)请按(\d|星号键|井号键)", script)
    return [(offer, names.get(key, key)) for offer, key in found]


async def test_no_input_reprompts_twice_then_says_goodbye(run_call: RunCall) -> None:
    """Silence: re-prompt, second prompt, then the silent-call goodbye."""
    channel = ScriptedChannel([SILENCE, SILENCE, SILENCE])

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert channel.collects == [
        ["main-menu"],
        ["no-input-1", "main-menu"],
        ["no-input-2", "main-menu"],
    ]
    assert trace.path == [*ARRIVAL, "goodbye-no-input"]
    assert channel.played[-1] == "goodbye-no-input"
    assert outcome.kind is OutcomeKind.GOODBYE
    assert channel.hung_up_by_flow


async def test_invalid_input_reprompts_twice_then_says_goodbye(
    run_call: RunCall,
) -> None:
    """Wrong keys: two re-prompts, then goodbye with the closing line."""
    channel = ScriptedChannel(["9", "8", "9"])

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert [c[0] for c in channel.collects] == ["main-menu", "invalid-1", "invalid-2"]
    assert trace.steps[2].result == "invalid input"
    assert trace.steps[2].keys == "989"
    assert channel.played[-2:] == ["goodbye-invalid", "closing"]
    assert outcome.node_id == "goodbye-invalid"


async def test_reprompt_line_follows_the_count_of_its_own_kind(
    run_call: RunCall,
) -> None:
    """A silence after a wrong key hears the first silence line, not the second."""
    channel = ScriptedChannel(["9", SILENCE, SILENCE])

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert channel.collects == [
        ["main-menu"],
        ["invalid-1", "main-menu"],
        ["no-input-1", "main-menu"],
    ]
    assert trace.steps[2].result == "no input"
    assert outcome.node_id == "goodbye-no-input"


async def test_failures_of_both_kinds_share_the_retries(run_call: RunCall) -> None:
    """Retries count silences and wrong keys together; the last kind picks the exit."""
    channel = ScriptedChannel([SILENCE, "9", "8"])

    outcome, _ = await run_call(channel, WORKDAY_MORNING)

    assert [c[0] for c in channel.collects] == ["main-menu", "no-input-1", "invalid-1"]
    assert outcome.node_id == "goodbye-invalid"


async def test_recovering_after_one_silence_continues(run_call: RunCall) -> None:
    """A key after a re-prompt is taken normally."""
    channel = ScriptedChannel([SILENCE, "3", HANG_UP])

    _, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.path == [*ARRIVAL, "labour-relations"]


@pytest.mark.parametrize(
    ("hour", "minute", "welcome"),
    [(8, 0, "welcome-morning"), (12, 0, "welcome-noon"), (15, 0, "welcome-afternoon")],
)
async def test_welcome_follows_time_of_day(
    run_call: RunCall, hour: int, minute: int, welcome: str
) -> None:
    """The welcome line is chosen by the configured greeting boundaries."""
    channel = ScriptedChannel([HANG_UP])

    _, trace = await run_call(channel, at(2026, 3, 3, hour, minute))

    assert trace.steps[0].prompts == [welcome]


async def test_statutory_holiday_greets_and_offers_no_agent(run_call: RunCall) -> None:
    """On National Day: holiday greeting, agents closed, its own closing line."""
    channel = ScriptedChannel(["0", "0"])

    outcome, trace = await run_call(channel, at(2026, 10, 1, 10, 0))

    assert trace.steps[0].prompts == ["welcome-morning", "holiday-national-day"]
    assert "agent-general" in trace.path
    assert "after-hours" in trace.path
    assert channel.queues == []
    assert channel.played[-1] == "closing-national-day"
    assert outcome.kind is OutcomeKind.GOODBYE


async def test_make_up_working_day_offers_agents(run_call: RunCall) -> None:
    """Saturday 2026-10-10 is a make-up working day: agents answer."""
    answered = QueueResult("q-general", "", answered=True)
    channel = ScriptedChannel(["0"], queue_results=[answered])

    outcome, trace = await run_call(channel, at(2026, 10, 10, 10, 0))

    assert trace.steps[0].prompts == ["welcome-morning"]
    assert outcome.kind is OutcomeKind.QUEUE


@pytest.mark.parametrize(
    ("day", "queued"), [((2027, 1, 4), True), ((2027, 1, 9), False)]
)
async def test_year_without_calendar_data_falls_back_to_weekdays(
    run_call: RunCall, day: tuple[int, int, int], queued: bool
) -> None:
    """In 2027 (no official data) Monday is open and Saturday is closed."""
    answered = QueueResult("q-general", "", answered=True)
    channel = ScriptedChannel(["0", "0"], queue_results=[answered])

    await run_call(channel, at(*day, 10, 0))

    assert bool(channel.queues) is queued


async def test_hang_up_during_a_prompt(run_call: RunCall) -> None:
    """A hang-up while the recording notice plays ends the call there."""
    channel = ScriptedChannel([], hang_up_on="recording-notice")

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert outcome.kind is OutcomeKind.HANGUP
    assert outcome.node_id == "recording-notice"
    assert trace.outcome is outcome
    assert trace.steps[-1].left_at is not None
    assert "IVR_DONE" in channel.variables


async def test_hang_up_during_digit_collection(run_call: RunCall) -> None:
    """A hang-up while waiting for a key ends the call at the menu."""
    channel = ScriptedChannel(["1", HANG_UP])

    outcome, _ = await run_call(channel, WORKDAY_MORNING)

    assert (outcome.kind, outcome.node_id) == (OutcomeKind.HANGUP, "social-insurance")
    assert channel.variables["IVR_OUTCOME"] == "hangup"


async def test_missing_prompt_is_logged_and_the_flow_goes_on(
    run_call: RunCall, caplog: pytest.LogCaptureFixture
) -> None:
    """A prompt the channel cannot play does not stop the call."""
    channel = ScriptedChannel(["5", HANG_UP], missing={"recording-notice"})

    with caplog.at_level(logging.WARNING, logger="ivr.flow.interpreter"):
        _, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.path == [*ARRIVAL, "social-security-card"]
    [record] = caplog.records
    assert record.getMessage() == (
        "call 1700000000.1: node recording-notice: prompt 'recording-notice' "
        "could not be played"
    )


async def test_trace_carries_version_and_clock_times(
    run_call: RunCall, flow: Flow
) -> None:
    """Steps are stamped by the injected clock; the trace names the flow version."""
    channel = ScriptedChannel([HANG_UP])

    _, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.flow_version == flow.version
    assert trace.steps[0].entered_at.hour == 10
    assert trace.steps[0].entered_at.tzinfo is not None
    assert channel.answered
