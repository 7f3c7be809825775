"""The two service levels, defined once, and the figures built on them.

Norm art. 21: an agent answers within three rings. Two measures follow,
and every figure in the CTI (live wallboard, stored statistics, reports) is
computed by :func:`summarise` from the same facts:

* **ring answer**, per offer: the agent answered within the ring target
  (China's ring cadence is 1 s tone, 4 s silence; three rings = 15 s);
* **queue service level**, per call: answered within T seconds of entering
  the queue (T = 15, 20, 60 by default).

Calls abandoned within ``short_abandon`` seconds (5 s) are counted apart
and left out of every rate: the caller changed their mind before any agent
could have answered. Answer and abandonment rates are over the other
calls; the average speed of answer over answered calls.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CallFacts",
    "Figures",
    "OfferFacts",
    "Outcome",
    "ServiceLevelPolicy",
    "summarise",
]


class Outcome:
    """How a queue visit or an offer ended (stored as text)."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    LEFT = "left"
    NO_ANSWER = "no_answer"
    CALLER_GONE = "caller_gone"


@dataclass(frozen=True, slots=True)
class ServiceLevelPolicy:
    """Targets: ring cadence and count, queue thresholds, short abandons."""

    ring_on: float = 1.0
    ring_off: float = 4.0
    rings: int = 3
    thresholds: tuple[int, ...] = (15, 20, 60)
    short_abandon: float = 5.0

    @property
    def ring_target(self) -> float:
        """Seconds an offer may ring and still count as answered in time."""
        return self.rings * (self.ring_on + self.ring_off)

    @classmethod
    def parse_thresholds(cls, text: str) -> tuple[int, ...]:
        """Read ``"15,20,60"`` into sorted whole seconds."""
        return tuple(sorted(int(part) for part in text.split(",") if part.strip()))


@dataclass(frozen=True, slots=True)
class CallFacts:
    """One caller's visit to one queue, as the events told it."""

    uniqueid: str
    queue: str
    hour: str
    outcome: str
    wait: float
    agent: str = ""
    ring: float | None = None
    talk: float | None = None
    abandon: float | None = None


@dataclass(frozen=True, slots=True)
class OfferFacts:
    """One ring of one agent for one caller."""

    uniqueid: str
    queue: str
    hour: str
    agent: str
    outcome: str
    ring: float


@dataclass(slots=True)
class Figures:
    """Counts and rates for one group of calls (a queue, an agent, an hour)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    left: int = 0
    answered_within: dict[int, int] | None = None
    offers: int = 0
    offers_in_target: int = 0
    total_answer_wait: float = 0.0

    def to_json(self, policy: ServiceLevelPolicy) -> dict[str, Any]:
        """The figures with their rates, for the API and the wallboard."""
        counted = self.offered - self.short_abandoned
        within = self.answered_within or {}
        return {
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
            "short_abandoned": self.short_abandoned,
            "left": self.left,
            "answer_rate": _rate(self.answered, counted),
            "abandon_rate": _rate(self.abandoned, counted),
            "service_levels": {
                str(t): _rate(within.get(t, 0), counted) for t in policy.thresholds
            },
            "ring_answer_rate": _rate(self.offers_in_target, self.offers),
            "offers": self.offers,
            "average_speed_of_answer": (
                round(self.total_answer_wait / self.answered, 1)
                if self.answered
                else None
            ),
        }


def summarise(
    calls: Iterable[CallFacts],
    offers: Iterable[OfferFacts],
    policy: ServiceLevelPolicy,
) -> Figures:
    """Count ``calls`` and ``offers`` under ``policy`` (the one definition)."""
    figures = Figures(answered_within=dict.fromkeys(policy.thresholds, 0))
    for call in calls:
        _count_call(figures, call, policy)
    for offer in offers:
        figures.offers += 1
        if offer.outcome == Outcome.ANSWERED and offer.ring <= policy.ring_target:
            figures.offers_in_target += 1
    return figures


def _count_call(figures: Figures, call: CallFacts, policy: ServiceLevelPolicy) -> None:
    figures.offered += 1
    if call.outcome == Outcome.ANSWERED:
        figures.answered += 1
        figures.total_answer_wait += call.wait
        assert figures.answered_within is not None
        for threshold in policy.thresholds:
            if call.wait <= threshold:
                figures.answered_within[threshold] += 1
    elif call.outcome == Outcome.ABANDONED:
        if (call.abandon or call.wait) < policy.short_abandon:
            figures.short_abandoned += 1
        else:
            figures.abandoned += 1
    else:
        figures.left += 1


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole > 0 else None
