"""Agent calls through the whole service: screen-pop variables, priority,
busy queues, the survey and its sink, and the agent-number session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from service_calls import place

from ivr.calls import AGENT_NUMBER_SCRIPT, agent_number
from ivr.channel import CallInfo, PlayResult
from ivr.service import CTISurveys, Service
from ivr.sim import CallSetup, FastAGIEmulator, ScriptedCaller
from ivr.sim.cli import QUEUE_MODES


class RecordingSink:
    """A survey sink that keeps what it was given."""

    def __init__(self) -> None:
        self.scores: list[tuple[str, int, datetime]] = []

    async def record_survey(self, uniqueid: str, score: int, at: datetime) -> None:
        """Keep the score."""
        self.scores.append((uniqueid, score, at))


def _set(call: Any, name: str) -> list[str]:
    return [e.value for e in call.log.of_kind("set") if e.name == name]


async def test_screen_pop_variables_are_set_before_queue(service: Service) -> None:
    """IVR_PATH, IVR_LANG, IVR_SESSION and QUEUE_PRIO are on the channel."""
    call = await place(service, "1 0 5")

    variables = call.log.variables
    assert variables["IVR_PATH"] == ">".join(
        [
            "welcome",
            "recording-notice",
            "main-menu",
            "social-insurance",
            "agent-social-insurance",
            "queue-social-insurance",
        ]
    )
    assert variables["IVR_LANG"] == "zh"
    assert variables["IVR_SESSION"] == call.record["session_id"]
    assert variables["QUEUE_PRIO"] == "0"


async def test_complaints_queue_has_priority(service: Service) -> None:
    """The complaints queue node sets QUEUE_PRIO from menus.yaml (5)."""
    call = await place(service, "6 0 5")

    assert [e.name for e in call.log.of_kind("queue")][:1] == ["q-complaints"]
    assert _set(call, "QUEUE_PRIO") == ["5"]


async def test_survey_score_is_kept_in_the_record(service: Service) -> None:
    """After the agent hangs up, key 4 is the score; thanks and closing follow."""
    call = await place(service, "0 4")

    survey = call.record["steps"][-1]
    assert call.stored_path[-2:] == ["queue-general", "survey"]
    assert (survey["keys"], survey["result"]) == ("4", "score 4")
    assert call.prompts[-3:] == ["survey", "survey-thanks", "closing"]
    assert call.record["outcome_kind"] == "queue"
    assert call.record["queue"] == "q-general"


async def test_survey_without_a_key_ends_without_score(service: Service) -> None:
    """Silence and a wrong key re-prompt; after the last try, no score."""
    call = await place(service, "0 _ 9 _")

    survey = call.record["steps"][-1]
    assert survey["result"] == "no score"
    assert "survey-thanks" not in call.prompts
    assert call.record["outcome_kind"] == "queue"


async def test_survey_score_goes_to_the_sink(service: Service) -> None:
    """The service hands the score and the caller's uniqueid to the sink."""
    sink = RecordingSink()
    service._handler().surveys = sink

    call = await place(service, "0 5")

    assert [(u, s) for u, s, _ in sink.scores] == [(call.log.setup.uniqueid, 5)]


async def test_busy_queue_offers_general_or_goodbye(service: Service) -> None:
    """A queue that times out offers q-general; key 3 ends politely."""
    call = await place(service, "1 0 3", queue=QUEUE_MODES["timeout"])

    assert call.stored_path[-3:] == [
        "queue-social-insurance",
        "queue-busy",
        "goodbye-transfer-failed",
    ]
    assert "queue-busy-offer" in call.prompts
    assert call.record["outcome_kind"] == "goodbye"


async def test_empty_queue_offers_general(service: Service) -> None:
    """JOINEMPTY (no agent logged in) leads to the offer; key 1 tries q-general."""
    call = await place(service, "2 0 1", queue=QUEUE_MODES["empty"])

    queues = [e.name for e in call.log.of_kind("queue")]
    assert queues == ["q-employment", "q-general"]
    assert call.record["queue_status"] == "JOINEMPTY"


async def test_agent_number_session_is_not_a_call(service: Service) -> None:
    """An agent-number session without a member plays nothing, stores nothing."""
    setup = CallSetup(script=AGENT_NUMBER_SCRIPT)
    emulator = FastAGIEmulator(
        "127.0.0.1", service.fastagi_port, ScriptedCaller(""), setup=setup
    )

    log = await emulator.run()
    await service.records.flush()

    assert log.of_kind("prompt") == []
    assert "IVR_DONE" not in log.variables
    assert await service.records.get_call(log.setup.uniqueid) is None


class MemberChannel:
    """The caller's channel as Queue's AGI sees it, with MEMBERNAME set."""

    def __init__(self, member: str) -> None:
        self.variables = {"MEMBERNAME": member}
        self.played: list[str] = []
        self.info = CallInfo(uniqueid="1700000000.7", channel="Local/x;2")
        self.hung_up = False

    async def get_variable(self, name: str) -> str | None:
        """Read a preset variable."""
        return self.variables.get(name)

    async def play(
        self, prompts: Sequence[str], *, escape_digits: str = ""
    ) -> PlayResult:
        """Keep what was played."""
        self.played.extend(prompts)
        return PlayResult()


async def test_agent_number_is_read_digit_by_digit(service: Service) -> None:
    """Agent 1001 is announced as 您好，幺零零幺号咨询员为您服务。"""
    channel = MemberChannel("Agent 1001")

    await service._handler().announce_agent(cast(Any, channel))

    assert channel.played == [
        "agent-number-before",
        "num-yao",
        "num-0",
        "num-0",
        "num-yao",
        "agent-number-after",
    ]


def test_agent_number_from_member_names() -> None:
    """The last digits of the member name or interface are the agent number."""
    assert agent_number("1001") == "1001"
    assert agent_number("PJSIP/agent1002") == "1002"
    assert agent_number("Local/1003@agents") == "1003"
    assert agent_number("Agent") == ""


class _Calls:
    def __init__(self, fail: Exception | None) -> None:
        self.fail = fail
        self.seen: list[tuple[str, int]] = []

    async def record_survey(self, uniqueid: str, score: int, at: datetime) -> str:
        if self.fail is not None:
            raise self.fail
        self.seen.append((uniqueid, score))
        return "1001"


async def test_cti_surveys_store_and_survive_unknown_calls() -> None:
    """CTISurveys passes scores to CallStore.record_survey; a miss is logged."""
    from cti import NotFoundError

    stored, missing = _Calls(None), _Calls(NotFoundError("no call"))
    at = datetime(2026, 10, 8, 9, 30)

    sinks = [CTISurveys(cast(Any, _CTI(stored))), CTISurveys(cast(Any, _CTI(missing)))]

    await sinks[0].record_survey("1.1", 5, at)
    await sinks[1].record_survey("1.2", 3, at)
    queued = list(stored.seen)
    for sink in sinks:
        await sink.drain()

    assert queued == [], "the caller does not wait for the database"
    assert stored.seen == [("1.1", 5)]


class _CTI:
    def __init__(self, calls: _Calls) -> None:
        self.calls = calls
