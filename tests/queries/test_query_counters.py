"""The daily counters in real Redis: a try is counted before the backend is
asked, so calls at the same time cannot pass a limit together, and each
counter lives until the call clock's next midnight, even for a call placed
in the past (``ivr call --at``)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from query_rig import (
    KEYED_A,
    WRONG_PINS,
    ZONE,
    MakeRig,
    base_url,
    query_step,
    watch_demo,
)
from redis.asyncio import Redis

from ivr.queries import (
    AttemptLimiter,
    AttemptLimits,
    Lockout,
    Reservation,
    Verifier,
    parse_keyed_id,
)
from ivr.queries.counters import seconds_to_midnight

CONTRIBUTIONS = ["7", "1"]


@pytest.fixture
async def slow_demo() -> AsyncIterator[tuple[str, list[str]]]:
    """The demo backend answering after 0.3 s; the paths it was asked."""
    server, asked = await watch_demo(0.3)
    yield base_url(server), asked
    await server.close()


def _id_key(hash_key: bytes, day: datetime) -> str:
    """The per-ID counter of 测试用户甲's number on ``day``."""
    number = parse_keyed_id(KEYED_A, day.date())
    return f"ivr:query-fail:id:{number.keyed_hash(hash_key)}:{day:%Y%m%d}"


def _who() -> Verifier:
    """A verifier with a fresh ID hash (its counter is this test's own)."""
    return Verifier("1.1", "node", "", "", "110*************8X", secrets.token_hex(8))


async def test_parallel_calls_cannot_pass_the_daily_id_limit(
    make_rig: MakeRig, slow_demo: tuple[str, list[str]], redis: Redis, hash_key: bytes
) -> None:
    """Ten calls at once, each with a wrong PIN for one ID number and a
    limit of five: five tries reach the backend, the others are refused."""
    url, asked = slow_demo
    rig = make_rig(url, redis, limits=AttemptLimits(per_id_day=5))
    keys = [*CONTRIBUTIONS, KEYED_A, WRONG_PINS[0]]

    calls = await asyncio.gather(
        *(rig.call(keys, caller=f"137000002{n:02d}") for n in range(10))
    )

    results = [query_step(trace).result for trace, _ in calls]
    refused = ["query-tries-used" in channel.played for _, channel in calls]
    assert len(asked) == 5
    assert results.count("locked out (id_number)") == 5
    assert results.count("locked out (id_number) [1 mismatch]") == 1
    assert refused.count(True) == 5
    assert await redis.get(_id_key(hash_key, datetime.now(ZONE))) == b"5"


async def test_a_reserved_try_is_refused_past_the_limit_and_given_back(
    redis: Redis,
) -> None:
    """Reserve, refuse past the limit (counting nothing), give back: the
    counter follows, and is deleted when it is back at zero."""
    limiter = AttemptLimiter(AttemptLimits(per_id_day=2), redis)
    who, now = _who(), datetime.now(ZONE)
    key = f"ivr:query-fail:id:{who.id_hash}:{now:%Y%m%d}"

    first = await limiter.reserve(who, now)
    second = await limiter.reserve(who, now)
    refused = await limiter.reserve(who, now)
    at_limit = await redis.get(key)
    assert isinstance(first, Reservation) and isinstance(second, Reservation)
    await limiter.release(second)
    after_one = await redis.get(key)
    await limiter.release(first)

    assert (first.counts, second.counts) == ({"id_number": 1}, {"id_number": 2})
    assert refused == Lockout("id_number", 2, standing=True)
    assert (at_limit, after_one) == (b"2", b"1")
    assert await redis.exists(key) == 0


async def test_counters_of_a_call_in_the_past_live_until_its_midnight(
    make_rig: MakeRig, demo_url: str, redis: Redis, hash_key: bytes
) -> None:
    """A call at 10:00 on a past day (``ivr call --at``) keeps its counter
    for the 14 hours to that day's midnight, so the limits hold."""
    rig = make_rig(demo_url, redis, limits=AttemptLimits(per_id_day=1))
    past = datetime(2020, 1, 1, 10, 0, tzinfo=ZONE)

    await rig.call([*CONTRIBUTIONS, KEYED_A, WRONG_PINS[0]], at=past)
    locked, _ = await rig.call([*CONTRIBUTIONS, KEYED_A], at=past)

    ttl = await redis.ttl(_id_key(hash_key, past))
    assert query_step(locked).result == "locked out (id_number)"
    assert 14 * 3600 - 60 < ttl <= 14 * 3600


def test_seconds_to_midnight_counts_in_the_call_zone() -> None:
    """From 23:59:30 Shanghai time: 30 seconds; from 00:00: a whole day."""
    assert seconds_to_midnight(datetime(2026, 10, 8, 23, 59, 30, tzinfo=ZONE)) == 30
    assert seconds_to_midnight(datetime(2026, 10, 8, tzinfo=ZONE)) == 86400
