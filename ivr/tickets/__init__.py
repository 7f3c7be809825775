"""Tickets: voice messages, complaints and fax requests, with a promised reply.

:class:`TicketNumberer` makes check-digit numbers without the database, so a
message left during an outage still gets one; :func:`reply_deadline` and
:class:`DeadlinePolicy` turn a save time into the end of the Nth working
day on the flow's holiday calendar. The call flow talks to a
:class:`TicketDesk`; the service's is :class:`DatabaseTicketDesk`, which
writes through :class:`TicketStore` or, while the database is down, to
the :class:`PendingSpool`. :class:`TicketReconciler` settles entries and
recordings a crash or an outage left unmatched; :func:`build_ticket_desk`
assembles all of it from the configuration.
"""

from ivr.tickets.builder import TicketParts, build_ticket_desk
from ivr.tickets.database_desk import DatabaseTicketDesk
from ivr.tickets.deadlines import END_OF_DAY, Deadline, DeadlinePolicy, reply_deadline
from ivr.tickets.desk import (
    KINDS,
    STATES,
    CallContext,
    FaxDocument,
    FaxReceipt,
    PendingTicket,
    RecordedPart,
    TicketDesk,
    TicketStatus,
)
from ivr.tickets.entries import TicketEntry
from ivr.tickets.errors import (
    DeadlineError,
    RecordingExpiredError,
    SequenceExhaustedError,
    TicketAccessError,
    TicketConfigError,
    TicketNotFoundError,
    TicketsError,
    TicketStateError,
    TicketStorageError,
)
from ivr.tickets.models import (
    STAFF_ROLES,
    OverdueReport,
    Ticket,
    TicketFilter,
    TicketPage,
    Viewer,
)
from ivr.tickets.numbers import TicketNumberer, check_digit, has_valid_check_digit
from ivr.tickets.pending_spool import PendingSpool, SpooledStep
from ivr.tickets.reconciler import ReconcileResult, TicketReconciler
from ivr.tickets.recordings import RecordingFolder
from ivr.tickets.store import REPLY_KINDS, TicketStore

__all__ = [
    "END_OF_DAY",
    "KINDS",
    "REPLY_KINDS",
    "STAFF_ROLES",
    "STATES",
    "CallContext",
    "DatabaseTicketDesk",
    "Deadline",
    "DeadlineError",
    "DeadlinePolicy",
    "FaxDocument",
    "FaxReceipt",
    "OverdueReport",
    "PendingSpool",
    "PendingTicket",
    "ReconcileResult",
    "RecordedPart",
    "RecordingExpiredError",
    "RecordingFolder",
    "SequenceExhaustedError",
    "SpooledStep",
    "Ticket",
    "TicketAccessError",
    "TicketConfigError",
    "TicketDesk",
    "TicketEntry",
    "TicketFilter",
    "TicketNotFoundError",
    "TicketNumberer",
    "TicketPage",
    "TicketParts",
    "TicketReconciler",
    "TicketStateError",
    "TicketStatus",
    "TicketStorageError",
    "TicketStore",
    "TicketsError",
    "Viewer",
    "build_ticket_desk",
    "check_digit",
    "has_valid_check_digit",
    "reply_deadline",
]
