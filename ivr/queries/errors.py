"""Errors of the self-service queries.

::

    QueryError
    ├── IdNumberError          an ID number keyed by the caller is not valid
    ├── BackendConfigError     the backends file is missing or wrong
    ├── BackendError           one HTTP exchange with a backend failed
    │   └── BackendReplyError  the backend answered, but not as agreed
    └── CircuitOpenError       the backend's circuit is open: it was not asked

Only :class:`IdNumberError` reaches the caller (as a reason prompt); the
backend errors are turned into an "unavailable" result by the client, so a
call never ends on them.
"""

from __future__ import annotations

__all__ = [
    "BackendConfigError",
    "BackendError",
    "BackendReplyError",
    "CircuitOpenError",
    "IdNumberError",
    "QueryError",
]


class QueryError(Exception):
    """Root of the errors of :mod:`ivr.queries`."""


class IdNumberError(QueryError):
    """The keyed ID number is not valid; ``reason`` says why, for the caller.

    ``reason`` is one of ``length``, ``characters``, ``check_digit``,
    ``birth_date`` or ``region`` (see :data:`ivr.queries.idnumber.REASONS`).
    The message never contains the number itself.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class BackendConfigError(QueryError):
    """The backends file cannot be used; the message says where and why."""


class BackendError(QueryError):
    """One request to a backend failed (connection, timeout, server error)."""


class BackendReplyError(BackendError):
    """The backend answered with something other than the agreed JSON.

    ``status`` is the HTTP status. The body is not kept: it may hold
    personal data.
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class CircuitOpenError(QueryError):
    """The backend's circuit breaker is open, so no request was sent.

    Not a :class:`BackendError`: it is not a failure of the backend (it
    neither counts for the breaker nor is retried).
    """
