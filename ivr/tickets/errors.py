"""Errors of the ticket package.

::

    TicketsError
    ├── TicketConfigError        a numberer or deadline setting is unusable
    ├── SequenceExhaustedError   the day's ticket sequence is used up
    └── DeadlineError            no deadline can be computed for this message

The configuration errors are also :class:`ValueError`, so a settings reader
that already reports ``ValueError`` at start-up catches them unchanged.
"""

from __future__ import annotations

__all__ = [
    "DeadlineError",
    "SequenceExhaustedError",
    "TicketConfigError",
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
