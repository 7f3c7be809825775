"""Reconnect delays: exponential, capped, with jitter.

Jitter spreads the reconnects of many clients after an Asterisk restart
(field case F29); a separate, slower schedule after "Authentication failed"
keeps a wrong secret from becoming a tight loop (F27).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Backoff"]


@dataclass(slots=True)
class Backoff:
    """Delay before attempt ``n``: ``min(cap, base * 2**n)``, scaled by jitter.

    ``random`` returns a float in [0, 1); the delay is scaled into
    [50 %, 100 %] of the step so it never reaches zero.
    """

    base: float
    cap: float
    random: Callable[[], float]
    attempt: int = 0

    def next_delay(self) -> float:
        """Return the next delay and advance the schedule."""
        step: float = min(self.cap, self.base * 2.0**self.attempt)
        self.attempt = min(self.attempt + 1, 32)
        return step * (0.5 + self.random() / 2)

    def reset(self) -> None:
        """Start again from ``base`` (after a session got ready)."""
        self.attempt = 0
