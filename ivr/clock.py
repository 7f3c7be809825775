"""Clocks: the real one, and a fixed one for tests and ``--at`` calls.

The flow asks a clock for the local time of the call; tests inject a fixed
clock instead of sleeping or patching ``datetime``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["Clock", "FixedClock", "ShiftedClock", "SystemClock"]


class Clock(Protocol):
    """Something that tells the current time in a given zone."""

    def now(self, tz: ZoneInfo) -> datetime:
        """Return the current aware time in ``tz``."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self, tz: ZoneInfo) -> datetime:
        """Return the current aware time in ``tz``."""
        return datetime.now(tz)


class FixedClock:
    """A clock that starts at a given instant and moves only when told to.

    A naive ``start`` is taken as local time in the zone asked for.
    """

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._offset = timedelta()

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self._offset += timedelta(seconds=seconds)

    def now(self, tz: ZoneInfo) -> datetime:
        """Return the fixed instant (plus any advance) in ``tz``."""
        if self._start.tzinfo is None:
            return self._start.replace(tzinfo=tz) + self._offset
        return self._start.astimezone(tz) + self._offset


class ShiftedClock:
    """A clock that starts at a given local time and then runs in real time.

    Used for a test call placed ``--at`` a chosen moment: the call's greeting
    and routing follow that moment, and its record still shows how long each
    step really took.
    """

    def __init__(
        self, start: datetime, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._start = start
        self._monotonic = monotonic
        self._began = monotonic()

    def now(self, tz: ZoneInfo) -> datetime:
        """Return the start instant plus the real time elapsed since, in ``tz``."""
        elapsed = timedelta(seconds=self._monotonic() - self._began)
        if self._start.tzinfo is None:
            return self._start.replace(tzinfo=tz) + elapsed
        return self._start.astimezone(tz) + elapsed
