"""Helpers shared by the ticket store, spool, desk and reconciler tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ivr.flow import WorkCalendar
from ivr.records import migrate
from ivr.tickets.deadlines import DeadlinePolicy
from ivr.tickets.entries import TicketEntry
from ivr.tickets.store import TicketStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
"""Tuesday 2026-03-10, 15:00 in Shanghai: a plain working day."""

POLICY = DeadlinePolicy(WorkCalendar(), {"message": 3, "complaint": 3, "fax": 3})


def entry(number: str, kind: str = "message", area: str = "pension") -> TicketEntry:
    """A ticket entry saved at T0 with the message deadline (Friday 03-13)."""
    deadline = POLICY.deadline(kind, T0)
    return TicketEntry(
        number=number,
        kind=kind,
        saved_at=T0,
        deadline_at=deadline.at,
        deadline_days=deadline.working_days,
        deadline_provisional=deadline.provisional,
        uniqueid=f"1700000000.{number[-4:]}",
        caller="13800138000",
        caller_hash="hash",
        caller_masked="138******00",
        menu_path=("welcome", "main"),
        area=area,
        language="zh",
    )


async def migrated_engine(url: str) -> AsyncEngine:
    """An engine on ``url`` with the schema at head."""
    await migrate(url)
    return create_async_engine(url)


def store_on(engine: AsyncEngine, *, lock_rows: bool = True) -> TicketStore:
    """A ticket store on ``engine`` with the test deadline policy."""
    return TicketStore(engine, POLICY, lock_rows=lock_rows)


def later(hours: float) -> datetime:
    """T0 plus ``hours``."""
    return T0 + timedelta(hours=hours)
