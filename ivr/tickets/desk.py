"""What the call flow asks of the ticket desk, as values and one protocol.

The flow's voice-message, complaint, ticket-status and fax nodes talk only
to :class:`TicketDesk`; the service implements it over the database (with a
disk spool while the database is down) and tests use an in-memory one. The
order of calls on one message is fixed, so nothing is lost at any point:

1. :meth:`TicketDesk.begin` before the first beep: the ticket number is made
   without the database and a pending entry is written (a row, or a spool
   file when the database is down), naming the recording files to come;
2. the caller records one or more parts into :attr:`PendingTicket.recording`
   paths (listen, record again, ...);
3. :meth:`TicketDesk.complete` once the caller sends (or hangs up after the
   minimum length), or :meth:`TicketDesk.discard` when nothing worth keeping
   was said. A reconciler settles entries whose call died between 1 and 3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    # Only for annotations: the flow imports this module while ivr.tickets
    # (whose deadlines use the flow's calendar) may still be importing.
    from ivr.tickets.deadlines import Deadline

__all__ = [
    "KINDS",
    "STATES",
    "CallContext",
    "FaxDocument",
    "FaxReceipt",
    "PendingTicket",
    "RecordedPart",
    "TicketDesk",
    "TicketStatus",
]

KINDS = ("message", "complaint", "fax")
"""Ticket kinds; each has its own reply deadline (``tickets.deadlines``)."""

STATES = ("pending", "new", "assigned", "forwarded", "replied", "closed", "overdue")
"""Ticket states. ``pending`` exists only between begin and complete; the
others are the ones staff and callers see (``overdue`` is set by the
overdue sweep on a ticket not replied or closed by its deadline)."""


@dataclass(frozen=True, slots=True)
class CallContext:
    """The call a ticket comes from.

    ``caller`` is the full calling number (staff call back on it): personal
    data, never logged in the clear. ``menu_path`` is the node ids walked so
    far; ``area`` the business area (a queue or menu name) the caller was in.
    """

    uniqueid: str
    caller: str | None
    menu_path: tuple[str, ...]
    area: str
    language: str
    flow_version: str = ""


@dataclass(frozen=True, slots=True)
class PendingTicket:
    """A ticket between :meth:`TicketDesk.begin` and ``complete``.

    ``recording`` maps each part the node will record (``message``, or
    ``name`` and ``matter`` for a complaint) to the path Asterisk records
    it to, without extension, in the folder Asterisk and the service share.
    """

    number: str
    kind: str
    saved_at: datetime
    deadline: Deadline
    recording: Mapping[str, str]
    recording_format: str = "wav"


@dataclass(frozen=True, slots=True)
class RecordedPart:
    """One part the caller recorded and sent: its path and length."""

    part: str
    path: str
    seconds: float


@dataclass(frozen=True, slots=True)
class TicketStatus:
    """What a caller who keys their ticket number may hear: nothing else.

    ``state`` is one of :data:`STATES` (never ``pending``); ``deadline`` the
    promised reply day; ``replied_prompt`` a recorded answer staff left for
    the caller to hear, as a path without extension, or ``None``. Only the
    number that left the ticket is told anything of it (norm art. 25): to
    any other number, and to a withheld caller ID, the ticket is unknown.
    """

    number: str
    kind: str
    state: str
    deadline: Deadline
    replied_prompt: str | None = None


@dataclass(frozen=True, slots=True)
class FaxReceipt:
    """A stored fax request: its ticket number and whether it will be sent.

    ``will_send`` is false where no fax sending is configured: the request
    waits for staff, and the caller is told so.
    """

    number: str
    document: str
    will_send: bool
    deadline: Deadline


@dataclass(frozen=True, slots=True)
class FaxDocument:
    """A document callers may ask for by fax: its key, id, title and file."""

    key: str
    id: str
    title: str
    path: str
    prompt: str = ""


class TicketDesk(Protocol):
    """The ticket operations a call may make; see the module docstring."""

    async def begin(
        self, kind: str, call: CallContext, parts: Sequence[str]
    ) -> PendingTicket:
        """Number a new ticket and write its pending entry before recording."""
        ...

    async def complete(
        self, pending: PendingTicket, parts: Sequence[RecordedPart]
    ) -> None:
        """Finalise a pending ticket with the parts the caller sent."""
        ...

    async def discard(self, pending: PendingTicket, reason: str) -> None:
        """Drop a pending ticket (nothing worth keeping was recorded)."""
        ...

    async def status(
        self, number: str, *, caller: str | None = None
    ) -> TicketStatus | None:
        """The state of ticket ``number``; ``None`` when there is none.

        ``caller`` is the calling number: a recorded reply is included only
        when it is the ticket's own caller (``None``, unknown: withheld).
        """
        ...

    def is_valid_number(self, number: str) -> bool:
        """True when ``number`` has our length, prefix and check digit."""
        ...

    @property
    def number_length(self) -> int:
        """How many digits a ticket number has (for collecting it)."""
        ...

    def fax_documents(self) -> Sequence[FaxDocument]:
        """The documents callers may ask for by fax, in menu order."""
        ...

    def accepts_fax_number(self, number: str) -> bool:
        """True when a fax may go to ``number``: a mainland fixed line, of
        the configured area codes (:func:`ivr.fax_numbers.fax_number_refusal`)."""
        ...

    async def fax_allowed(self, call: CallContext) -> bool:
        """False when ``call``'s number already asked for its faxes of the
        day (``tickets.fax_per_caller_day``, China time)."""
        ...

    async def request_fax(
        self, call: CallContext, document: str, fax_number: str
    ) -> FaxReceipt:
        """Store a fax request; it is sent later (or waits for staff)."""
        ...
