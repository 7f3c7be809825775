"""The CTI's rows: call facts, offers, classifications, surveys, alerts.

Facts are written as the events settle them (:mod:`cti.calls`) and read
back into the same :class:`~cti.service_levels.CallFacts` the live
wallboard counts, so stored and live figures share one definition
(:func:`cti.service_levels.summarise`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from cti.calls import TalkTime, Visit
from cti.errors import NotFoundError, SurveyError
from cti.service_levels import CallFacts, OfferFacts
from ivr.records.schema import cti_alerts, cti_calls, cti_offers

__all__ = ["CallStore"]


class CallStore:
    """Reads and writes the CTI call tables of the records database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def save_call(self, facts: CallFacts, visit: Visit, at: datetime) -> None:
        """Insert the facts of a settled visit, with its masked caller."""
        values = {
            "uniqueid": facts.uniqueid,
            "queue": facts.queue,
            "agent_number": facts.agent,
            "caller_masked": visit.caller_masked,
            "caller_hash": visit.caller_hash,
            "ivr_session": visit.variables.get("IVR_SESSION", "")[:64],
            "ivr_path": visit.variables.get("IVR_PATH", "")[:256],
            "language": visit.variables.get("IVR_LANG", "")[:16],
            "priority": visit.priority,
            "entered_at": at,
            "hour": facts.hour,
            "outcome": facts.outcome,
            "wait_seconds": facts.wait,
            "ring_seconds": facts.ring,
            "abandon_seconds": facts.abandon,
        }
        async with self.engine.begin() as connection:
            await connection.execute(insert(cti_calls).values(**values))

    async def save_offer(self, offer: OfferFacts, at: datetime) -> None:
        """Insert one ring of one agent."""
        values = {
            "uniqueid": offer.uniqueid,
            "queue": offer.queue,
            "agent_number": offer.agent,
            "offered_at": at,
            "hour": offer.hour,
            "outcome": offer.outcome,
            "ring_seconds": offer.ring,
        }
        async with self.engine.begin() as connection:
            await connection.execute(insert(cti_offers).values(**values))

    async def save_talk(self, talk: TalkTime, at: datetime) -> None:
        """Add the talk time and end of an answered call."""
        await self._update(
            talk.uniqueid, {"talk_seconds": talk.talk, "ended_at": at}, talk.queue
        )

    async def classify(
        self, uniqueid: str, agent: str, area: str, topic: str, note: str
    ) -> None:
        """Store the agent's classification and note with their call."""
        values = {
            "business_area": area,
            "topic": topic,
            "note": note,
            "classified_by": agent,
        }
        await self._update(uniqueid, values, agent=agent)

    async def record_survey(self, uniqueid: str, score: int, at: datetime) -> str:
        """Store the caller's satisfaction score; return the agent it rates.

        ``score`` must be an int 1-5 and not a bool (``True`` is an int).
        """
        if type(score) is not int or not 1 <= score <= 5:
            raise SurveyError(f"a survey score is a whole number 1-5, not {score!r}")
        await self._update(uniqueid, {"survey_score": score, "survey_at": at})
        call = await self.call(uniqueid)
        return str(call["agent_number"])

    async def flag_urgent(self, uniqueid: str, by: str) -> None:
        """Mark a call as an urgent case brought to ``by``."""
        await self._update(uniqueid, {"urgent": True, "urgent_by": by})

    async def call(self, uniqueid: str) -> dict[str, Any]:
        """The newest answered (else any) row of a caller's visit."""
        query = (
            select(cti_calls)
            .where(cti_calls.c.uniqueid == uniqueid)
            .order_by(cti_calls.c.outcome != "answered", cti_calls.c.id.desc())
        )
        async with self.engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            raise NotFoundError(f"no call {uniqueid}")
        return dict(row._mapping)

    async def facts(
        self, first_hour: str, last_hour: str
    ) -> tuple[list[CallFacts], list[OfferFacts]]:
        """Stored calls and offers of the hours ``first_hour..last_hour``."""
        calls_query = select(cti_calls).where(
            cti_calls.c.hour >= first_hour, cti_calls.c.hour <= last_hour
        )
        offers_query = select(cti_offers).where(
            cti_offers.c.hour >= first_hour, cti_offers.c.hour <= last_hour
        )
        async with self.engine.connect() as connection:
            calls = (await connection.execute(calls_query)).all()
            offers = (await connection.execute(offers_query)).all()
        return [_call_facts(row) for row in calls], [_offer_facts(o) for o in offers]

    async def alert(self, kind: str, at: datetime, **details: str) -> None:
        """Keep a supervisor alert (autopause, urgent case, AMI refused)."""
        values = {"kind": kind, "raised_at": at, **details}
        async with self.engine.begin() as connection:
            await connection.execute(insert(cti_alerts).values(**values))

    async def alerts(self) -> list[dict[str, Any]]:
        """Every alert, newest first."""
        query = select(cti_alerts).order_by(cti_alerts.c.id.desc())
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [dict(row._mapping) for row in rows]

    async def _update(
        self,
        uniqueid: str,
        values: dict[str, Any],
        queue: str | None = None,
        agent: str | None = None,
    ) -> None:
        statement = update(cti_calls).where(cti_calls.c.uniqueid == uniqueid)
        if queue is not None:
            statement = statement.where(cti_calls.c.queue == queue)
        if agent is not None:
            statement = statement.where(cti_calls.c.agent_number == agent)
        async with self.engine.begin() as connection:
            result = await connection.execute(statement.values(**values))
        if result.rowcount == 0:
            raise NotFoundError(f"no call {uniqueid} to update")


def _call_facts(row: Any) -> CallFacts:
    return CallFacts(
        row.uniqueid,
        row.queue,
        row.hour,
        row.outcome,
        row.wait_seconds,
        agent=row.agent_number,
        ring=row.ring_seconds,
        talk=row.talk_seconds,
        abandon=row.abandon_seconds,
    )


def _offer_facts(row: Any) -> OfferFacts:
    return OfferFacts(
        row.uniqueid,
        row.queue,
        row.hour,
        row.agent_number,
        row.outcome,
        row.ring_seconds,
    )
