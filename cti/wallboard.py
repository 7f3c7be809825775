"""Wallboard figures: per queue, waiting callers, agents by state, today.

Computed from the live state and today's facts with the one definition in
:func:`cti.service_levels.summarise`, so the wallboard and the stored
statistics never disagree.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from cti.service_levels import CallFacts, OfferFacts, ServiceLevelPolicy, summarise
from cti.state import AgentStatus, LiveState

__all__ = ["wallboard"]


def wallboard(
    state: LiveState,
    calls: list[CallFacts],
    offers: list[OfferFacts],
    policy: ServiceLevelPolicy,
    now: float,
) -> dict[str, Any]:
    """The wallboard: one entry per queue plus today's totals."""
    names = sorted(set(state.queues) | {c.queue for c in calls})
    queues = {name: _queue(state, name, calls, offers, policy, now) for name in names}
    total = summarise(calls, offers, policy).to_json(policy)
    return {"queues": queues, "today": total, "ring_target": policy.ring_target}


def _queue(
    state: LiveState,
    name: str,
    calls: list[CallFacts],
    offers: list[OfferFacts],
    policy: ServiceLevelPolicy,
    now: float,
) -> dict[str, Any]:
    waiting = state.queues.get(name, [])
    seats = [s for s in state.seats.values() if name in s.paused]
    by_state = Counter(seat.status(now, name).value for seat in seats)
    figures = summarise(
        (c for c in calls if c.queue == name),
        (o for o in offers if o.queue == name),
        policy,
    )
    return {
        "waiting": len(waiting),
        "callers": [caller.to_json(now) for caller in waiting],
        "longest_wait": max((round(now - c.entered, 1) for c in waiting), default=0),
        "agents": {status.value: by_state.get(status.value, 0) for status in _SHOWN},
        "today": figures.to_json(policy),
    }


_SHOWN = [s for s in AgentStatus if s is not AgentStatus.LOGGED_OUT]
