"""Voice messages end to end: the simulated caller records over FastAGI.

The service runs with an in-memory ticket desk; the caller's ``rec`` tokens
end each ``RECORD FILE`` as a person would (``#``, a hang-up, silence).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from service_calls import place

from ivr.clock import FixedClock
from ivr.flow import WorkCalendar
from ivr.service import Service
from ivr.tickets.memory_desk import MemoryTicketDesk

AT = "2026-09-30 20:00"


def _install_desk(service: Service, folder: Path) -> MemoryTicketDesk:
    """Give the running service's calls an in-memory desk at the call's time."""
    handler = service._handler()
    calendar = WorkCalendar(handler.loaded.flow.settings.overrides)
    clock = FixedClock(datetime.fromisoformat(AT))
    desk = MemoryTicketDesk.in_folder(folder, calendar, clock)
    handler.desk = desk
    return desk


async def test_message_recorded_heard_and_sent(
    service: Service, tmp_path: Path
) -> None:
    """rec6#, listen (1), send (3): the caller hears their own recording, the
    ticket is stored with Asterisk's length and the call ends as a message."""
    desk = _install_desk(service, tmp_path)

    call = await place(service, "0 2 rec6# 1 3 _", at=AT)

    (ticket,) = desk.tickets.values()
    path = ticket.recording["message"]
    records = call.log.of_kind("record")
    assert [(e.name, e.value) for e in records] == [(path, "dtmf:# after 6 s")]
    assert path in call.prompts
    assert ticket.state == "new"
    assert abs(ticket.parts[0].seconds - 5.8) < 0.01
    assert call.record["outcome_kind"] == "message"
    assert call.log.variables["IVR_OUTCOME"] == "message"


async def test_hang_up_while_recording(service: Service, tmp_path: Path) -> None:
    """rec3!: three seconds, then the caller hangs up; the message is kept."""
    desk = _install_desk(service, tmp_path)

    call = await place(service, "0 2 rec3!", at=AT)

    assert [t.state for t in desk.tickets.values()] == ["new"]
    assert call.record["outcome_kind"] == "message"


async def test_silence_then_send(service: Service, tmp_path: Path) -> None:
    """rec4_: four seconds, then silence ends the recording (s=5)."""
    desk = _install_desk(service, tmp_path)

    await place(service, "0 2 rec4_ 3 _", at=AT)

    (ticket,) = desk.tickets.values()
    assert ticket.state == "new"
    assert ticket.parts[0].seconds >= 4.0


async def test_without_a_desk_the_caller_is_told(service: Service) -> None:
    """No desk configured: the unavailable line, then the polite goodbye."""
    call = await place(service, "0 2", at=AT)

    assert "message-unavailable" in call.prompts
    assert call.path[-1] == "goodbye-transfer-failed"
    assert call.record["outcome_kind"] == "goodbye"
