"""Errors raised by the AGI wire layer.

Every error here derives from :class:`AGIError`. Errors that mean the caller
is gone also derive from :class:`ivr.channel.CallerHungUp`, so the flow
engine handles them like any other hang-up without knowing about AGI::

    AGIError
    ├── AGIProtocolError            a line we cannot read as AGI (carries raw)
    │   ├── AGIReplyTimeoutError    no final reply within the reply timeout
    │   ├── AGIInvalidCommandError  510: Asterisk does not know the command
    │   ├── AGIUsageError           520: wrong arguments (carries help text)
    │   └── AGIAsteriskError        503 and other 5xx failures inside Asterisk
    ├── AGICommandError             a command we refuse to put on the wire
    ├── AGICommandFailedError       result=-1/-2 on a live channel (ChannelError)
    ├── AGIHandshakeError           the environment never arrived complete
    └── AGIHangupError              (also ivr.channel.CallerHungUp)
        ├── AGIDeadChannelError     511, or a channel command in dead mode
        └── AGIConnectionClosed     end of stream from Asterisk

510 and 520 point at a bug in our own command framing (res/res_agi.c,
agi_handle_command), never at the caller.
"""

from __future__ import annotations

from ivr.channel import CallerHungUp, ChannelError

__all__ = [
    "AGIAsteriskError",
    "AGICommandError",
    "AGICommandFailedError",
    "AGIConnectionClosed",
    "AGIDeadChannelError",
    "AGIError",
    "AGIHandshakeError",
    "AGIHangupError",
    "AGIInvalidCommandError",
    "AGIProtocolError",
    "AGIReplyTimeoutError",
    "AGIUsageError",
]


class AGIError(Exception):
    """Root of every error raised by ``ivr.agi``."""


class AGIProtocolError(AGIError):
    """Asterisk sent something we cannot use as the reply to our command.

    ``raw`` holds the bytes as received so the fault can be diagnosed.
    """

    def __init__(self, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.raw = raw


class AGIReplyTimeoutError(AGIProtocolError, TimeoutError):
    """No final reply arrived within the reply timeout; the stream is unusable."""


class AGIInvalidCommandError(AGIProtocolError):
    """510: Asterisk does not know the command we sent (a bug on our side)."""


class AGIUsageError(AGIProtocolError):
    """520: the command's arguments were wrong; ``help`` holds Asterisk's usage."""

    def __init__(self, message: str, raw: bytes = b"", help_text: str = "") -> None:
        super().__init__(message, raw)
        self.help = help_text


class AGIAsteriskError(AGIProtocolError):
    """503 or another 5xx: Asterisk failed internally while running the command."""


class AGICommandError(AGIError, ValueError):
    """A command that cannot be framed safely (newline, too long, too many args)."""


class AGICommandFailedError(AGIError, ChannelError):
    """A command failed although the caller is still there (e.g. ``result=-2``).

    EXEC answers ``-2`` for an application Asterisk does not have; RECORD FILE
    answers ``-1`` with ``(writefile)`` when it cannot open the file.
    """

    def __init__(self, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.raw = raw


class AGIHandshakeError(AGIError):
    """The AGI environment did not arrive complete (EOF, timeout or garbage)."""


class AGIHangupError(AGIError, CallerHungUp):
    """The caller is gone; raised to the flow as :class:`CallerHungUp`."""


class AGIDeadChannelError(AGIHangupError):
    """511, or a command that only a live channel accepts, sent in dead mode."""

    def __init__(self, message: str, raw: bytes = b"") -> None:
        super().__init__(message)
        self.raw = raw


class AGIConnectionClosed(AGIHangupError):
    """Asterisk closed the stream (EOF or a write to a closed socket)."""
