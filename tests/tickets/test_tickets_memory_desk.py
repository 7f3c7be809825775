"""The in-memory ticket desk: a real desk for the simulator, minus persistence."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from ivr.clock import FixedClock
from ivr.flow import WorkCalendar
from ivr.tickets import CallContext, RecordedPart, TicketsError
from ivr.tickets.memory_desk import MemoryTicketDesk

CALL = CallContext("1700000000.5", "13800000000", ("welcome",), "general", "zh")


def _desk(folder: Path, *, fax_sending: bool = False) -> MemoryTicketDesk:
    """A desk on the official calendar, on Wednesday 2026-09-30 at 20:00."""
    clock = FixedClock(datetime(2026, 9, 30, 20, 0))
    return MemoryTicketDesk.in_folder(
        folder, WorkCalendar(()), clock, fax_sending=fax_sending
    )


async def test_pending_then_complete(tmp_path: Path) -> None:
    """A pending ticket is invisible to callers until it is completed."""
    desk = _desk(tmp_path)

    pending = await desk.begin("message", CALL, ["message"])
    before = await desk.status(pending.number, caller=CALL.caller)
    part = RecordedPart("message", pending.recording["message"], 6.0)
    await desk.complete(pending, [part])
    after = await desk.status(pending.number, caller=CALL.caller)

    assert before is None
    assert after is not None and after.state == "new"
    assert pending.recording == {
        "message": f"{tmp_path}/recordings/{pending.number}-message"
    }
    assert pending.deadline.day == date(2026, 10, 10)
    assert desk.is_valid_number(pending.number)
    assert desk.number_length == len(pending.number) == 14


async def test_discard_forgets_and_numbers_never_repeat(tmp_path: Path) -> None:
    """A discarded number is gone; the next ticket gets a new number."""
    desk = _desk(tmp_path)

    first = await desk.begin("complaint", CALL, ["name", "matter"])
    await desk.discard(first, "too short")
    second = await desk.begin("complaint", CALL, ["name", "matter"])

    assert desk.discarded == {first.number: "too short"}
    assert first.number != second.number
    assert await desk.status(first.number, caller=CALL.caller) is None
    with pytest.raises(TicketsError):
        await desk.complete(first, [])


async def test_fax_requests_and_states(tmp_path: Path) -> None:
    """Fax requests become tickets; staff states and a recorded reply show."""
    desk = _desk(tmp_path, fax_sending=True)

    receipt = await desk.request_fax(CALL, "pension-guide", "01065551234")
    desk.set_state(receipt.number, "replied", "/replies/r1")
    status = await desk.status(receipt.number, caller=CALL.caller)

    assert receipt.will_send and receipt.document == "pension-guide"
    assert receipt.deadline.day == date(2026, 10, 9)
    assert status is not None
    assert (status.kind, status.state, status.replied_prompt) == (
        "fax",
        "replied",
        "/replies/r1",
    )
    with pytest.raises(TicketsError):
        await desk.request_fax(CALL, "no-such-document", "01065551234")
    with pytest.raises(TicketsError):
        desk.set_state(receipt.number, "pending")


async def test_a_withheld_caller_never_hears_a_recorded_reply(tmp_path: Path) -> None:
    """Two callers with withheld IDs are not the same person: the second
    hears that a reply exists, not the reply itself."""
    desk = _desk(tmp_path)
    anonymous = CallContext("1700000000.6", "anonymous", ("welcome",), "general", "zh")
    pending = await desk.begin("message", anonymous, ["message"])
    await desk.complete(pending, [RecordedPart("message", "/r/m", 4.0)])
    desk.set_state(pending.number, "replied", "/replies/r1")

    assert await desk.status(pending.number, caller="anonymous") is None
