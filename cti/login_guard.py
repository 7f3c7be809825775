"""Login throttling: failed logins per user name and per client address.

A password guesser is slowed down on two keys at once: the user name it
tries (one account, many addresses) and the address it comes from (one
address, many names). After ``free`` failures of a name (``free_address``
of an address: a call centre's agents often share one NAT address) within
``window`` seconds the key is locked for ``base`` seconds,
doubling with every further failure up to ``cap``; a success clears the
user name's count. Time is the injected clock, so tests need no sleeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["LoginGuard"]


@dataclass(slots=True)
class _Failures:
    """Failure times of one key inside the window, and its lock's end."""

    times: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class LoginGuard:
    """Counts failed logins and says how long a name or address must wait."""

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        free: int = 5,
        free_address: int = 20,
        window: float = 900.0,
        base: float = 30.0,
        cap: float = 900.0,
    ) -> None:
        self.clock = clock
        self.free = free
        self.free_address = free_address
        self.window = window
        self.base = base
        self.cap = cap
        self._keys: dict[str, _Failures] = {}

    def wait(self, username: str, address: str) -> float:
        """Seconds before ``username`` from ``address`` may try again (0: now)."""
        now = self.clock()
        locks = [self._lock_end(key) for key in _keys(username, address)]
        return max(0.0, *(end - now for end in locks))

    def failed(self, username: str, address: str) -> None:
        """Count one failure on both keys; lock a key past its free tries."""
        now = self.clock()
        limits = (self.free, self.free_address)
        for key, free in zip(_keys(username, address), limits, strict=True):
            record = self._keys.setdefault(key, _Failures())
            record.times = [t for t in record.times if now - t < self.window]
            record.times.append(now)
            extra = len(record.times) - free
            if extra >= 0:
                record.locked_until = now + min(self.cap, self.base * 2**extra)

    def succeeded(self, username: str) -> None:
        """Forget the user name's failures (the address keeps its count)."""
        self._keys.pop(_user(username), None)

    def _lock_end(self, key: str) -> float:
        record = self._keys.get(key)
        return record.locked_until if record is not None else 0.0


def _user(username: str) -> str:
    return f"user:{username.casefold()}"


def _keys(username: str, address: str) -> tuple[str, str]:
    return _user(username), f"addr:{address}"
