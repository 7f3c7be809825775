"""The database ticket desk: pending before recording, spool when the
database is down, paths Asterisk records to, fax requests, masked logs."""

from __future__ import annotations

import logging
import sqlite3
import stat
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from ticket_rig import (
    CALLER,
    SHANGHAI,
    T0,
    call,
    make_desk,
    migrated_engine,
    store_on,
    write_wav,
)

from ivr.clock import FixedClock
from ivr.records.store import RecordStore
from ivr.tickets.desk import RecordedPart, TicketDesk
from ivr.tickets.errors import TicketConfigError, TicketStorageError
from ivr.tickets.models import Viewer

DOWN_URL = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
"""A database nobody listens on: every write fails at once."""


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A migrated SQLite database."""
    engine = await migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 't.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture
async def down_engine() -> AsyncIterator[AsyncEngine]:
    """An engine whose database is unreachable."""
    engine = create_async_engine(DOWN_URL)
    yield engine
    await engine.dispose()


async def test_begin_writes_pending_before_returning(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """After begin the row exists as pending; the paths follow Asterisk's folder."""
    desk: TicketDesk = make_desk(engine, tmp_path, FixedClock(T0))

    pending = await desk.begin("complaint", call(), ["name", "matter"])

    store = store_on(engine)
    page = await store.pending_before(T0.replace(year=2027))
    assert [t.number for t in page] == [pending.number]
    assert desk.is_valid_number(pending.number)
    assert len(pending.number) == desk.number_length
    folder = tmp_path / "recordings" / "2026-03-10"
    assert pending.recording == {
        "name": str(folder / f"{pending.number}-name"),
        "matter": str(folder / f"{pending.number}-matter"),
    }
    assert pending.deadline.day == date(2026, 3, 13)


async def test_complete_stores_parts_and_status(
    engine: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A sent message is new with its part; the caller number stays out of logs."""
    caplog.set_level(logging.DEBUG, logger="ivr.tickets")
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(), ["message"])
    path = pending.recording["message"]

    await desk.complete(pending, [RecordedPart("message", path, 8.0)])

    status = await desk.status(pending.number, caller=CALLER)
    ticket = await desk.store.get(
        pending.number, Viewer("wang", "agent"), T0, reveal_caller=True
    )
    assert status is not None and status.state == "new"
    assert ticket.caller == CALLER and ticket.area == "pension"
    assert [(p.part, p.seconds) for p in ticket.recordings] == [("message", 8.0)]
    assert CALLER not in caplog.text
    assert "139******78" in caplog.text


async def test_a_recorded_reply_is_heard_only_from_the_callers_number(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """The desk hashes the calling number with its key: the ticket's caller
    gets its state and recorded reply, another number nothing (norm art. 25)."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(), ["message"])
    await desk.complete(pending, [RecordedPart("message", "/r/m", 4.0)])
    await desk.store.reply(pending.number, "recorded", "/replies/m", "wang", T0)

    own = await desk.status(pending.number, caller=CALLER)
    other = await desk.status(pending.number, caller="13700000001")

    assert own is not None and own.replied_prompt == "/replies/m"
    assert other is None


@pytest.mark.parametrize("withheld", ["anonymous", ""])
async def test_a_withheld_caller_never_hears_a_recorded_reply(
    engine: AsyncEngine, tmp_path: Path, withheld: str
) -> None:
    """A ticket left with the caller ID withheld has no owner by number:
    another withheld caller (same keyed hash) learns nothing of it."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(caller=withheld), ["message"])
    await desk.complete(pending, [RecordedPart("message", "/r/m", 4.0)])
    await desk.store.reply(pending.number, "recorded", "/replies/m", "wang", T0)

    assert await desk.status(pending.number, caller=withheld) is None
    ticket = await desk.store.get(pending.number, Viewer("a", "admin"), T0)
    assert ticket.caller_masked == "withheld"


@pytest.mark.parametrize("shown", ["+8613912345678", "008613912345678"])
async def test_one_phone_is_one_caller_in_any_number_form(
    engine: AsyncEngine, tmp_path: Path, shown: str
) -> None:
    """A trunk that sends +86 or 0086 one day and the national form the next
    still lets the caller look up their ticket; staff get the national form
    to call back."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(caller=shown), ["message"])
    await desk.complete(pending, [RecordedPart("message", "/r/m", 4.0)])

    status = await desk.status(pending.number, caller=CALLER)
    again = await desk.status(pending.number, caller=shown)
    ticket = await desk.store.get(
        pending.number, Viewer("a", "admin"), T0, reveal_caller=True
    )

    assert status is not None and again is not None
    assert (ticket.caller, ticket.caller_masked) == (CALLER, "139******78")


async def test_discard_removes_the_recording(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A discarded message is gone for callers and its short file deleted."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(), ["message"])
    file = write_wav(pending.recording["message"], 0.5)

    await desk.discard(pending, "too short")

    assert not file.exists()
    assert await desk.status(pending.number, caller=CALLER) is None


async def test_status_refuses_malformed_numbers(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A number with a wrong check digit is not looked up at all."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(), ["message"])
    wrong = pending.number[:-1] + str((int(pending.number[-1]) + 1) % 10)

    assert await desk.status(wrong, caller=CALLER) is None


async def test_fax_request_honest_about_sending(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """Without fax sending the request is held for staff and will_send is false."""
    held = make_desk(engine, tmp_path, FixedClock(T0))
    sent = make_desk(engine, tmp_path, FixedClock(T0), fax_sending=True)

    first = await held.request_fax(call(), "pension-form", "0105551234")
    second = await sent.request_fax(call(), "1", "0105551234")

    assert not first.will_send and second.will_send
    tickets = [
        await held.store.get(r.number, Viewer("a", "admin"), T0)
        for r in (first, second)
    ]
    assert [t.fax_state for t in tickets] == ["held", "queued"]
    assert [t.state for t in tickets] == ["new", "new"]
    assert tickets[0].fax_document == "pension-form"
    with pytest.raises(TicketConfigError, match="no fax document"):
        await held.request_fax(call(), "9", "0105551234")


async def test_three_faxes_a_day_per_calling_number(
    engine: AsyncEngine, down_engine: AsyncEngine, tmp_path: Path
) -> None:
    """The database counts a caller's fax tickets of the China-time day by
    keyed hash: the fourth is refused, another number and the next day are
    not; with the database down the request is let through."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    for _ in range(3):
        await desk.request_fax(call(), "pension-form", "0105551234")
    tomorrow = make_desk(engine, tmp_path, FixedClock(T0 + timedelta(hours=10)))
    down = make_desk(down_engine, tmp_path / "down", FixedClock(T0), timeout=0.2)

    assert not await desk.fax_allowed(call())
    assert await desk.fax_allowed(call(caller="02187654321"))
    assert await tomorrow.fax_allowed(call())
    assert await down.fax_allowed(call())


def test_fax_numbers_follow_the_area_codes(engine: AsyncEngine, tmp_path: Path) -> None:
    """The desk's fax number rule: fixed lines of the configured areas."""
    anywhere = make_desk(engine, tmp_path, FixedClock(T0))
    beijing = make_desk(engine, tmp_path, FixedClock(T0), fax_area_codes=("010",))

    assert anywhere.accepts_fax_number("02187654321")
    assert not anywhere.accepts_fax_number("00902187654321")
    assert beijing.accepts_fax_number("0105551234")
    assert not beijing.accepts_fax_number("02187654321")


async def test_database_down_goes_to_a_private_spool(
    down_engine: AsyncEngine, engine: AsyncEngine, tmp_path: Path
) -> None:
    """With the database down, begin and complete land in one 0600 spool file,
    the caller (and only the caller) still hears the status, and replay
    writes the ticket once."""
    desk = make_desk(down_engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(), ["message"])
    file = tmp_path / "spool" / f"{pending.number}.json"
    mode_after_begin = stat.S_IMODE(file.stat().st_mode)
    await desk.complete(pending, [RecordedPart("message", "/r/m", 4.0)])

    status = await desk.status(pending.number, caller=CALLER)
    other = await desk.status(pending.number, caller="13700000001")
    store = store_on(engine)
    replayed = [await desk.spool.replay(store) for _ in range(2)]

    assert mode_after_begin == 0o600
    assert status is not None and status.state == "new"
    assert other is None
    assert replayed == [1, 0]
    assert not file.exists()
    ticket = await store.get(pending.number, Viewer("a", "admin"), T0)
    assert ticket.state == "new" and len(ticket.recordings) == 1
    assert [e["action"] for e in await store.events(pending.number)] == [
        "begin",
        "complete",
    ]


async def test_status_without_database_or_spool_is_an_error(
    down_engine: AsyncEngine, tmp_path: Path
) -> None:
    """An unknown number during an outage is not answered "no such ticket"."""
    desk = make_desk(down_engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(), ["message"])
    desk.spool.remove(pending.number)

    with pytest.raises(TicketStorageError, match="unreachable"):
        await desk.status(pending.number, caller=CALLER)


async def test_spool_unwritable_is_a_storage_error(
    down_engine: AsyncEngine, tmp_path: Path
) -> None:
    """Neither database nor spool: begin raises, so no recording starts."""
    (tmp_path / "spool").write_text("a file where the folder should be")
    desk = make_desk(down_engine, tmp_path, FixedClock(T0))

    with pytest.raises(TicketStorageError, match="cannot spool"):
        await desk.begin("message", call(), ["message"])


async def test_damaged_spool_file_is_set_aside(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A spool file that is not an entry is renamed .damaged, not replayed."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    (tmp_path / "spool").mkdir()
    (tmp_path / "spool" / "1226031000001.json").write_text("{not json")

    replayed = await desk.spool.replay(desk.store)

    assert replayed == 0
    assert (tmp_path / "spool" / "1226031000001.damaged").exists()


async def test_a_lost_sequence_file_costs_callers_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """The sequence file lost (a redeploy without its volume): the first
    number it hands out is found stored, so the sequence moves past the
    day's highest stored number (a gap, never a repeat) and the caller gets
    a free one; the calls after it find free numbers at once."""
    before = make_desk(engine, tmp_path / "a", FixedClock(T0))
    taken = [(await before.begin("message", call(), ["message"])).number]
    taken.append((await before.request_fax(call(), "1", "01055512345")).number)
    taken.append((await before.begin("message", call(), ["message"])).number)
    after = make_desk(engine, tmp_path / "b", FixedClock(T0))

    fresh = [
        (await after.begin("message", call(), ["message"])).number,
        (await after.request_fax(call(), "1", "01055512345")).number,
    ]

    sequences = [int(number[-5:-1]) for number in (*taken, *fresh)]
    assert sequences[:3] == [0, 1, 2]
    assert sequences[3] > 2 and sequences[4] == sequences[3] + 1


async def test_numbers_taken_again_and_again_fail_the_request(
    engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Numbers that keep being stored already (two hosts sharing a node
    digit) fail the request after a few tries rather than give a caller
    someone else's ticket."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))

    async def always_taken(entry: object, now: object) -> bool:
        return False

    monkeypatch.setattr(desk.store, "insert_pending", always_taken)

    with pytest.raises(TicketStorageError, match="already used"):
        await desk.begin("message", call(), ["message"])


async def test_provisional_deadline_alerts_ops_once_a_year(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A deadline in a year without calendar data raises one ops alert.

    The caller still hears a date (weekdays only); ops are told once per
    year, not once per message, to update the calendar data.
    """
    alerts: list[str] = []
    late_december = FixedClock(datetime(2026, 12, 30, 10, 0, tzinfo=SHANGHAI))
    desk = make_desk(engine, tmp_path, late_december, alerts=alerts)

    first = await desk.begin("message", call(), ["message"])
    second = await desk.begin("message", call(), ["message"])
    fax = await desk.request_fax(call(), "pension-form", "01088886666")

    assert first.deadline.provisional and second.deadline.provisional
    assert fax.deadline.provisional
    assert len(alerts) == 1
    assert alerts[0].startswith("ticket_deadline_provisional: ")
    assert "2027" in alerts[0]


async def test_deadline_with_calendar_data_raises_no_alert(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A deadline the official calendar covers is not provisional: no alert."""
    alerts: list[str] = []
    desk = make_desk(engine, tmp_path, FixedClock(T0), alerts=alerts)

    pending = await desk.begin("message", call(), ["message"])

    assert not pending.deadline.provisional
    assert alerts == []


async def test_sending_deletes_the_takes_not_sent(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """The caller recorded again and sent the second take: once the ticket
    holds it, the first (their voice too) is deleted, the sent one kept."""
    desk = make_desk(engine, tmp_path, FixedClock(T0))
    pending = await desk.begin("message", call(), ["message"])
    stem = pending.recording["message"]
    first, second = write_wav(stem, 3.0), write_wav(f"{stem}-2", 5.0)

    await desk.complete(pending, [RecordedPart("message", f"{stem}-2", 5.0)])

    assert (first.exists(), second.exists()) == (False, True)


async def test_a_spooled_ticket_is_told_before_its_replay(
    down_engine: AsyncEngine, engine: AsyncEngine, tmp_path: Path
) -> None:
    """The database is back but the spool not yet replayed: the caller still
    hears their ticket (from the spool), anyone else nothing; and the first
    answer from the database (a read or a write) wakes the reconciler once."""
    outage = make_desk(down_engine, tmp_path, FixedClock(T0))
    pending = await outage.begin("message", call(), ["message"])
    await outage.complete(pending, [RecordedPart("message", "/r/m", 4.0)])
    woken: list[str] = []
    outage.on_database_back = lambda: woken.append("wake")
    outage.store = store_on(engine)
    back = make_desk(engine, tmp_path, FixedClock(T0))

    own = await back.status(pending.number, caller=CALLER)
    other = await back.status(pending.number, caller="13700000001")
    await outage.status(pending.number, caller=CALLER)
    after_read = list(woken)
    for _ in range(2):
        await outage.begin("message", call(), ["message"])

    assert own is not None and own.state == "new"
    assert other is None
    assert after_read == woken == ["wake"]


async def test_a_lost_sequence_file_in_an_outage_never_reuses_a_recorded_number(
    down_engine: AsyncEngine, engine: AsyncEngine, tmp_path: Path
) -> None:
    """The sequence file lost while the database is down: the desk cannot
    ask the database, but the day's recordings show the number is used, so
    the new caller gets another and the first caller's recording is kept."""
    before = make_desk(engine, tmp_path, FixedClock(T0))
    first = await before.begin("message", call(), ["message"])
    kept = write_wav(first.recording["message"], 3.0)
    await before.complete(first, [RecordedPart("message", str(kept)[:-4], 3.0)])
    content = kept.read_bytes()
    (tmp_path / "sequence").unlink()

    during = make_desk(down_engine, tmp_path, FixedClock(T0))
    second = await during.begin("message", call(caller="13977778888"), ["message"])

    assert second.number != first.number
    assert second.recording["message"] != first.recording["message"]
    assert kept.read_bytes() == content


async def test_a_locked_sqlite_database_gives_up_before_the_desk_does(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """SQLite (the embedded default) locked by another writer: the statement
    gives up by itself (OperationalError) within the desk's timeout, not the
    desk's TimeoutError after SQLite's own 5 s busy wait the caller heard as
    silence; the ticket goes to the spool."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'locked.db'}"
    await (await migrated_engine(url)).dispose()
    store = RecordStore(url)
    desk = make_desk(store.engine, tmp_path, FixedClock(T0))
    lock = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="ivr.tickets"):
            pending = await desk.begin("message", call(), ["message"])
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        await store.engine.dispose()

    assert desk.spool.numbers() == [pending.number]
    assert "database unavailable (OperationalError)" in caplog.text


async def test_a_number_waiting_in_the_spool_is_never_handed_out_again(
    down_engine: AsyncEngine, tmp_path: Path
) -> None:
    """The database down, a caller still speaking (their pending step in the
    spool, nothing recorded yet) and the sequence file lost: the next caller
    gets another number, and the first caller's spooled step is untouched;
    so is a fax request, which has no recording at all."""
    outage = make_desk(down_engine, tmp_path, FixedClock(T0))
    speaking = await outage.begin("message", call(), ["message"])
    faxed = await outage.request_fax(call(), "1", "01055512345")
    (tmp_path / "sequence").unlink()

    again = make_desk(down_engine, tmp_path, FixedClock(T0))
    later = await again.begin("message", call(caller="13977778888"), ["message"])

    assert later.number not in (speaking.number, faxed.number)
    first = again.spool.read(speaking.number)
    assert first is not None and first.entry.caller_masked == "139******78"
