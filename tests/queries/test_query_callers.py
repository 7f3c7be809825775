"""Whose tries the daily per-caller limit counts: one counter per real
calling number, in one form whatever prefix the trunk adds, and none for
withheld caller IDs."""

from __future__ import annotations

from datetime import datetime

from query_rig import KEYED_A, PERSON_A, WRONG_PINS, ZONE, MakeRig, query_step
from redis.asyncio import Redis

from ivr.privacy import hash_number
from ivr.queries import AttemptLimits

CONTRIBUTIONS = ["7", "1"]
PENSION = ["7", "2"]


def _caller_key(number: str, hash_key: bytes) -> str:
    day = datetime.now(ZONE)
    return f"ivr:query-fail:caller:{hash_number(number, hash_key)}:{day:%Y%m%d}"


async def test_withheld_callers_share_no_daily_counter(
    make_rig: MakeRig, demo_url: str, redis: Redis, hash_key: bytes
) -> None:
    """Failures from withheld caller IDs lock out no other withheld caller:
    ``anonymous`` and an empty number get no per-caller counter at all."""
    rig = make_rig(demo_url, redis, limits=AttemptLimits(per_caller_day=2))

    for withheld in ("anonymous", "", None):
        await rig.call([*CONTRIBUTIONS, KEYED_A, WRONG_PINS[0]], caller=withheld)
    answered, _ = await rig.call(
        [*CONTRIBUTIONS, KEYED_A, PERSON_A.pin], caller="anonymous"
    )

    assert query_step(answered).result == "answered"
    assert await redis.get(_caller_key("anonymous", hash_key)) is None
    assert await redis.keys("ivr:query-fail:caller::*") == []


async def test_one_caller_counter_whatever_the_prefix(
    make_rig: MakeRig, demo_url: str, redis: Redis, hash_key: bytes
) -> None:
    """+86, 0086 and 86 before a mobile number are the same caller: their
    failures add up in one counter, named by the national number."""
    rig = make_rig(demo_url, redis, limits=AttemptLimits(per_caller_day=2))

    await rig.call([*CONTRIBUTIONS, KEYED_A, WRONG_PINS[0]], caller="+8613700000011")
    await rig.call([*CONTRIBUTIONS, KEYED_A, WRONG_PINS[1]], caller="8613700000011")
    locked, _ = await rig.call(CONTRIBUTIONS, caller="008613700000011")

    assert query_step(locked).result.startswith("locked out (caller)")
    assert await redis.get(_caller_key("13700000011", hash_key)) == b"2"


async def test_registered_phone_is_compared_in_national_form(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """The backend is sent the national number, so the registered phone is
    recognised however the trunk wrote it."""
    rig = make_rig(demo_url, redis)
    spellings = ("+8613800000000", "008613800000000", "8613800000000")

    results = [
        query_step((await rig.call([*PENSION, KEYED_A], caller=number))[0]).result
        for number in spellings
    ]

    assert results == ["answered"] * 3
