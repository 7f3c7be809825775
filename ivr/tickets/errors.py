"""Errors of the ticket package.

::

    TicketsError
    ├── TicketConfigError        a numberer or deadline setting is unusable
    ├── SequenceExhaustedError   the day's ticket sequence is used up
    ├── DeadlineError            no deadline can be computed for this message
    ├── TicketNotFoundError      no ticket has that number
    ├── TicketStateError         the action is not allowed in the ticket's state
    ├── TicketAccessError        the role may not read a caller number or recording
    ├── RecordingExpiredError    the recording is past its retention period
    └── TicketStorageError       neither the database nor the spool took a write

The configuration errors are also :class:`ValueError`, so a settings reader
that already reports ``ValueError`` at start-up catches them unchanged. The
HTTP layer maps :class:`TicketNotFoundError` to 404, :class:`TicketStateError`
to 409 and :class:`TicketAccessError` to 403; :class:`TicketStorageError`
means a message could not be taken at all (the disk is full as well as the
database down), so the flow must not start recording.
"""

from __future__ import annotations

__all__ = [
    "DeadlineError",
    "RecordingExpiredError",
    "SequenceExhaustedError",
    "TicketAccessError",
    "TicketConfigError",
    "TicketNotFoundError",
    "TicketStateError",
    "TicketStorageError",
    "TicketsError",
]


class TicketsError(Exception):
    """Root of the ticket errors."""


class TicketConfigError(TicketsError, ValueError):
    """A prefix, node, width, kind or day count is not acceptable."""


class SequenceExhaustedError(TicketsError):
    """Every sequence number of the day has been handed out.

    The message names the day and the width, so ops know to widen
    ``sequence_digits`` (which changes the ticket length from then on).
    """


class DeadlineError(TicketsError, ValueError):
    """A deadline was asked for a naive time or could not be found."""


class TicketNotFoundError(TicketsError, LookupError):
    """No ticket has the number given; the message names it."""


class TicketStateError(TicketsError):
    """An action that the ticket's current state does not allow.

    ``number``, ``state`` and ``action`` say which ticket, where it stood and
    what was refused, so the API can answer 409 with a useful message.
    """

    def __init__(self, number: str, state: str, action: str) -> None:
        super().__init__(f"ticket {number} is {state}: cannot {action} it")
        self.number = number
        self.state = state
        self.action = action


class TicketAccessError(TicketsError, PermissionError):
    """A caller number or recording was asked for by a role that may not."""


class RecordingExpiredError(TicketsError):
    """The recording is older than the retention period and is not served."""


class TicketStorageError(TicketsError, OSError):
    """A pending entry could be written neither to the database nor the spool."""
