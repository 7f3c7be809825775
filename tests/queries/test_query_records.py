"""What a query call's stored record keeps of the answer the caller heard:
the fixed prompts, and a placeholder where each value was read."""

from __future__ import annotations

from privacy_evidence import SPOKEN_ANSWERS, as_pieces
from query_rig import CERTIFICATE_A, KEYED_A, PERSON_A, MakeRig, heard
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from ivr.records.schema import call_steps

CONTRIBUTIONS = ["7", "1"]
PENSION = ["7", "2"]
CERTIFICATE = ["7", "4"]


def _values_in(prompts: list[str]) -> set[str]:
    """The demo's answer values spelt out, piece by piece, in ``prompts``."""
    pieces = as_pieces(" ".join(prompts))
    return {spoken for spoken in SPOKEN_ANSWERS if f" {spoken} " in pieces}


async def test_stored_query_steps_hold_placeholders_not_answer_values(
    make_rig: MakeRig, demo_url: str, redis: Redis, db_engine: AsyncEngine
) -> None:
    """The caller hears months paid, the contribution base, the pension and
    its date (twice: key 1 repeats it), the certificate's state and date;
    the stored query steps note the fixed prompts with ``<count>``,
    ``<money>``... in their place, on the repeat too."""
    rig = make_rig(demo_url, redis)

    _, contributions = await rig.call([*CONTRIBUTIONS, KEYED_A, PERSON_A.pin])
    _, pension = await rig.call([*PENSION, KEYED_A, "1"])
    _, certificate = await rig.call([*CERTIFICATE, CERTIFICATE_A, KEYED_A])
    async with db_engine.connect() as connection:
        found = await connection.execute(
            select(call_steps.c.prompts)
            .where(call_steps.c.kind == "query")
            .order_by(call_steps.c.call_id)
        )
        stored = found.scalars().all()

    played = [*heard(contributions), *heard(pension), *heard(certificate)]
    assert len(_values_in(played)) >= 6, "甲's six values (乙's may be inside)"
    assert "query-cert-level-4" in played
    assert [_values_in(prompts) for prompts in stored] == [set(), set(), set()]
    assert stored == [
        [
            *("query-intro", "query-ask-id-number", "query-ask-pin", "query-wait"),
            *("query-si-months", "<count>", "query-si-last-month", "<month>"),
            *("query-si-base", "<money>", "query-answer-end"),
            "query-answer-repeat",
        ],
        [
            *("query-intro", "query-ask-id-number", "query-wait"),
            *("query-pension-amount", "<money>", "query-pension-date", "<date>"),
            *("query-answer-end", "query-answer-repeat"),
            *("query-pension-amount", "<money>", "query-pension-date", "<date>"),
            "query-answer-repeat",
        ],
        [
            *("query-intro", "query-ask-certificate", "query-ask-id-number"),
            *("query-wait", "<text>", "query-cert-level", "<text>"),
            *("query-cert-issued", "<date>", "query-answer-end"),
            "query-answer-repeat",
        ],
    ]
