"""Errors raised by the CTI domain (``cti``, above the AMI layer).

Every error derives from :class:`CTIError`::

    CTIError
    ├── NotFoundError        no such agent, call or recording
    ├── SeatError            the seat cannot do that now (not logged in, no call)
    ├── StaffError           a staff account value is refused (role, name)
    ├── SurveyError          a survey score is not a whole number 1-5
    ├── TicketActionError    a ticket request is refused (bad audio, no phone)
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
    "SurveyError",
    "TicketActionError",
]


class CTIError(Exception):
    """Root of every error raised by ``cti`` outside ``cti.ami``."""


class NotFoundError(CTIError, LookupError):
    """The agent, call or recording named does not exist."""


class SeatError(CTIError):
    """The seat is not in a state that allows the request."""


class StaffError(CTIError, ValueError):
    """A staff account value is refused (unknown role, duplicate name)."""


class SurveyError(CTIError, ValueError):
    """A survey score is refused (not an int 1-5, or a bool)."""


class AMIUnavailableError(CTIError):
    """The AMI link is down or resyncing; nothing was sent to Asterisk."""


class TicketActionError(CTIError, ValueError):
    """A ticket action is refused as asked: an upload that is not a usable
    WAV, a call-back without a phone interface, an unknown reply kind."""
