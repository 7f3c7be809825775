"""A PIN keyed with other than ``pin_digits`` digits is a keying mistake:
told, asked again, never sent to the backend, not counted in the daily
limits (the request says 六位, so a short PIN is a slip, not a guess)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from query_rig import (
    KEYED_A,
    PERSON_A,
    ZONE,
    MakeRig,
    base_url,
    heard,
    query_step,
    watch_demo,
)
from redis.asyncio import Redis

from ivr.privacy import hash_number
from ivr.queries import parse_keyed_id

CONTRIBUTIONS = ["7", "1"]


@pytest.fixture
async def watched_demo() -> AsyncIterator[tuple[str, list[str]]]:
    """The demo backend; the paths it was asked."""
    server, asked = await watch_demo()
    yield base_url(server), asked
    await server.close()


def _daily_keys(hash_key: bytes) -> list[str]:
    """Today's per-caller and per-ID counters of 测试用户甲."""
    day = datetime.now(ZONE)
    caller = hash_number(PERSON_A.phone, hash_key)
    number = parse_keyed_id(KEYED_A, day.date()).keyed_hash(hash_key)
    return [
        f"ivr:query-fail:caller:{caller}:{day:%Y%m%d}",
        f"ivr:query-fail:id:{number}:{day:%Y%m%d}",
    ]


async def test_a_short_pin_is_told_and_asked_again(
    make_rig: MakeRig, watched_demo: tuple[str, list[str]], redis: Redis
) -> None:
    """Two digits for the PIN: the caller hears why and keys the PIN again
    (not the ID number); only the whole PIN reaches the backend."""
    url, asked = watched_demo
    rig = make_rig(url, redis)

    trace, channel = await rig.call([*CONTRIBUTIONS, KEYED_A, "12", PERSON_A.pin])

    assert heard(channel)[:6] == [
        "query-intro",
        "query-ask-id-number",
        "query-ask-pin",
        "query-pin-length",
        "query-ask-pin",
        "query-wait",
    ]
    assert "query-si-months" in heard(channel)
    assert asked == ["/si/contributions"]
    assert query_step(trace).keys == "110*************8X ** ******"
    assert query_step(trace).result == "answered"


async def test_wrong_length_pins_lock_out_as_keying_mistakes_only(
    make_rig: MakeRig,
    watched_demo: tuple[str, list[str]],
    redis: Redis,
    hash_key: bytes,
) -> None:
    """Three PINs that are no six digits use up the call's tries as keying
    mistakes: the backend is never asked, the daily counters stay untouched."""
    url, asked = watched_demo
    rig = make_rig(url, redis)

    trace, channel = await rig.call([*CONTRIBUTIONS, KEYED_A, "12", "1234", "13579*"])

    assert heard(channel)[2:9] == [
        "query-ask-pin",
        "query-pin-length",
        "query-ask-pin",
        "query-pin-length",
        "query-ask-pin",
        "query-keying-locked",
        "query-help",
    ]
    assert asked == []
    assert query_step(trace).result == "locked out (keying)"
    assert [await redis.get(key) for key in _daily_keys(hash_key)] == [None, None]
