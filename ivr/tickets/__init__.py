"""Tickets: numbers spoken to callers and the reply deadlines promised to them.

:class:`TicketNumberer` makes check-digit numbers without the database, so a
message left during an outage still gets one; :func:`reply_deadline` and
:class:`DeadlinePolicy` turn a save time into the end of the Nth working
day on the flow's holiday calendar.
"""

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
from ivr.tickets.errors import (
    DeadlineError,
    SequenceExhaustedError,
    TicketConfigError,
    TicketsError,
)
from ivr.tickets.numbers import TicketNumberer, check_digit, has_valid_check_digit

__all__ = [
    "END_OF_DAY",
    "KINDS",
    "STATES",
    "CallContext",
    "Deadline",
    "DeadlineError",
    "DeadlinePolicy",
    "FaxDocument",
    "FaxReceipt",
    "PendingTicket",
    "RecordedPart",
    "SequenceExhaustedError",
    "TicketConfigError",
    "TicketDesk",
    "TicketNumberer",
    "TicketStatus",
    "TicketsError",
    "check_digit",
    "has_valid_check_digit",
    "reply_deadline",
]
