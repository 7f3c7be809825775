"""Stored figures of one day, per queue, per agent and per hour.

Read from the database and counted by :func:`cti.service_levels.summarise`,
the same definition the live wallboard uses.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from cti.service_levels import CallFacts, OfferFacts, ServiceLevelPolicy, summarise
from cti.store import CallStore

__all__ = ["daily_figures"]


async def daily_figures(
    store: CallStore, day: date, policy: ServiceLevelPolicy
) -> dict[str, Any]:
    """The day's figures: total, and by queue, agent and hour."""
    key = day.isoformat()
    calls, offers = await store.facts(f"{key}T00", f"{key}T23")
    return {
        "date": key,
        "total": summarise(calls, offers, policy).to_json(policy),
        "by_queue": _grouped(calls, offers, policy, lambda f: f.queue),
        "by_agent": _grouped(calls, offers, policy, lambda f: f.agent),
        "by_hour": _grouped(calls, offers, policy, lambda f: f.hour),
    }


def _grouped(
    calls: list[CallFacts],
    offers: list[OfferFacts],
    policy: ServiceLevelPolicy,
    key: Callable[[CallFacts | OfferFacts], str],
) -> dict[str, Any]:
    facts: list[CallFacts | OfferFacts] = [*calls, *offers]
    groups = sorted({key(f) for f in facts if key(f)})
    return {
        name: summarise(
            [c for c in calls if key(c) == name],
            [o for o in offers if key(o) == name],
            policy,
        ).to_json(policy)
        for name in groups
    }
