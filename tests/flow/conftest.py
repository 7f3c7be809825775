"""Fixtures for the flow tests: the shipped catalog and flow, and a runner."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flow_fakes import MENUS, PROMPTS, RunCall, ScriptedChannel

from ivr.clock import FixedClock
from ivr.flow import Flow, FlowRunner, WorkCalendar, load_flow
from ivr.prompts import PromptCatalog
from ivr.trace import CallTrace, Outcome


@pytest.fixture(scope="session")
def catalog() -> PromptCatalog:
    """The shipped prompt catalog."""
    return PromptCatalog.load(PROMPTS)


@pytest.fixture(scope="session")
def flow(catalog: PromptCatalog) -> Flow:
    """The shipped flow, which must load."""
    loaded, problems = load_flow(MENUS, catalog, today=date(2026, 3, 1))
    assert loaded is not None, [str(problem) for problem in problems]
    return loaded


@pytest.fixture
def run_call(flow: Flow, catalog: PromptCatalog) -> RunCall:
    """Run the shipped flow on a scripted channel at a given local time."""

    async def run(
        channel: ScriptedChannel, when: datetime
    ) -> tuple[Outcome, CallTrace]:
        clock = FixedClock(when)
        calendar = WorkCalendar(flow.settings.overrides)
        runner = FlowRunner(flow, calendar, clock, catalog)
        trace = CallTrace(uniqueid="1700000000.1", started_at=when)
        outcome = await runner.run(channel, trace)
        return outcome, trace

    return run
