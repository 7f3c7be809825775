"""The reconciler matches entries and recordings both ways, after a grace period."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from ticket_rig import (
    CALLER,
    POLICY,
    SHANGHAI,
    T0,
    call,
    entry,
    make_desk,
    make_reconciler,
    migrated_engine,
    write_wav,
)

from ivr.clock import FixedClock
from ivr.tickets.desk import RecordedPart
from ivr.tickets.models import Ticket, Viewer
from ivr.tickets.pending_spool import SpooledStep
from ivr.tickets.reconciler import ReconcileResult
from ivr.tickets.store import TicketStore

ADMIN = Viewer("root", "admin")
LATER = 20 * 60
"""Seconds past the 15-minute grace."""


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite database."""
    engine = await migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 't.sqlite3'}")
    yield engine
    await engine.dispose()


def age(path: Path, clock: FixedClock) -> Path:
    """Set a file's modification time to the clock's now (T0 based)."""
    moment = clock.now(SHANGHAI).timestamp()
    os.utime(path, (moment, moment))
    return path


async def test_crashed_call_is_completed_from_its_recording(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """The desk dies after begin, the file is on disk: the next start completes it."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    pending = await desk.begin("message", call(), ["message"])
    age(write_wav(pending.recording["message"], 6.0), clock)
    del desk

    clock.advance(LATER)
    restarted = make_desk(engine, tmp_path, clock)
    result = await make_reconciler(restarted, clock).run_once()

    ticket = await restarted.store.get(pending.number, ADMIN, T0)
    events = await restarted.store.events(pending.number)
    assert result.recovered == (pending.number,)
    assert ticket.state == "new" and ticket.recovered
    assert [(p.part, p.seconds) for p in ticket.recordings] == [("message", 6.0)]
    assert events[-1]["actor"] == "reconciler"
    assert "recovered" in events[-1]["detail"]


async def test_pending_within_grace_is_left_alone(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A call still recording (younger than the grace) is not touched."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    pending = await desk.begin("message", call(), ["message"])
    clock.advance(60)

    result = await make_reconciler(desk, clock).run_once()

    assert result.recovered == () and result.lost == ()
    ticket = await desk.store.get(pending.number, ADMIN, T0)
    assert ticket.state == "pending"


async def test_pending_without_recording_is_lost_and_alerted(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """No file after the grace: discarded as lost, with a warning and an alert."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    pending = await desk.begin("message", call(), ["message"])
    clock.advance(LATER)
    alerts: list[str] = []

    result = await make_reconciler(desk, clock, alerts).run_once()

    assert result.lost == (pending.number,)
    assert alerts == [
        f"ticket_lost: ticket {pending.number}: no recording after the grace period"
    ]
    assert await desk.status(pending.number, caller=CALLER) is None
    events = await desk.store.events(pending.number)
    assert (events[-1]["action"], events[-1]["detail"]) == (
        "discard",
        "lost: no recording",
    )


async def test_recording_without_entry_becomes_a_ticket(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """Stray files get tickets: complaint parts make a complaint, else a message."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    day = tmp_path / "recordings" / "2026-03-10"
    files = [
        write_wav(str(day / "12260310000091-name"), 2.0),
        write_wav(str(day / "12260310000091-matter"), 9.0),
        write_wav(str(day / "12260310000082-message"), 4.0),
    ]
    (day / "notes.txt").write_text("not a recording")
    for file in files:
        age(file, clock)
    clock.advance(LATER)
    reconciler = make_reconciler(desk, clock)

    first = await reconciler.run_once()
    second = await reconciler.run_once()

    assert first.adopted == ("12260310000082", "12260310000091")
    assert second.adopted == ()
    complaint = await desk.store.get("12260310000091", ADMIN, T0)
    message = await desk.store.get("12260310000082", ADMIN, T0)
    assert (complaint.kind, message.kind) == ("complaint", "message")
    assert sorted(p.part for p in complaint.recordings) == ["matter", "name"]
    assert complaint.recovered and complaint.caller_masked == ""
    assert (complaint.area, message.area) == ("q-complaints", "q-general")


async def test_adopted_recordings_are_claimed_by_their_queues_agents(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A stray message goes to a q-general agent, a stray complaint to a
    q-complaints agent: their areas are queue names, as agents' skills are."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    day = tmp_path / "recordings" / "2026-03-10"
    for stem, seconds in (
        ("12260310000091-matter", 9.0),
        ("12260310000082-message", 4.0),
    ):
        age(write_wav(str(day / stem), seconds), clock)
    clock.advance(LATER)
    await make_reconciler(desk, clock).run_once()

    general = await desk.store.claim_next("a1", ["q-general"], T0)
    complaints = await desk.store.claim_next("a2", ["q-complaints"], T0)

    assert general is not None and general.number == "12260310000082"
    assert complaints is not None and complaints.number == "12260310000091"


async def test_spool_is_replayed_first(engine: AsyncEngine, tmp_path: Path) -> None:
    """A spooled completion reaches the database on the reconciler's pass."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    spooled = SpooledStep(
        "complete", entry("12260310000075"), T0, (("message", "/r", 1.0),)
    )
    desk.spool.write(spooled)

    result = await make_reconciler(desk, clock).run_once()

    assert result.replayed == 1
    assert desk.spool.numbers() == []
    ticket = await desk.store.get("12260310000075", ADMIN, T0)
    assert ticket.state == "new"


class _StaleStore(TicketStore):
    """A store whose pending list was read before the call completed."""

    def __init__(self, store: TicketStore, stale: list[Ticket]) -> None:
        super().__init__(store._engine, POLICY)
        self._stale = stale

    async def pending_before(self, cutoff: datetime) -> list[Ticket]:
        """The pending list as it was."""
        return self._stale


async def test_ticket_completed_meanwhile_is_left_alone(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A call completing between the pending scan and the discard wins: the
    reconciler neither fails nor reports it lost."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    pending = await desk.begin("message", call(), ["message"])
    clock.advance(LATER)
    stale = await desk.store.pending_before(clock.now(SHANGHAI))
    await desk.complete(pending, [RecordedPart("message", "/r/m", 5.0)])
    alerts: list[str] = []
    reconciler = make_reconciler(desk, clock, alerts)
    reconciler._store = _StaleStore(desk.store, stale)

    result = await reconciler.run_once()

    assert result.lost == () and alerts == []
    status = await desk.status(pending.number, caller=CALLER)
    assert status is not None and status.state == "new"


@pytest.mark.parametrize(
    ("first", "retake", "kept"),
    [(1.0, 6.0, "message-2"), (6.0, 0.4, "message"), (0.3, 0.5, "message-2")],
    ids=["retake-kept", "cut-short-retake-ignored", "longest-of-short-takes"],
)
async def test_crash_after_a_retake_completes_with_the_callers_take(
    engine: AsyncEngine, tmp_path: Path, first: float, retake: float, kept: str
) -> None:
    """A call dies at the review prompt after a retake: the ticket gets the
    latest take long enough to be a message, not simply the first file, and
    the other take is deleted."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    pending = await desk.begin("message", call(), ["message"])
    stem = pending.recording["message"]
    takes = {
        "message": age(write_wav(stem, first), clock),
        "message-2": age(write_wav(f"{stem}-2", retake), clock),
    }
    del desk

    clock.advance(LATER)
    restarted = make_desk(engine, tmp_path, clock)
    await make_reconciler(restarted, clock).run_once()

    ticket = await restarted.store.get(pending.number, ADMIN, T0)
    (part,) = ticket.recordings
    assert part.part == "message"
    assert part.path == f"{stem.rsplit('-', 1)[0]}-{kept}"
    assert part.seconds == (retake if kept == "message-2" else first)
    assert {name: file.exists() for name, file in takes.items()} == {
        name: name == kept for name in takes
    }


async def test_discard_deletes_every_take(engine: AsyncEngine, tmp_path: Path) -> None:
    """A discarded message leaves no retake behind with no ticket to own it."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    pending = await desk.begin("message", call(), ["message"])
    stem = pending.recording["message"]
    files = [write_wav(stem, 0.5), write_wav(f"{stem}-2", 0.4), write_wav(f"{stem}-3")]

    await desk.discard(pending, "too short")

    assert [file.exists() for file in files] == [False, False, False]


async def test_stray_retake_is_adopted(engine: AsyncEngine, tmp_path: Path) -> None:
    """A retake file whose entry was lost is a message like any other file."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    day = tmp_path / "recordings" / "2026-03-10"
    age(write_wav(str(day / "12260310009981-message-2"), 5.0), clock)
    clock.advance(LATER)

    result = await make_reconciler(desk, clock).run_once()

    assert result.adopted == ("12260310009981",)
    ticket = await desk.store.get("12260310009981", ADMIN, T0)
    assert [(p.part, p.seconds) for p in ticket.recordings] == [("message", 5.0)]


async def test_a_folder_that_is_no_day_is_left_alone(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """``2026-13-45`` looks like a day folder but is none: skipped, not fatal."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    day = tmp_path / "recordings" / "2026-03-10"
    age(write_wav(str(day / "12260310000082-message"), 4.0), clock)
    (tmp_path / "recordings" / "2026-13-45").mkdir()
    clock.advance(LATER)

    result = await make_reconciler(desk, clock).run_once()

    assert result.adopted == ("12260310000082",)
    assert (tmp_path / "recordings" / "2026-13-45").is_dir()


async def test_an_unexpected_error_alerts_and_the_next_pass_runs(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass that fails in an unforeseen way is logged and alerted; the task
    goes on, so the spool and pending entries are still looked after."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    alerts: list[str] = []
    reconciler = make_reconciler(desk, clock, alerts)
    passes: list[int] = []
    second_pass = asyncio.Event()

    async def flaky_pass() -> ReconcileResult:
        passes.append(len(passes))
        if len(passes) == 1:
            raise ValueError("something nobody foresaw")
        second_pass.set()
        return ReconcileResult(0, (), (), ())

    monkeypatch.setattr(reconciler, "run_once", flaky_pass)
    monkeypatch.setattr(reconciler, "_interval", 0.0)
    task = asyncio.create_task(reconciler.run())
    try:
        await asyncio.wait_for(second_pass.wait(), 5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    assert len(passes) >= 2
    assert alerts[0].startswith("ticket_reconciler_failed: ")


async def test_health_tells_the_backlog_and_how_the_last_pass_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/health's tickets block: nothing before the first pass; a ticket
    spooled in an outage is counted and the pass is told postponed by a
    database fault; once the database is back the spool is empty and the
    pass ok."""
    clock = FixedClock(T0)
    down = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    engine = await migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    desk = make_desk(down, tmp_path, clock)
    reconciler = make_reconciler(desk, clock)
    before = reconciler.health()
    await desk.begin("message", call(), ["message"])
    monkeypatch.setattr(reconciler, "_interval", 60.0)
    passed = reconciler._passed
    done = asyncio.Event()

    def passed_and_told(outcome: str) -> None:
        passed(outcome)
        done.set()

    monkeypatch.setattr(reconciler, "_passed", passed_and_told)
    outcomes: list[dict[str, object]] = []
    try:
        for store in (desk.store, make_desk(engine, tmp_path, clock).store):
            monkeypatch.setattr(reconciler, "_store", store)
            done.clear()
            task = asyncio.create_task(reconciler.run())
            await asyncio.wait_for(done.wait(), 10)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            outcomes.append(reconciler.health())
    finally:
        await down.dispose()
        await engine.dispose()

    assert before == {
        "spooled": 0,
        "clashes": 0,
        "last_pass": None,
        "last_outcome": None,
    }
    assert outcomes[0]["spooled"] == 1
    assert str(outcomes[0]["last_outcome"]).startswith("postponed: ")
    assert (outcomes[1]["spooled"], outcomes[1]["last_outcome"]) == (0, "ok")
    assert outcomes[1]["last_pass"] == clock.now(SHANGHAI).isoformat()


async def test_wake_runs_the_next_pass_at_once(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a pass interval of an hour, wake() (the desk saw the database
    back) runs the next pass now, so the spool is replayed at once."""
    clock = FixedClock(T0)
    reconciler = make_reconciler(make_desk(engine, tmp_path, clock), clock)
    monkeypatch.setattr(reconciler, "_interval", 3600.0)
    passes: list[str] = []
    passed = asyncio.Event()

    def counted(outcome: str) -> None:
        passes.append(outcome)
        passed.set()

    monkeypatch.setattr(reconciler, "_passed", counted)
    task = asyncio.create_task(reconciler.run())
    try:
        await asyncio.wait_for(passed.wait(), 10)
        passed.clear()
        reconciler.wake()
        await asyncio.wait_for(passed.wait(), 10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    assert passes == ["ok", "ok"]


async def test_a_spooled_step_under_another_calls_number_is_set_aside(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """Two calls told one number (the sequence file lost in an outage): the
    replay neither merges the second into the first's ticket nor drops it;
    its step is kept as <number>.clash, ops are alerted, /health counts it."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    pending = await desk.begin("message", call(), ["message"])
    await desk.complete(pending, [RecordedPart("message", "/r/first", 4.0)])
    other = replace(entry(pending.number), uniqueid="1700000099.9")
    desk.spool.write(
        SpooledStep("complete", other, T0, (("message", "/r/second", 6.0),))
    )
    alerts: list[str] = []

    await make_reconciler(desk, clock, alerts).run_once()

    ticket = await desk.store.get(pending.number, ADMIN, T0)
    assert [p.path for p in ticket.recordings] == ["/r/first"]
    assert desk.spool.clashes() == [pending.number]
    assert desk.spool.numbers() == []
    assert [a.split(":")[0] for a in alerts] == ["ticket_number_clash"]
    assert make_reconciler(desk, clock).health()["clashes"] == 1


async def test_passes_come_sooner_while_tickets_wait_in_the_spool(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """With tickets in the spool the next pass is at most 15 s away, so
    they reach staff soon after an outage even if no call wakes the
    reconciler; with an empty spool the configured interval holds."""
    clock = FixedClock(T0)
    desk = make_desk(engine, tmp_path, clock)
    reconciler = make_reconciler(desk, clock)
    idle = reconciler._pause()
    desk.spool.write(SpooledStep("pending", entry("1226031000001"), T0))

    assert (idle, reconciler._pause()) == (60.0, 15.0)
