"""Errors raised by the CTI domain (``cti``, above the AMI layer).

Every error derives from :class:`CTIError`::

    CTIError
    ├── NotFoundError        no such agent, call or recording
    ├── SeatError            the seat cannot do that now (not logged in, no call)
    ├── StaffError           a staff account value is refused (role, name)
    └── AMIUnavailableError  Asterisk is not reachable; the action was not sent

AMI failures of an action that was sent stay :class:`cti.ami.AMIError`.
"""

from __future__ import annotations

__all__ = [
    "AMIUnavailableError",
    "CTIError",
    "NotFoundError",
    "SeatError",
    "StaffError",
]


class CTIError(Exception):
    """Root of every error raised by ``cti`` outside ``cti.ami``."""


class NotFoundError(CTIError, LookupError):
    """The agent, call or recording named does not exist."""


class SeatError(CTIError):
    """The seat is not in a state that allows the request."""


class StaffError(CTIError, ValueError):
    """A staff account value is refused (unknown role, duplicate name)."""


class AMIUnavailableError(CTIError):
    """The AMI link is down or resyncing; nothing was sent to Asterisk."""
