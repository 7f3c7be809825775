"""Errors raised by the simulated caller.

The hierarchy, under one root::

    SimError
    ├── CallerScriptError      a ``--keys`` script that cannot be read
    ├── InvalidCallTimeError   an ``--at`` that is not a date and time
    ├── UnknownQueueModeError  a ``--queue`` that names no queue mode
    ├── NoServiceError         nothing listens at the FastAGI address
    └── TranscriptError        a recorded transcript that cannot be replayed
"""

from __future__ import annotations

__all__ = [
    "CallerScriptError",
    "InvalidCallTimeError",
    "NoServiceError",
    "SimError",
    "TranscriptError",
    "UnknownQueueModeError",
]


class SimError(Exception):
    """Root of every error raised by ``ivr.sim``."""


class CallerScriptError(SimError, ValueError):
    """A scripted caller's key tokens are malformed (``token`` says which)."""

    def __init__(self, message: str, token: str) -> None:
        super().__init__(message)
        self.token = token


class InvalidCallTimeError(SimError, ValueError):
    """``--at`` is not ``YYYY-MM-DD HH:MM[:SS]`` (``text`` is what was given)."""

    def __init__(self, text: str) -> None:
        super().__init__(
            f"bad --at {text!r}: expected a real date and time as "
            '"YYYY-MM-DD HH:MM" or "YYYY-MM-DD HH:MM:SS" (a T may replace the space)'
        )
        self.text = text


class UnknownQueueModeError(SimError, ValueError):
    """``--queue`` is none of ``modes`` (``name`` is what was given)."""

    def __init__(self, name: str, modes: list[str]) -> None:
        super().__init__(f"bad --queue {name!r}: expected one of {', '.join(modes)}")
        self.name = name


class NoServiceError(SimError, ConnectionError):
    """The emulator could not connect to the FastAGI server."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(f"no IVR service at {host}:{port}")
        self.host = host
        self.port = port


class TranscriptError(SimError):
    """A transcript file is malformed (``line`` is the 1-based line number)."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
