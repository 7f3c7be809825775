"""Queue nodes' priority and answered target, the survey node, and the
variables the flow leaves on the channel for the CTI's screen pop."""

from __future__ import annotations

from pathlib import Path

import pytest
from flow_edits import broken_copy, check_lines, errors_of, where_in
from flow_fakes import RunCall, ScriptedChannel, at

from ivr.channel import QueueResult
from ivr.flow import Flow, QueueNode, SurveyNode
from ivr.prompts import PromptCatalog
from ivr.trace import OutcomeKind

WORKDAY_MORNING = at(2026, 3, 3, 10, 0)
COMPLAINTS = (
    "    priority: 5             # complaints are served before waiting enquiries"
)


def test_shipped_flow_routes_agent_calls_to_the_survey(flow: Flow) -> None:
    """Every queue node leads to the survey; complaints have priority 5."""
    queues = [n for n in flow.nodes.values() if isinstance(n, QueueNode)]

    assert {n.answered for n in queues} == {"survey"}
    assert {n.id: n.priority for n in queues if n.priority} == {"queue-complaints": 5}
    survey = flow.node("survey")
    assert isinstance(survey, SurveyNode)
    assert survey.scores == "12345"


@pytest.mark.parametrize("value", ["11", "-1", "high"])
def test_priority_out_of_range_is_an_error(
    tmp_path: Path, catalog: PromptCatalog, value: str
) -> None:
    """ivr check takes priorities 0 to 10 only, at the value's position."""
    new = f"    priority: {value}"
    path, text = broken_copy(tmp_path, COMPLAINTS, new)

    errors = errors_of(check_lines(path, catalog))

    assert len(errors) == 1
    assert errors[0].startswith(where_in(text, new, len("    priority: ")))
    assert "priority must be" in errors[0]


def test_survey_scores_must_be_distinct_keys(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A survey's scores are distinct keys 1-9."""
    old = "    thanks: survey-thanks\n"
    path, _ = broken_copy(tmp_path, old, old + '    scores: "1102"\n')

    errors = errors_of(check_lines(path, catalog))

    assert len(errors) == 1
    assert "scores must be distinct keys 1-9" in errors[0]


async def test_queue_sets_screen_pop_variables_and_connect_agi(
    run_call: RunCall,
) -> None:
    """Before Queue: IVR_PATH, IVR_LANG, IVR_SESSION, QUEUE_PRIO; the AGI the
    dialplan named in IVR_CONNECT_AGI is Queue's AGI argument."""
    answered = QueueResult("q-complaints", "CONTINUE", answered=True)
    channel = ScriptedChannel(["6", "0", "3"], queue_results=[answered])
    channel.variables["IVR_CONNECT_AGI"] = "agi://127.0.0.1:4573/agent-number"

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert channel.variables["IVR_PATH"] == (
        "welcome>recording-notice>main-menu>complaints>agent-complaints"
        ">queue-complaints"
    )
    assert channel.variables["IVR_LANG"] == "zh"
    assert channel.variables["IVR_SESSION"] == trace.session_id
    assert channel.variables["QUEUE_PRIO"] == "5"
    assert channel.queue_agis == ["agi://127.0.0.1:4573/agent-number"]
    assert trace.steps[-1].result == "score 3"
    assert (outcome.kind, outcome.queue, outcome.queue_status) == (
        OutcomeKind.QUEUE,
        "q-complaints",
        "CONTINUE",
    )


async def test_hanging_up_in_the_survey_is_still_a_queue_call(
    run_call: RunCall,
) -> None:
    """A caller who hangs up instead of rating was still served by an agent."""
    answered = QueueResult("q-general", "CONTINUE", answered=True)
    channel = ScriptedChannel(["0"], queue_results=[answered])

    outcome, trace = await run_call(channel, WORKDAY_MORNING)

    assert trace.path[-1] == "survey"
    assert outcome.kind is OutcomeKind.QUEUE
    assert outcome.queue == "q-general"


async def test_overflow_queue_resets_priority(run_call: RunCall) -> None:
    """A complaint that overflows to q-general waits there with QUEUE_PRIO 0."""
    results = [
        QueueResult("q-complaints", "TIMEOUT"),
        QueueResult("q-general", "TIMEOUT"),
    ]
    channel = ScriptedChannel(["6", "0", "1"], queue_results=results)

    await run_call(channel, WORKDAY_MORNING)

    assert [q for q, _ in channel.queues] == ["q-complaints", "q-general"]
    assert channel.variables["QUEUE_PRIO"] == "0"
