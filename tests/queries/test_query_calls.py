"""Each self-service query end to end: the shipped flow, the demo backend,
real Redis, and the prompts the caller hears, in order."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from privacy_evidence import LOG_LINES
from query_rig import (
    CERTIFICATE_A,
    KEYED_A,
    PERSON_A,
    PERSON_B,
    WRONG_PINS,
    ZONE,
    MakeRig,
    heard,
    query_step,
)
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from ivr.privacy import hash_number
from ivr.queries import AttemptLimits, check_character
from ivr.records.schema import call_steps, query_lockouts
from ivr.speech import text_count, text_date, text_money

CONTRIBUTIONS = ["7", "1"]
PENSION = ["7", "2"]
CARD = ["7", "3"]
CERTIFICATE = ["7", "4"]
THREE_WRONG_PINS: list[str | None] = [
    *CONTRIBUTIONS,
    *(entry for pin in WRONG_PINS for entry in (KEYED_A, pin)),
]
"""The contributions query, tried three times with a wrong PIN."""
UNKNOWN_ID = "110101198001010010"
"""Valid once its check character is fixed; no demo person has it."""
MONTHS_182 = ["num-1", "unit-bai", "num-8", "unit-shi", "num-2", "unit-geyue"]
OCTOBER_2026 = ["num-2", "num-0", "num-2", "num-6", "date-nian", "unit-shi", "date-yue"]
YUAN_6520 = ["num-6", "unit-qian", "num-5", "unit-bai", "num-2", "unit-shi"]
YUAN_3456_70 = [
    *("num-3", "unit-qian", "num-4", "unit-bai", "num-5", "unit-shi", "num-6"),
    *("money-yuan", "num-7", "money-jiao"),
]
NOV_15_2026 = [
    *("num-2", "num-0", "num-2", "num-6", "date-nian", "unit-shi", "num-1"),
    *("date-yue", "unit-shi", "num-5", "date-ri"),
]
JUNE_30_2024 = [
    *("num-2", "num-0", "num-2", "num-4", "date-nian", "num-6", "date-yue"),
    *("num-3", "unit-shi", "date-ri"),
]


async def test_contributions_with_x_keyed_as_star(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """An ID ending in X keyed as *, the right PIN: the record is read in Chinese."""
    rig = make_rig(demo_url, redis)

    trace, channel = await rig.call([*CONTRIBUTIONS, KEYED_A, PERSON_A.pin, None])

    assert heard(channel) == [
        "query-intro",
        "query-ask-id-number",
        "query-ask-pin",
        "query-wait",
        "query-si-months",
        *MONTHS_182,
        "query-si-last-month",
        *OCTOBER_2026,
        "query-si-base",
        *YUAN_6520,
        "money-yuan",
        "query-answer-end",
        "query-answer-repeat",
        "menu-self-service",
    ]
    assert text_count(182, "geyue") == "一百八十二个月"
    assert text_money("6520.00") == "六千五百二十元"
    assert query_step(trace).result == "answered"
    assert query_step(trace).keys == "110*************8X ******"


async def test_pension_needs_the_registered_phone(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """From the registered phone the pension is read; from another, the caller
    hears that only the registered phone can ask and is offered an agent at
    once (keying the ID number again cannot help)."""
    rig = make_rig(demo_url, redis)

    _, own = await rig.call([*PENSION, KEYED_A, None])
    trace, other = await rig.call([*PENSION, KEYED_A], caller=PERSON_B.phone)

    assert heard(own)[2:] == [
        "query-wait",
        "query-pension-amount",
        *YUAN_3456_70,
        "query-pension-date",
        *NOV_15_2026,
        "query-answer-end",
        "query-answer-repeat",
        "menu-self-service",
    ]
    assert text_date(date(2026, 11, 15)) == "二〇二六年十一月十五日"
    assert heard(other)[2:5] == ["query-wait", "query-phone-mismatch", "query-help"]
    assert query_step(trace).keys == "110*************8X"
    assert query_step(trace).result == "phone mismatch [1 mismatch]"


async def test_card_progress_reads_a_stage_from_the_fixed_list(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """A text field is played as the recorded prompt of its value."""
    rig = make_rig(demo_url, redis)

    _, channel = await rig.call(
        [*CARD, PERSON_B.id_number, None], caller=PERSON_B.phone
    )

    assert heard(channel)[2:] == [
        "query-wait",
        "query-card-producing",
        "query-answer-end",
        "query-answer-repeat",
        "menu-self-service",
    ]


async def test_certificate_check_against_its_holder(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """Certificate number and holder's ID: status, level and date are read."""
    rig = make_rig(demo_url, redis)

    trace, channel = await rig.call([*CERTIFICATE, CERTIFICATE_A, KEYED_A, None])

    assert heard(channel) == [
        "query-intro",
        "query-ask-certificate",
        "query-ask-id-number",
        "query-wait",
        "query-cert-valid",
        "query-cert-level",
        "query-cert-level-4",
        "query-cert-issued",
        *JUNE_30_2024,
        "query-answer-end",
        "query-answer-repeat",
        "menu-self-service",
    ]
    assert query_step(trace).keys == "202********01 110*************8X"


async def test_unknown_certificate_is_not_found(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """No such certificate: the caller hears so and returns to the menu."""
    rig = make_rig(demo_url, redis)

    trace, channel = await rig.call([*CERTIFICATE, "9999999999999", KEYED_A])

    assert heard(channel)[3:] == ["query-wait", "query-not-found", "menu-self-service"]
    assert query_step(trace).result == "not found [1 not found]"


async def test_nobody_on_record_sounds_like_a_mismatch(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """A valid ID number nobody has: the caller hears what a wrong PIN or
    phone hears, so no caller learns whether a number is on record; the
    call record keeps the backend's verdict apart."""
    rig = make_rig(demo_url, redis)
    nobody = UNKNOWN_ID[:17] + check_character(UNKNOWN_ID[:17])

    pin_trace, pin = await rig.call([*CONTRIBUTIONS, nobody, WRONG_PINS[0]])
    wrong_pin, wrong = await rig.call([*CONTRIBUTIONS, KEYED_A, WRONG_PINS[0]])
    phone_trace, phone = await rig.call([*PENSION, nobody])

    assert heard(pin)[2:5] == heard(wrong)[2:5]
    assert heard(pin)[2:5] == ["query-ask-pin", "query-wait", "query-mismatch"]
    assert heard(phone)[2:5] == ["query-wait", "query-phone-mismatch", "query-help"]
    assert query_step(pin_trace).result == "hangup [1 not found]"
    assert query_step(wrong_pin).result == "hangup [1 mismatch]"
    assert query_step(phone_trace).result == "phone mismatch [1 not found]"


async def test_bad_check_digit_is_refused_before_any_request(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """A wrong check character is told at once; the caller keys it again."""
    rig = make_rig(demo_url, redis)
    wrong = PERSON_A.id_number[:-1] + "1"

    _, channel = await rig.call([*CONTRIBUTIONS, wrong, KEYED_A, PERSON_A.pin])

    assert heard(channel)[:6] == [
        "query-intro",
        "query-ask-id-number",
        "query-id-check-digit",
        "query-ask-id-number",
        "query-ask-pin",
        "query-wait",
    ]
    assert "query-si-months" in heard(channel)


async def test_short_and_future_numbers_hear_their_reason(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """Too short, then a birth date in the future: each reason is said."""
    rig = make_rig(demo_url, redis)
    future = "11010120990101001"
    keys = [*CONTRIBUTIONS, "1101011970", future + check_character(future)]
    _, channel = await rig.call(keys)

    assert heard(channel)[:5] == [
        "query-intro",
        "query-ask-id-number",
        "query-id-length",
        "query-ask-id-number",
        "query-id-birth-date",
    ]


async def test_three_failures_lock_the_call_and_offer_an_agent(
    make_rig: MakeRig, demo_url: str, redis: Redis, db_engine: AsyncEngine
) -> None:
    """Three wrong PINs: the norm's mismatch line, then the agent offer."""
    rig = make_rig(demo_url, redis)
    keys = THREE_WRONG_PINS

    trace, channel = await rig.call(keys)

    assert heard(channel).count("query-mismatch") == 2
    assert heard(channel)[-2:] == ["query-locked", "query-help"]
    assert query_step(trace).result == "locked out (call) [3 mismatch]"
    async with db_engine.connect() as connection:
        rows = (await connection.execute(select(query_lockouts))).mappings().all()
    assert [(r["scope"], r["attempts"], r["id_masked"]) for r in rows] == [
        ("call", 3, "110*************8X")
    ]
    assert rows[0]["caller_masked"] == "138******00"


async def test_daily_limit_per_id_number_across_callers(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """Two failures on one ID from two phones lock it for the day, for everyone.

    The caller whose failure reached the limit hears the norm's mismatch
    line; the owner, who did nothing wrong, hears that today's tries are
    used up, with the ways on, as soon as the number is keyed."""
    rig = make_rig(demo_url, redis, limits=AttemptLimits(per_id_day=2))

    await rig.call([*CONTRIBUTIONS, KEYED_A, WRONG_PINS[0]], caller="13700000001")
    first, guesser = await rig.call(
        [*CONTRIBUTIONS, KEYED_A, WRONG_PINS[0]], caller="13700000002"
    )
    owner, channel = await rig.call([*CONTRIBUTIONS, KEYED_A])

    assert query_step(first).result == "locked out (id_number) [1 mismatch]"
    assert heard(guesser)[-2:] == ["query-locked", "query-help"]
    assert heard(channel)[:4] == [
        "query-intro",
        "query-ask-id-number",
        "query-tries-used",
        "query-help",
    ]
    assert query_step(owner).result == "locked out (id_number)"


async def test_daily_limit_per_caller_expires_at_local_midnight(
    make_rig: MakeRig, demo_url: str, redis: Redis, hash_key: bytes
) -> None:
    """A caller past the daily limit is told today's tries are used up before
    anything is asked or keyed; the key dies at 00:00."""

    rig = make_rig(demo_url, redis, limits=AttemptLimits(per_caller_day=2))
    caller = "13600000003"

    await rig.call([*CONTRIBUTIONS, KEYED_A, WRONG_PINS[0]], caller=caller)
    await rig.call([*CONTRIBUTIONS, KEYED_A, WRONG_PINS[1]], caller=caller)
    trace, channel = await rig.call(CONTRIBUTIONS, caller=caller)

    assert "query-intro" not in channel.played
    assert heard(channel, "query-tries-used")[:2] == ["query-tries-used", "query-help"]
    assert query_step(trace).result == "locked out (caller)"
    now = datetime.now(ZONE)
    key = f"ivr:query-fail:caller:{hash_number(caller, hash_key)}:{now:%Y%m%d}"
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    left = (midnight.replace(tzinfo=ZONE) - now).total_seconds()
    # The TTL was set whole seconds, rounded up, at the first call, and
    # Redis rounds what is left to the nearest second: up to 1.5 s over.
    assert 0 < await redis.ttl(key) <= left + 2


async def test_three_keying_mistakes_say_so_and_skip_the_daily_counts(
    make_rig: MakeRig,
    demo_url: str,
    redis: Redis,
    hash_key: bytes,
    db_engine: AsyncEngine,
) -> None:
    """Three ID numbers of the wrong length: the keying line, not the norm's
    mismatch line; the ways on are offered; Redis counts nothing."""
    rig = make_rig(demo_url, redis, limits=AttemptLimits(per_caller_day=1))
    caller = "13600000004"

    trace, channel = await rig.call([*CONTRIBUTIONS, "1", "12", "123"], caller=caller)
    answered, _ = await rig.call([*CONTRIBUTIONS, KEYED_A, PERSON_A.pin], caller=caller)

    assert heard(channel) == [
        "query-intro",
        *("query-ask-id-number", "query-id-length") * 2,
        "query-ask-id-number",
        "query-keying-locked",
        "query-help",
    ]
    assert query_step(trace).result == "locked out (keying)"
    day = datetime.now(ZONE)
    key = f"ivr:query-fail:caller:{hash_number(caller, hash_key)}:{day:%Y%m%d}"
    assert await redis.get(key) is None
    assert query_step(answered).result == "answered"
    async with db_engine.connect() as connection:
        rows = (await connection.execute(select(query_lockouts))).mappings().all()
    assert [(r["scope"], r["attempts"]) for r in rows] == [("keying", 3)]


async def test_a_keying_mistake_then_wrong_pins_is_the_mismatch_lockout(
    make_rig: MakeRig, demo_url: str, redis: Redis, hash_key: bytes
) -> None:
    """One short ID number and two wrong PINs: the call's three tries are up,
    with the norm's line; only the PINs reach the daily count."""
    rig = make_rig(demo_url, redis)
    caller = "13600000005"
    keys = [*CONTRIBUTIONS, "123", KEYED_A, WRONG_PINS[0], KEYED_A, WRONG_PINS[1]]

    trace, channel = await rig.call(keys, caller=caller)

    assert heard(channel)[-2:] == ["query-locked", "query-help"]
    assert query_step(trace).result == "locked out (call) [2 mismatch]"
    day = datetime.now(ZONE)
    key = f"ivr:query-fail:caller:{hash_number(caller, hash_key)}:{day:%Y%m%d}"
    assert await redis.get(key) == b"2"


async def test_redis_down_keeps_the_per_call_limit(
    make_rig: MakeRig, demo_url: str
) -> None:
    """Without Redis the call goes on, and three failures still lock it."""
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    rig = make_rig(demo_url, dead)
    keys = THREE_WRONG_PINS

    trace, _ = await rig.call(keys)
    answered, _ = await rig.call([*CONTRIBUTIONS, KEYED_A, PERSON_A.pin])
    await dead.aclose()

    assert query_step(trace).result == "locked out (call) [3 mismatch]"
    assert query_step(answered).result == "answered"
    assert any("Redis not answering" in line for line in LOG_LINES)


async def test_call_record_keeps_masked_keys_only(
    make_rig: MakeRig, demo_url: str, redis: Redis, db_engine: AsyncEngine
) -> None:
    """The stored step of a query holds the masked number and starred PIN."""
    rig = make_rig(demo_url, redis)

    await rig.call([*CONTRIBUTIONS, KEYED_A, PERSON_A.pin])

    async with db_engine.connect() as connection:
        found = await connection.execute(
            select(call_steps.c["keys"]).where(call_steps.c.kind == "query")
        )
        keys = found.scalars().all()
    assert keys == ["110*************8X ******"]


async def test_silence_re_asks_twice_then_offers_the_ways_on(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """No keys at the ID request: two re-asks, then the agent or message
    offer, not a goodbye; keying 0 there reaches the agents."""
    rig = make_rig(demo_url, redis)

    trace, channel = await rig.call([*CONTRIBUTIONS, None, None, None, "0"])

    assert heard(channel)[:7] == [
        "query-intro",
        "query-ask-id-number",
        "query-no-input",
        "query-ask-id-number",
        "query-no-input",
        "query-ask-id-number",
        "query-help",
    ]
    assert query_step(trace).result == "no input (id_number)"
    assert "agent-general" in [step.node_id for step in trace.steps]


async def test_hash_alone_asks_for_help_at_any_request(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """``#`` with nothing before it, at the ID number or the PIN (a forgotten
    PIN), goes straight to the agent or message offer; 2 leaves a message."""
    rig = make_rig(demo_url, redis)

    at_id, id_channel = await rig.call([*CONTRIBUTIONS, "#", "2"])
    at_pin, pin_channel = await rig.call([*CONTRIBUTIONS, KEYED_A, "#"])

    assert heard(id_channel)[:3] == [
        "query-intro",
        "query-ask-id-number",
        "query-help",
    ]
    assert query_step(at_id).result == "help asked (id_number)"
    assert "leave-message" in [step.node_id for step in at_id.steps]
    assert heard(pin_channel)[2:4] == ["query-ask-pin", "query-help"]
    assert query_step(at_pin).result == "help asked (pin)"


async def test_a_withheld_number_hears_why_before_keying_for_the_pension(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """The pension is read only to the registered phone: with the caller ID
    withheld nothing keyed could pass, so the caller hears why at once
    (not the other-number line) and goes to the agent offer, asked nothing."""
    rig = make_rig(demo_url, redis)

    trace, channel = await rig.call([*PENSION, None], caller="anonymous")

    assert "query-phone-withheld" in channel.played
    assert "query-phone-mismatch" not in channel.played
    assert "query-ask-id-number" not in channel.played
    assert query_step(trace).result == "caller ID withheld"
    assert query_step(trace).keys == ""


async def test_key_1_hears_the_answer_again_twice_at_most(
    make_rig: MakeRig, demo_url: str, redis: Redis
) -> None:
    """A caller who missed a figure keys 1 after the answer and hears it
    again, up to twice, without keying the ID number again; then the menu.
    A hang-up after the answer still counts as answered."""
    rig = make_rig(demo_url, redis)

    _, channel = await rig.call([*PENSION, KEYED_A, "1", "1", None])
    trace, _ = await rig.call([*PENSION, KEYED_A])

    played = heard(channel)
    assert played.count("query-pension-amount") == 3
    assert played.count("query-answer-repeat") == 2
    assert played.count("query-ask-id-number") == 1
    assert played[-1] == "menu-self-service"
    assert query_step(trace).result == "answered"
