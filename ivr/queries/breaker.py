"""A circuit breaker per backend: stop calling one that keeps failing.

States, as in the usual pattern:

- closed: requests go through; ``failures_to_open`` failures in a row open it;
- open: requests are refused at once (callers hear "unavailable" without
  waiting for a timeout) until ``open_seconds`` have passed;
- half-open: one request (the probe) goes through; its success closes the
  circuit, its failure opens it for another ``open_seconds``. Other requests
  arriving while the probe runs are refused.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

__all__ = ["CircuitBreaker", "CircuitState"]

logger = logging.getLogger("ivr.queries.breaker")


class CircuitState(StrEnum):
    """Where a circuit breaker is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    """Counts consecutive failures of one backend and decides who may call it."""

    def __init__(
        self,
        name: str,
        failures_to_open: int,
        open_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failures_to_open = failures_to_open
        self.open_seconds = open_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at = 0.0
        self._state = CircuitState.CLOSED
        self._probing = False

    @property
    def state(self) -> CircuitState:
        """The state now (an open circuit past its cool-down is half-open)."""
        if self._state is CircuitState.OPEN and self._cooled_down():
            return CircuitState.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """May a request go to the backend now? (Takes the probe when half-open.)"""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.HALF_OPEN and not self._probing:
            self._state, self._probing = CircuitState.HALF_OPEN, True
            logger.info("backend %s: circuit half-open, sending a probe", self.name)
            return True
        return False

    def succeeded(self) -> None:
        """The request that was allowed succeeded."""
        if self._state is not CircuitState.CLOSED:
            logger.warning("backend %s: circuit closed, backend answers", self.name)
        self._state, self._failures, self._probing = CircuitState.CLOSED, 0, False

    def failed(self) -> None:
        """The request that was allowed failed."""
        self._failures += 1
        if self._probing or self._failures >= self.failures_to_open:
            self._open()

    def _open(self) -> None:
        if self._state is not CircuitState.OPEN or self._probing:
            logger.warning(
                "backend %s: circuit open after %d failure(s), retry in %gs",
                self.name,
                self._failures,
                self.open_seconds,
            )
        self._state, self._opened_at, self._probing = (
            CircuitState.OPEN,
            self._clock(),
            False,
        )

    def _cooled_down(self) -> bool:
        return self._clock() - self._opened_at >= self.open_seconds
