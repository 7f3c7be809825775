"""Voice messages end to end: the simulated caller records over FastAGI.

The service runs with its own ticket desk on its database, as in
production; the caller's ``rec`` tokens end each ``RECORD FILE`` as a
person would (``#``, a hang-up, silence), and the simulated Asterisk leaves
the recording where the service asked for it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from service_calls import CALLER, http_get, place

from ivr.service import Service
from ivr.speech import speak_digits
from ivr.tickets.models import Ticket, TicketFilter, Viewer

AT = "2026-09-30 20:00"
STAFF = Viewer("supervisor1", "supervisor")


async def _tickets(service: Service) -> list[Ticket]:
    assert service.tickets is not None
    page = await service.tickets.store.list_tickets(TicketFilter(), datetime.now(UTC))
    return list(page.items)


async def _opened(service: Service, number: str) -> Ticket:
    assert service.tickets is not None
    return await service.tickets.store.get(
        number, STAFF, datetime.now(UTC), reveal_caller=True
    )


async def test_message_recorded_heard_and_sent(service: Service) -> None:
    """rec6#, listen (1), send (3): the caller hears their own recording; the
    ticket is stored new, with the full number for staff, the recording's
    length and file, and the call ends as a message."""
    call = await place(service, "0 2 rec6# 1 3 _", at=AT)

    (listed,) = await _tickets(service)
    ticket = await _opened(service, listed.number)
    (part,) = ticket.recordings
    records = call.log.of_kind("record")
    assert [(e.name, e.value) for e in records] == [(part.path, "dtmf:# after 6 s")]
    assert part.path in call.prompts
    assert await asyncio.to_thread(Path(f"{part.path}.wav").is_file)
    assert abs(part.seconds - 5.8) < 0.01
    assert (ticket.state, ticket.kind, ticket.caller) == ("new", "message", CALLER)
    assert CALLER not in listed.caller_masked
    assert call.record["outcome_kind"] == "message"
    assert call.log.variables["IVR_OUTCOME"] == "message"


async def test_ticket_number_is_spoken_digit_by_digit(service: Service) -> None:
    """After sending, the caller hears the stored ticket's number digit by
    digit (1 as "yao", as numbers are read on the phone), in one run."""
    call = await place(service, "0 2 rec6# 3 _", at=AT)

    (ticket,) = await _tickets(service)
    spoken = speak_digits(ticket.number)
    prompts = list(call.prompts)
    starts = [i for i in range(len(prompts)) if prompts[i : i + len(spoken)] == spoken]
    assert len(spoken) == len(ticket.number)
    assert starts, "the ticket number was not read out"


async def test_hang_up_while_recording(service: Service) -> None:
    """rec3!: three seconds, then the caller hangs up; the message is kept."""
    call = await place(service, "0 2 rec3!", at=AT)

    assert [t.state for t in await _tickets(service)] == ["new"]
    assert call.record["outcome_kind"] == "message"


async def test_hang_up_before_the_minimum_keeps_nothing(service: Service) -> None:
    """rec1!: one second is under the minimum: nothing to reply to, no ticket
    left pending for the reconciler to chase."""
    await place(service, "0 2 rec1!", at=AT)

    assert [t.state for t in await _tickets(service)] == []


async def test_silence_then_send(service: Service) -> None:
    """rec4_: four seconds, then silence ends the recording (s=5)."""
    await place(service, "0 2 rec4_ 3 _", at=AT)

    (ticket,) = await _tickets(service)
    assert ticket.state == "new"
    opened = await _opened(service, ticket.number)
    assert opened.recordings[0].seconds >= 4.0


async def test_health_tells_staff_the_ticket_spool_and_reconciler(
    service: Service,
) -> None:
    """/health (as staff see it) has a tickets block: nothing waiting in the
    spool and the start-up reconciliation pass ended ok; a message left
    meanwhile does not show there, only counts do."""
    await place(service, "0 2 rec6# 3 _", at=AT)
    (ticket,) = await _tickets(service)
    token = service.config.admin.token.decode()
    async with asyncio.timeout(10):
        while True:
            _, report = await http_get(service, token, "/health")
            assert isinstance(report, dict)
            if report["tickets"]["last_outcome"] is not None:
                break
            await asyncio.sleep(0.05)

    assert report["tickets"]["spooled"] == 0
    assert report["tickets"]["last_outcome"] == "ok"
    assert ticket.number not in str(report)


async def test_ticket_number_ended_with_hash_as_status_ask_says(
    service: Service,
) -> None:
    """A wrong ticket number keyed with its `#`, then the right one: the `#`
    ends its own read, so the caller hears "check the number" to its end
    and the right number is read out (the `#` once cut that line short and
    the next read took it as nothing keyed)."""
    await place(service, "0 2 rec6# 3 _", at=AT)
    (ticket,) = await _tickets(service)
    wrong = "9" * len(ticket.number)

    call = await place(service, f"7 5 {wrong}# {ticket.number}# _", at=AT)

    checks = [e.value for e in call.log.of_kind("prompt")]
    names = [e.name for e in call.log.of_kind("prompt")]
    assert checks[names.index("status-check-number")] == "played"
    assert "status-number" in call.prompts
