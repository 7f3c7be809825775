"""Errors raised by the AMI layer.

Every error derives from :class:`AMIError`::

    AMIError
    ├── AMIProtocolError          bytes we cannot use as AMI (carries raw)
    ├── ActionFramingError        an action we refuse to put on the wire
    ├── ActionFailedError         Response: Error to our action (carries reply)
    │   └── AuthenticationError   Login refused: configuration, not network
    ├── ActionTimeoutError        no reply (or list end) in time (TimeoutError)
    ├── NotLoggedInError          an action before Login completed (F26)
    └── ConnectionLostError       the link dropped with the action in flight

Only :class:`AuthenticationError` is non-retryable: the client alerts and
backs off (field case F27) instead of reconnecting in a tight loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cti.ami.message import Message

__all__ = [
    "AMIError",
    "AMIProtocolError",
    "ActionFailedError",
    "ActionFramingError",
    "ActionTimeoutError",
    "AuthenticationError",
    "ConnectionLostError",
    "NotLoggedInError",
]


class AMIError(Exception):
    """Root of every error raised by ``cti.ami``."""


class AMIProtocolError(AMIError):
    """Asterisk sent bytes we cannot use; ``raw`` keeps them for diagnosis."""

    def __init__(self, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.raw = raw


class ActionFramingError(AMIError, ValueError):
    """An action breaks manager.c's input limits or holds CR/LF (F33)."""


class ActionFailedError(AMIError):
    """Asterisk answered our action with ``Response: Error``.

    ``reply`` is the parsed reply; ``reply.raw`` holds its bytes.
    """

    def __init__(self, message: str, reply: Message) -> None:
        super().__init__(message)
        self.reply = reply


class AuthenticationError(ActionFailedError):
    """Login was refused: wrong user or secret, an ACL, or a session limit."""


class ActionTimeoutError(AMIError, TimeoutError):
    """No reply, list end or OriginateResponse arrived within the deadline."""


class NotLoggedInError(AMIError):
    """An action was offered before Login completed; nothing was sent."""


class ConnectionLostError(AMIError, ConnectionError):
    """The connection ended (EOF, Shutdown, reset) with the action in flight."""
