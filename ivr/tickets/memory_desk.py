"""A ticket desk kept in memory: for the simulator, tests and ``ivr call``.

It behaves as the database desk does towards a call: real ticket numbers
from a :class:`TicketNumberer` (on a state file of the caller's choosing),
real deadlines from a :class:`DeadlinePolicy` on the flow's calendar, the
pending -> new life of a message, statuses a caller can ask about, and
fax requests that are sent or wait for staff. What it lacks is
persistence: the tickets are gone when the process ends, so it is no
place for a real hotline's messages.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.clock import Clock
from ivr.fax_numbers import fax_number_refusal
from ivr.flow import WorkCalendar
from ivr.privacy import mask_number, national_number
from ivr.tickets.deadlines import Deadline, DeadlinePolicy
from ivr.tickets.desk import (
    STATES,
    CallContext,
    FaxDocument,
    FaxReceipt,
    PendingTicket,
    RecordedPart,
    TicketStatus,
)
from ivr.tickets.errors import TicketsError
from ivr.tickets.numbers import TicketNumberer

__all__ = [
    "DEFAULT_FAX_DOCUMENTS",
    "DEFAULT_REPLY_DAYS",
    "MemoryTicket",
    "MemoryTicketDesk",
]

logger = logging.getLogger("ivr.tickets.memory_desk")

DEFAULT_REPLY_DAYS: Mapping[str, int] = {"message": 3, "complaint": 5, "fax": 2}
"""Working days to reply, per kind, where no configuration says otherwise."""

DEFAULT_FAX_DOCUMENTS = (
    FaxDocument(
        "1",
        "pension-guide",
        "养老保险待遇申领指南",
        "fax/pension-guide.tif",
        "fax-doc-pension-guide",
    ),
    FaxDocument(
        "2",
        "unemployment-guide",
        "失业保险金申领指南",
        "fax/unemployment-guide.tif",
        "fax-doc-unemployment-guide",
    ),
)
"""The sample documents ``ivr call`` offers (their prompts are in the catalog)."""


@dataclass(slots=True)
class MemoryTicket:
    """One ticket as this desk keeps it (the caller's number in full)."""

    number: str
    kind: str
    call: CallContext
    saved_at: datetime
    deadline: Deadline
    state: str
    recording: Mapping[str, str] = field(default_factory=dict)
    parts: tuple[RecordedPart, ...] = ()
    document: str = ""
    fax_number: str = ""
    replied_prompt: str | None = None


class MemoryTicketDesk:
    """A :class:`~ivr.tickets.TicketDesk` whose tickets live in a dict.

    ``recordings`` is the folder recordings are named in (the simulator
    writes nothing there; Asterisk would). ``fax_sending`` says whether a
    fax would go out by itself (``FaxReceipt.will_send``); the fax number
    rule and the daily limit per caller are the database desk's.
    """

    def __init__(
        self,
        numberer: TicketNumberer,
        deadlines: DeadlinePolicy,
        *,
        clock: Clock,
        recordings: Path,
        zone: ZoneInfo | None = None,
        documents: Sequence[FaxDocument] = DEFAULT_FAX_DOCUMENTS,
        fax_sending: bool = False,
        fax_area_codes: Collection[str] = (),
        fax_per_caller_day: int = 3,
    ) -> None:
        self._numberer = numberer
        self._deadlines = deadlines
        self._clock = clock
        self._zone = zone or ZoneInfo("Asia/Shanghai")
        self._recordings = recordings
        self._documents = tuple(documents)
        self.fax_sending = fax_sending
        self._fax_area_codes = tuple(fax_area_codes)
        self._fax_per_day = fax_per_caller_day
        self.tickets: dict[str, MemoryTicket] = {}
        """Every ticket by number, pending ones included."""
        self.discarded: dict[str, str] = {}
        """Numbers of discarded pending tickets, with the reason."""

    @classmethod
    def in_folder(
        cls,
        folder: Path,
        calendar: WorkCalendar,
        clock: Clock,
        *,
        prefix: str = "12",
        fax_sending: bool = False,
        fax_area_codes: Collection[str] = (),
    ) -> MemoryTicketDesk:
        """A desk whose sequence file and recordings are under ``folder``."""
        numberer = TicketNumberer(prefix, folder / "ticket-sequence", clock=clock)
        deadlines = DeadlinePolicy(calendar, DEFAULT_REPLY_DAYS)
        return cls(
            numberer,
            deadlines,
            clock=clock,
            recordings=folder / "recordings",
            fax_sending=fax_sending,
            fax_area_codes=fax_area_codes,
        )

    async def begin(
        self, kind: str, call: CallContext, parts: Sequence[str]
    ) -> PendingTicket:
        """Number a ticket and keep it pending, naming its recording paths."""
        ticket = self._new(kind, call, "pending")
        ticket.recording = {
            part: str(self._recordings / f"{ticket.number}-{part}") for part in parts
        }
        logger.info("call %s: ticket %s pending", call.uniqueid, ticket.number)
        return PendingTicket(
            ticket.number, kind, ticket.saved_at, ticket.deadline, ticket.recording
        )

    async def complete(
        self, pending: PendingTicket, parts: Sequence[RecordedPart]
    ) -> None:
        """Turn a pending ticket into a ``new`` one with its recorded parts."""
        ticket = self._pending(pending.number)
        ticket.parts = tuple(parts)
        ticket.state = "new"

    async def discard(self, pending: PendingTicket, reason: str) -> None:
        """Forget a pending ticket; its number is never used again."""
        self._pending(pending.number)
        del self.tickets[pending.number]
        self.discarded[pending.number] = reason

    async def status(
        self, number: str, *, caller: str | None = None
    ) -> TicketStatus | None:
        """The caller's view of ticket ``number``: only the ticket's own
        ``caller`` sees it, and pending ones do not exist yet."""
        ticket = self.tickets.get(number)
        if ticket is None or ticket.state == "pending":
            return None
        own = national_number(caller)
        if own is None or own != national_number(ticket.call.caller):
            return None
        return TicketStatus(
            ticket.number,
            ticket.kind,
            ticket.state,
            ticket.deadline,
            ticket.replied_prompt,
        )

    def is_valid_number(self, number: str) -> bool:
        """The numberer's check: length, prefix and check digit."""
        return self._numberer.is_valid(number)

    @property
    def number_length(self) -> int:
        """Digits in a ticket number."""
        return self._numberer.length

    def fax_documents(self) -> Sequence[FaxDocument]:
        """The documents offered, in menu order."""
        return self._documents

    def accepts_fax_number(self, number: str) -> bool:
        """True for a mainland fixed line of the configured area codes."""
        return not fax_number_refusal(number, self._fax_area_codes)

    async def fax_allowed(self, call: CallContext) -> bool:
        """False once the calling number has its faxes of the day."""
        today = self._clock.now(self._zone).date()
        asked = [
            ticket
            for ticket in self.tickets.values()
            if ticket.kind == "fax"
            and national_number(ticket.call.caller) == national_number(call.caller)
            and ticket.saved_at.date() == today
        ]
        return len(asked) < self._fax_per_day

    async def request_fax(
        self, call: CallContext, document: str, fax_number: str
    ) -> FaxReceipt:
        """Store a fax request as a ``new`` fax ticket."""
        if document not in {item.id for item in self._documents}:
            raise TicketsError(f"no fax document {document!r}")
        ticket = self._new("fax", call, "new")
        ticket.document, ticket.fax_number = document, fax_number
        logger.info(
            "call %s: fax %s to %s as ticket %s",
            call.uniqueid,
            document,
            mask_number(fax_number),
            ticket.number,
        )
        return FaxReceipt(ticket.number, document, self.fax_sending, ticket.deadline)

    def set_state(
        self, number: str, state: str, replied_prompt: str | None = None
    ) -> None:
        """Move a ticket on as staff would (for the simulator and tests)."""
        if state not in STATES or state == "pending":
            raise TicketsError(f"not a ticket state: {state!r}")
        ticket = self.tickets[number]
        self.tickets[number] = replace(
            ticket, state=state, replied_prompt=replied_prompt
        )

    def _new(self, kind: str, call: CallContext, state: str) -> MemoryTicket:
        saved_at = self._clock.now(self._zone)
        deadline = self._deadlines.deadline(kind, saved_at)
        number = self._numberer.next()
        ticket = MemoryTicket(number, kind, call, saved_at, deadline, state)
        self.tickets[number] = ticket
        return ticket

    def _pending(self, number: str) -> MemoryTicket:
        ticket = self.tickets.get(number)
        if ticket is None or ticket.state != "pending":
            raise TicketsError(f"ticket {number} is not pending")
        return ticket
