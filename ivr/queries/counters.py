"""The daily counters of failed verifications, kept in Redis.

One counter per scope (the caller's number, the ID number) and day, named
by a keyed hash and the day (``ivr:query-fail:id:<hash>:20261008``). The
limit of a counter can be reached by calls running at the same time, so a
try is counted *before* the backend is asked (:meth:`DailyCounters.reserve`,
one Lua script, atomic in Redis): every counter is incremented, and if one
is then over its limit all are put back and the try is refused. A try that
turns out not to be a failure (an answer, a backend fault) is given back
with :meth:`DailyCounters.release`. So ten calls at once on one ID number
with a limit of five get five tries to the backend, not ten.

Each counter lives until the next local midnight of the call's clock, set
as a time to live in seconds (``EXPIRE``), not as a point in time: a call
placed with ``ivr call --at`` in the past would otherwise set a moment
already gone, and Redis would delete the counter at once.

Redis not answering: nothing is counted or refused (see
:mod:`ivr.queries.limiter`), with one warning when it stops answering and
one when it answers again.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

__all__ = ["KEY_PREFIX", "REDIS_TIMEOUT", "DailyCounters", "Reservation"]

logger = logging.getLogger("ivr.queries.counters")

KEY_PREFIX = "ivr:query-fail"
REDIS_TIMEOUT = 0.5
"""Seconds a Redis command may take before the call goes on without it."""

_RESERVE = """
-- KEYS: the counters; ARGV[1]: seconds to live; ARGV[i + 1]: KEYS[i]'s limit.
-- Returns 0 (counted) or the index of the counter over its limit (nothing
-- counted), then each counter's value with this try.
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[1])
end
for i = 1, #KEYS do
  if counts[i] > tonumber(ARGV[i + 1]) then
    for _, key in ipairs(KEYS) do redis.call('DECR', key) end
    table.insert(counts, 1, i)
    return counts
  end
end
table.insert(counts, 1, 0)
return counts
"""

_RELEASE = """
-- KEYS: the counters a reserved try incremented; each is put back by one,
-- and deleted at zero (a counter gone at midnight is not made again).
for _, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count > 1 then
    redis.call('DECR', key)
  elseif count == 1 then
    redis.call('DEL', key)
  end
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Reservation:
    """One try counted ahead of the backend's answer.

    ``counts`` maps each scope to its counter with this try; ``refused``
    names the scope whose limit the try would pass (then nothing is
    counted). Without Redis both are empty: nothing was counted.
    """

    keys: tuple[str, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    refused: str = ""


class DailyCounters:
    """The counters of one Redis server (or none: nothing is counted)."""

    def __init__(self, redis: Redis | None) -> None:
        self._redis = redis
        self._down = False
        self._reserve = redis.register_script(_RESERVE) if redis else None
        self._release = redis.register_script(_RELEASE) if redis else None

    @property
    def state(self) -> str:
        """``ok``, ``down`` (the last command failed) or ``off`` (no Redis)."""
        if self._redis is None:
            return "off"
        return "down" if self._down else "ok"

    async def read(self, keys: Mapping[str, str]) -> dict[str, int]:
        """Each scope's count now (``{}`` without Redis)."""
        if self._redis is None or not keys:
            return {}
        try:
            async with asyncio.timeout(REDIS_TIMEOUT):
                values = await self._redis.mget(list(keys.values()))
        except (RedisError, OSError, TimeoutError) as exc:
            self._went_down(exc)
            return {}
        self._came_back()
        return {scope: int(v or 0) for scope, v in zip(keys, values, strict=True)}

    async def reserve(
        self, keys: Mapping[str, str], limits: Mapping[str, int], now: datetime
    ) -> Reservation:
        """Count one try in every counter of ``keys``, unless one is full."""
        if self._reserve is None or not keys:
            return Reservation()
        args = [seconds_to_midnight(now), *(limits[scope] for scope in keys)]
        try:
            async with asyncio.timeout(REDIS_TIMEOUT):
                reply = await self._reserve(keys=list(keys.values()), args=args)
        except (RedisError, OSError, TimeoutError) as exc:
            self._went_down(exc)
            return Reservation()
        self._came_back()
        refused, *counts = (int(value) for value in reply)
        by_scope = dict(zip(keys, counts, strict=True))
        if refused:
            return Reservation((), by_scope, list(keys)[refused - 1])
        return Reservation(tuple(keys.values()), by_scope)

    async def release(self, reservation: Reservation) -> None:
        """Give a reserved try back (it was no failed verification)."""
        if self._release is None or not reservation.keys:
            return
        try:
            async with asyncio.timeout(REDIS_TIMEOUT):
                await self._release(keys=list(reservation.keys))
        except (RedisError, OSError, TimeoutError) as exc:
            self._went_down(exc)
            return
        self._came_back()

    def _went_down(self, exc: BaseException) -> None:
        if not self._down:
            logger.warning(
                "Redis not answering (%s): daily query limits are not counted, "
                "only the per-call limit holds",
                type(exc).__name__,
            )
        self._down = True

    def _came_back(self) -> None:
        if self._down:
            logger.warning("Redis answers again: daily query limits counted")
        self._down = False


def seconds_to_midnight(now: datetime) -> int:
    """Whole seconds from ``now`` to the next 00:00 in ``now``'s time zone."""
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(0), now.tzinfo)
    # Both in UTC: a difference of two times in one zone ignores a change
    # of offset (summer time) between them.
    left = tomorrow.astimezone(UTC) - now.astimezone(UTC)
    return max(1, math.ceil(left.total_seconds()))
