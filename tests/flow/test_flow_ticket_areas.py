"""Tickets left through the shipped flow reach agents by their queue skills.

Agents see and claim the tickets whose area is among their skills, which are
queue names (``ivr staff add ... --skills q-general``): the flow must file
every message and complaint under a queue name, end to end through the
database desk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flow_fakes import SILENCE, at
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from ticket_fakes import RecordingChannel, Take, run_with_desk

from ivr.clock import FixedClock
from ivr.flow import Flow, WorkCalendar
from ivr.prompts import PromptCatalog
from ivr.records import migrate
from ivr.tickets.database_desk import DatabaseTicketDesk
from ivr.tickets.deadlines import DeadlinePolicy
from ivr.tickets.numbers import TicketNumberer
from ivr.tickets.pending_spool import PendingSpool
from ivr.tickets.recordings import RecordingFolder
from ivr.tickets.store import TicketStore

AFTER_HOURS = at(2026, 9, 30, 20, 0)
"""A working day's evening: "0" leads to the after-hours menu, no queue."""
REPLY_DAYS = {"message": 3, "complaint": 5, "fax": 3}


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 't.sqlite3'}"
    await migrate(url)
    engine = create_async_engine(url)
    yield engine
    await engine.dispose()


def database_desk(
    engine: AsyncEngine, root: Path, flow: Flow, when: datetime
) -> DatabaseTicketDesk:
    """The service's desk over ``engine``, its files under ``root``."""
    zone = ZoneInfo(flow.settings.timezone)
    clock = FixedClock(when)
    policy = DeadlinePolicy(WorkCalendar(flow.settings.overrides), REPLY_DAYS)
    return DatabaseTicketDesk(
        TicketStore(engine, policy),
        PendingSpool(root / "spool"),
        TicketNumberer("12", root / "sequence", clock=clock, zone=zone),
        policy,
        RecordingFolder(root / "recordings", zone, "wav"),
        clock,
        hash_key=b"k" * 32,
    )


async def test_a_q_general_agent_claims_an_after_hours_message(
    engine: AsyncEngine, tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A message left after hours (no queue tried) is claimed by an agent
    whose skills are q-general, and by no other queue's agent."""
    desk = database_desk(engine, tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel(["0", "2", "3", SILENCE], takes=[Take()])
    await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    other = await desk.store.claim_next("a1", ["q-social-insurance"], AFTER_HOURS)
    claimed = await desk.store.claim_next("a2", ["q-general"], AFTER_HOURS)

    assert other is None
    assert claimed is not None and claimed.kind == "message"
    assert claimed.area == "q-general" and claimed.assigned_to == "a2"


async def test_a_q_complaints_agent_sees_a_recorded_complaint(
    engine: AsyncEngine, tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A complaint recorded from the complaints menu is claimed by an agent
    whose skills are q-complaints."""
    desk = database_desk(engine, tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel(
        ["6", "1", "3", "3", SILENCE], takes=[Take(seconds=2.0), Take(seconds=40)]
    )
    await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    general = await desk.store.claim_next("a1", ["q-general"], AFTER_HOURS)
    claimed = await desk.store.claim_next("a2", ["q-complaints"], AFTER_HOURS)

    assert general is None
    assert claimed is not None and claimed.kind == "complaint"
    assert claimed.area == "q-complaints"
