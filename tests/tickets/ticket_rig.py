"""Helpers shared by the ticket store, spool, desk and reconciler tests."""

from __future__ import annotations

import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ivr.clock import Clock
from ivr.flow import WorkCalendar
from ivr.records import migrate
from ivr.tickets.database_desk import DatabaseTicketDesk
from ivr.tickets.deadlines import DeadlinePolicy
from ivr.tickets.desk import CallContext, FaxDocument
from ivr.tickets.entries import TicketEntry
from ivr.tickets.numbers import TicketNumberer
from ivr.tickets.pending_spool import PendingSpool
from ivr.tickets.reconciler import TicketReconciler
from ivr.tickets.recordings import RecordingFolder
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


CALLER = "13912345678"


def call(
    uniqueid: str = "1700000000.1", area: str = "pension", caller: str = CALLER
) -> CallContext:
    """A call from ``caller`` (CALLER unless told) in ``area``."""
    return CallContext(
        uniqueid=uniqueid,
        caller=caller,
        menu_path=("welcome", "main", area),
        area=area,
        language="zh",
        flow_version="v1",
    )


def make_desk(
    engine: AsyncEngine,
    root: Path,
    clock: Clock,
    *,
    fax_sending: bool = False,
    fax_area_codes: tuple[str, ...] = (),
    timeout: float = 2.0,
    alerts: list[str] | None = None,
) -> DatabaseTicketDesk:
    """A desk with its numberer, spool and recordings under ``root``; its
    alerts (kind: detail) go to ``alerts`` when given."""

    async def alert(kind: str, detail: str) -> None:
        if alerts is not None:
            alerts.append(f"{kind}: {detail}")

    folder = RecordingFolder(root / "recordings", SHANGHAI, "wav")
    documents = [FaxDocument("1", "pension-form", "养老表", "/srv/fax/p.tif")]
    return DatabaseTicketDesk(
        store_on(engine),
        PendingSpool(root / "spool"),
        TicketNumberer("12", root / "sequence", clock=clock, zone=SHANGHAI),
        POLICY,
        folder,
        clock,
        hash_key=b"k" * 32,
        fax_documents=documents,
        fax_sending=fax_sending,
        fax_area_codes=fax_area_codes,
        database_timeout=timeout,
        alert=alert,
    )


def make_reconciler(
    desk: DatabaseTicketDesk, clock: Clock, alerts: list[str] | None = None
) -> TicketReconciler:
    """A reconciler over ``desk``'s store, spool and folder (grace 15 min)."""

    async def alert(kind: str, detail: str) -> None:
        if alerts is not None:
            alerts.append(f"{kind}: {detail}")

    return TicketReconciler(
        desk.store,
        desk.spool,
        desk.folder,
        POLICY,
        clock,
        grace=timedelta(minutes=15),
        interval=60.0,
        alert=alert,
    )


def write_wav(stem: str, seconds: float = 3.0) -> Path:
    """Write a silent 8 kHz WAV of ``seconds`` at ``stem`` + ``.wav``."""
    path = Path(stem + ".wav")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(b"\0\0" * int(8000 * seconds))
    return path
