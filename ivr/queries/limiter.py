"""How many identity checks a caller may fail before being locked out.

Three limits, all on *failed* verifications (a refused ID number, a PIN or
registered phone that does not match, an unknown person):

- per call (the query node's ``attempts``), counted in memory
  (:class:`CallAttempts`);
- per caller number per day and per ID number per day, counted in Redis
  under keyed hashes (never the numbers) until the next local midnight of
  the flow's time zone (:mod:`ivr.queries.counters`), so a day's count
  starts afresh at 00:00 where the hotline is. Only a real calling number
  has a per-caller counter (:attr:`Verifier.caller_hash` is empty for a
  withheld one).

A try is counted against the daily limits before the backend is asked
(:meth:`AttemptLimiter.reserve`) and given back when it was no failure
(:meth:`AttemptLimiter.release`), so calls at the same time cannot pass a
limit together. Past any limit the caller is locked out (norm art. 25:
guessing someone else's PIN must not be free) and :class:`LockoutBook`
keeps a row per lockout, with masked numbers and keyed hashes only.

Redis down: the daily limits cannot be counted, so they are skipped (fail
open) and a warning is logged when Redis stops answering and when it
answers again; the per-call limit still holds, so a caller never gets more
than the node's ``attempts`` tries per call. Refusing every query during a Redis outage
would shut out every legitimate caller for a fault none of them caused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio import Redis
from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from ivr.queries.counters import KEY_PREFIX, DailyCounters, Reservation
from ivr.records.rows import to_utc
from ivr.records.schema import query_lockouts

__all__ = [
    "AttemptLimiter",
    "AttemptLimits",
    "CallAttempts",
    "Lockout",
    "LockoutBook",
    "Reservation",
    "Verifier",
]

logger = logging.getLogger("ivr.queries.limiter")


@dataclass(frozen=True, slots=True)
class AttemptLimits:
    """Failed verifications allowed per caller a day and per ID number a day.

    The per-call limit is the query node's own (``attempts:`` in menus.yaml).
    """

    per_caller_day: int = 10
    per_id_day: int = 5


@dataclass(slots=True)
class CallAttempts:
    """The failed tries of one call (kept in memory).

    ``failures`` are failed verifications (a wrong PIN or phone, an unknown
    person); ``keying`` are numbers refused before anything was asked (an ID
    number of the wrong length, a wrong check digit). Both count towards the
    node's per-call limit; only failures count towards the daily limits.
    """

    failures: int = 0
    keying: int = 0

    @property
    def total(self) -> int:
        """Every failed try of the call, of both kinds."""
        return self.failures + self.keying

    @property
    def scope(self) -> str:
        """The per-call lockout's scope: ``keying`` when only keying failed."""
        return "call" if self.failures else "keying"


@dataclass(frozen=True, slots=True)
class Verifier:
    """Who is trying: the call, and the numbers as masked form and keyed hash.

    ``id_hash`` is empty until the caller has keyed a valid ID number.
    """

    uniqueid: str
    node_id: str
    caller_masked: str
    caller_hash: str
    id_masked: str = ""
    id_hash: str = ""


@dataclass(frozen=True, slots=True)
class Lockout:
    """Why a caller may not try again.

    ``scope``: call, keying (the call's tries used up by refused numbers
    only), caller or id_number. ``standing``: a daily limit already reached
    before this try (by earlier calls, perhaps someone else's), not by a
    failure of this caller now.
    """

    scope: str
    attempts: int
    standing: bool = False


class LockoutBook:
    """Stores one ``query_lockouts`` row per lockout; never raises."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, who: Verifier, lockout: Lockout, at: datetime) -> None:
        """Keep the lockout (a database fault is logged, the call goes on).

        ``at`` (the flow's local time) is stored in UTC, like every time in
        the records.
        """
        row = {
            "locked_at": to_utc(at),
            "uniqueid": who.uniqueid,
            "node_id": who.node_id,
            "scope": lockout.scope,
            "attempts": lockout.attempts,
            "caller_masked": who.caller_masked,
            "caller_hash": who.caller_hash,
            "id_masked": who.id_masked,
            "id_hash": who.id_hash,
        }
        try:
            async with self._engine.begin() as connection:
                await connection.execute(insert(query_lockouts), [row])
        except (SQLAlchemyError, OSError) as exc:
            logger.warning(
                "call %s: lockout not stored: %s", who.uniqueid, type(exc).__name__
            )


class AttemptLimiter:
    """Counts failed verifications and says when a caller is locked out."""

    def __init__(
        self,
        limits: AttemptLimits,
        redis: Redis | None,
        book: LockoutBook | None = None,
    ) -> None:
        self.limits = limits
        self._counters = DailyCounters(redis)
        self._book = book

    @property
    def redis_state(self) -> str:
        """Redis as last seen, for /health: ``ok``, ``down`` or ``off``.

        No command is sent: ``down`` means the last command failed, ``ok``
        that none has failed since the last that answered (or none was sent
        yet), ``off`` that no Redis is configured.
        """
        return self._counters.state

    async def lockout(
        self, attempts: CallAttempts, per_call: int, who: Verifier, now: datetime
    ) -> Lockout | None:
        """The lockout in force before another try, or ``None`` to go on."""
        if attempts.total >= per_call:
            return Lockout(attempts.scope, attempts.total)
        counts = await self._counters.read(self._keys(who, now))
        return self._over(counts, standing=True)

    async def reserve(self, who: Verifier, now: datetime) -> Reservation | Lockout:
        """Count a try against the daily limits before the backend is asked.

        Returns the lockout instead when the try would pass a limit (then
        nothing is counted). Give the try back with :meth:`release` unless
        the backend says the verification failed; :meth:`fail` keeps it.
        """
        reservation = await self._counters.reserve(
            self._keys(who, now), self._limits(), now
        )
        if reservation.refused:
            scope = reservation.refused
            return Lockout(scope, reservation.counts[scope] - 1, standing=True)
        return reservation

    async def release(self, reservation: Reservation) -> None:
        """Give back a reserved try that was no failed verification."""
        await self._counters.release(reservation)

    async def fail(
        self,
        attempts: CallAttempts,
        per_call: int,
        who: Verifier,
        now: datetime,
        reservation: Reservation,
    ) -> Lockout | None:
        """Count one failed try (its daily count is ``reservation``'s).

        Returns (and records) the lockout it causes.
        """
        attempts.failures += 1
        lockout = self._over(reservation.counts)
        if lockout is None and attempts.total >= per_call:
            lockout = Lockout(attempts.scope, attempts.total)
        return await self._recorded(lockout, who, now)

    async def keying_mistake(
        self, attempts: CallAttempts, per_call: int, who: Verifier, now: datetime
    ) -> Lockout | None:
        """Count one number refused by its own checks, for this call only.

        A mistyped ID number says nothing about who is calling, so it is not
        counted towards the daily limits; it still uses up one of the call's
        tries. Returns (and records) the lockout it causes.
        """
        attempts.keying += 1
        lockout = None
        if attempts.total >= per_call:
            lockout = Lockout(attempts.scope, attempts.total)
        return await self._recorded(lockout, who, now)

    async def _recorded(
        self, lockout: Lockout | None, who: Verifier, now: datetime
    ) -> Lockout | None:
        if lockout is not None and self._book is not None:
            await self._book.record(who, lockout, now)
        return lockout

    def _keys(self, who: Verifier, now: datetime) -> dict[str, str]:
        day = f"{now:%Y%m%d}"
        keys = {}
        if who.caller_hash:
            keys["caller"] = f"{KEY_PREFIX}:caller:{who.caller_hash}:{day}"
        if who.id_hash:
            keys["id_number"] = f"{KEY_PREFIX}:id:{who.id_hash}:{day}"
        return keys

    def _limits(self) -> dict[str, int]:
        return {
            "caller": self.limits.per_caller_day,
            "id_number": self.limits.per_id_day,
        }

    def _over(
        self, counts: Mapping[str, int], standing: bool = False
    ) -> Lockout | None:
        limits = self._limits()
        for scope, count in counts.items():
            if count >= limits[scope]:
                return Lockout(scope, count, standing)
        return None
