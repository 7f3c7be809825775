"""A circuit breaker per backend, from the ``circuitbreaker`` library.

Resilience code is not what this product is for, so the state machine is the
library's (fabfuel/circuitbreaker); this module is a small typed adapter that
names the backend, says its state as :class:`CircuitState` and logs the
transitions. The library's states:

- closed: requests go through; ``failures_to_open`` failures in a row open it
  (a success in between starts the count again);
- open: requests are refused at once (callers hear "unavailable" without
  waiting for a timeout) until ``open_seconds`` have passed;
- half-open: requests go through again as probes; the first to fail opens the
  circuit for another ``open_seconds``, the first to succeed closes it. The
  library does not hold back the requests that arrive while a probe is still
  running (see the README design notes).

The library reads ``time.monotonic`` through its own module, so tests move
time by replacing ``circuitbreaker.monotonic`` rather than by sleeping.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

import circuitbreaker  # type: ignore[import-untyped]

from ivr.queries.errors import BackendError, CircuitOpenError

__all__ = ["BackendBreaker", "CircuitState"]

logger = logging.getLogger("ivr.queries.breaker")

T = TypeVar("T")


class CircuitState(StrEnum):
    """Where a circuit breaker is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


_STATES = {
    circuitbreaker.STATE_CLOSED: CircuitState.CLOSED,
    circuitbreaker.STATE_OPEN: CircuitState.OPEN,
    circuitbreaker.STATE_HALF_OPEN: CircuitState.HALF_OPEN,
}


class BackendBreaker:
    """The circuit of one backend: failures are :class:`BackendError` only."""

    def __init__(self, name: str, failures_to_open: int, open_seconds: float) -> None:
        self.name = name
        self.failures_to_open = failures_to_open
        self.open_seconds = open_seconds
        self._circuit = circuitbreaker.CircuitBreaker(
            failure_threshold=failures_to_open,
            recovery_timeout=open_seconds,
            expected_exception=BackendError,
            name=f"backend {name}",
        )

    @property
    def state(self) -> CircuitState:
        """The state now (an open circuit past its cool-down is half-open)."""
        return _STATES[self._circuit.state]

    @property
    def refusing(self) -> bool:
        """Whether a request now would be refused unsent (the circuit is open).

        Reading it changes nothing: a circuit past its cool-down says
        ``False`` and keeps its half-open probe for the next request.
        """
        return self.state is CircuitState.OPEN

    async def call(self, send: Callable[[], Awaitable[T]]) -> T:
        """Await ``send()`` through the circuit.

        Raises :class:`CircuitOpenError` without calling ``send`` while the
        circuit is open; a :class:`BackendError` from ``send`` counts as a
        failure and is raised again, anything returned counts as a success.
        """
        before = self.state
        if before is CircuitState.OPEN:
            raise CircuitOpenError(f"the circuit of backend {self.name} is open")
        if before is CircuitState.HALF_OPEN:
            logger.info("backend %s: circuit half-open, sending a probe", self.name)
        try:
            result: T = await self._circuit.call_async(send)
        except BackendError:
            self._log_change(before)
            raise
        self._log_change(before)
        return result

    def _log_change(self, before: CircuitState) -> None:
        after = self.state
        if after is before:
            return
        if after is CircuitState.OPEN:
            logger.warning(
                "backend %s: circuit open after %d failure(s), retry in %gs",
                self.name,
                self._circuit.failure_count,
                self.open_seconds,
            )
        elif after is CircuitState.CLOSED:
            logger.warning("backend %s: circuit closed, backend answers", self.name)
