"""Per-call tracking: queue wait, ring time, agent, abandon time.

:class:`CallTracker` follows each caller's visit to a queue from Join to
the end and turns it into :class:`~cti.service_levels.CallFacts` and one
:class:`~cti.service_levels.OfferFacts` per ring. Times come from the
events' own fields where Asterisk gives them (apps/app_queue.c:
AgentConnect ``HoldTime`` and ``RingTime`` in seconds, AgentRingNoAnswer
``RingTime`` in milliseconds, QueueCallerAbandon ``HoldTime``), else from
the injected clock at the events' arrival.

Asterisk's order for an answered call is Leave *then* AgentConnect:
apps/app_queue.c ``try_calling`` calls ``leave_queue(qe)`` as soon as a
member answers and only then publishes AgentConnect (the recorded
Asterisk 22 session ``ami-events.jsonl`` shows it). So a Leave while an
offer is still ringing keeps the visit pending; AgentConnect then makes it
answered, and AgentRingNoAnswer, AgentDump, the caller's Hangup,
QueueCallerAbandon or a further Leave end it as left (abandoned after an
Abandon, F39). A Leave with nothing ringing ends the visit at once.
Answered visits are counted at AgentConnect and get their talk time at
AgentComplete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cti.events import Event
from cti.service_levels import CallFacts, OfferFacts, Outcome
from ivr.privacy import hash_number, mask_number

__all__ = ["CallTracker", "Fact", "SettledCall", "TalkTime", "Visit"]


@dataclass(slots=True)
class Visit:
    """A caller's visit to one queue while it is open."""

    uniqueid: str
    queue: str
    channel: str
    entered: float
    hour: str
    caller_masked: str
    caller_hash: str
    variables: dict[str, str]
    priority: int = 0
    abandon: float | None = None
    left: float | None = None
    answered: bool = False
    offers: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        """Caller Uniqueid and queue: an overflow makes a second visit."""
        return self.uniqueid, self.queue


@dataclass(frozen=True, slots=True)
class TalkTime:
    """The talk time of an answered visit, known at AgentComplete."""

    uniqueid: str
    queue: str
    talk: float


@dataclass(frozen=True, slots=True)
class SettledCall:
    """A visit's facts, with the visit (masked caller, IVR variables)."""

    facts: CallFacts
    visit: Visit


Fact = SettledCall | OfferFacts | TalkTime


class CallTracker:
    """Open visits, and the facts each event closes."""

    def __init__(
        self,
        hour_of: Callable[[float], str],
        hash_key: bytes,
        agent_of: Callable[[str], str],
    ) -> None:
        self._hour_of = hour_of
        self._hash_key = hash_key
        self._agent_of = agent_of
        self.visits: dict[tuple[str, str], Visit] = {}

    def visit(self, uniqueid: str, queue: str) -> Visit | None:
        """The open visit of ``uniqueid`` in ``queue``."""
        return self.visits.get((uniqueid, queue))

    def apply(self, event: Event, now: float) -> list[Fact]:
        """Follow one event; return the facts it settled."""
        handler = _HANDLERS.get(event.name)
        return handler(self, event, now) if handler else []

    def forget_all(self) -> int:
        """Drop every open visit (after a resync); return how many."""
        count = len(self.visits)
        self.visits.clear()
        return count

    def _join(self, event: Event, now: float) -> list[Fact]:
        number = event.optional("CallerIDNum")
        priority = event.variables.get("QUEUE_PRIO", "0")
        visit = Visit(
            uniqueid=event.get("Uniqueid"),
            queue=event.get("Queue"),
            channel=event.get("Channel"),
            entered=now,
            hour=self._hour_of(now),
            caller_masked=mask_number(number),
            caller_hash=hash_number(number, self._hash_key),
            variables=dict(event.variables),
            priority=int(priority) if priority.isdigit() else 0,
        )
        self.visits[visit.key] = visit
        return []

    def _abandon(self, event: Event, now: float) -> list[Fact]:
        visit = self._find(event)
        if visit is None:
            return []
        visit.abandon = event.number("HoldTime", now - visit.entered)
        return self._close(visit, now) if visit.left is not None else []

    def _leave(self, event: Event, now: float) -> list[Fact]:
        visit = self._find(event)
        if visit is None or visit.answered:
            return []
        if visit.offers and visit.left is None and visit.abandon is None:
            visit.left = now
            return []
        return self._close(visit, now)

    def _dump(self, event: Event, now: float) -> list[Fact]:
        visit = self._find(event)
        if visit is None or visit.answered:
            return []
        return self._close(visit, now)

    def _hangup(self, event: Event, now: float) -> list[Fact]:
        uniqueid = event.get("Uniqueid")
        pending = [
            v
            for v in self.visits.values()
            if v.uniqueid == uniqueid and v.left is not None and not v.answered
        ]
        return [fact for visit in pending for fact in self._close(visit, now)]

    def _close(self, visit: Visit, now: float) -> list[Fact]:
        """End an unanswered visit: its open offers, then its call facts."""
        del self.visits[visit.key]
        outcome = Outcome.ABANDONED if visit.abandon is not None else Outcome.LEFT
        ended = visit.left if visit.left is not None else now
        wait = visit.abandon if visit.abandon is not None else ended - visit.entered
        facts: list[Fact] = [
            self._offer(visit, i, Outcome.CALLER_GONE, now) for i in list(visit.offers)
        ]
        call = CallFacts(
            visit.uniqueid,
            visit.queue,
            visit.hour,
            outcome,
            wait,
            abandon=visit.abandon,
        )
        return [*facts, SettledCall(call, visit)]

    def _called(self, event: Event, now: float) -> list[Fact]:
        visit = self._find(event)
        if visit is not None:
            visit.offers[event.get("Interface")] = now
        return []

    def _no_answer(self, event: Event, now: float) -> list[Fact]:
        visit = self._find(event)
        interface = event.get("Interface")
        if visit is None or interface not in visit.offers:
            return []
        ring = event.number("RingTime", -1.0) / 1000
        offer = self._offer(visit, interface, Outcome.NO_ANSWER, now, ring)
        if visit.left is None or visit.answered:
            return [offer]
        return [offer, *self._close(visit, now)]

    def _connect(self, event: Event, now: float) -> list[Fact]:
        visit = self._find(event)
        if visit is None:
            return []
        interface = event.get("Interface")
        started = visit.offers.get(interface, now)
        ring = event.number("RingTime", now - started)
        wait = event.number("HoldTime", now - visit.entered)
        offer = self._offer(visit, interface, Outcome.ANSWERED, now, ring)
        others = [
            self._offer(visit, i, Outcome.CALLER_GONE, now) for i in list(visit.offers)
        ]
        visit.answered = True
        call = CallFacts(
            visit.uniqueid,
            visit.queue,
            visit.hour,
            Outcome.ANSWERED,
            wait,
            agent=offer.agent,
            ring=ring,
        )
        return [offer, *others, SettledCall(call, visit)]

    def _complete(self, event: Event, now: float) -> list[Fact]:
        visit = self.visits.pop((event.get("Uniqueid"), event.get("Queue")), None)
        if visit is None:
            return []
        return [TalkTime(visit.uniqueid, visit.queue, event.number("TalkTime"))]

    def _offer(
        self,
        visit: Visit,
        interface: str,
        outcome: str,
        now: float,
        ring: float = -1.0,
    ) -> OfferFacts:
        started = visit.offers.pop(interface, now)
        seconds = ring if ring >= 0 else now - started
        agent = self._agent_of(interface)
        return OfferFacts(
            visit.uniqueid, visit.queue, self._hour_of(started), agent, outcome, seconds
        )

    def _find(self, event: Event) -> Visit | None:
        return self.visits.get((event.get("Uniqueid"), event.get("Queue")))


_HANDLERS: dict[str, Callable[[CallTracker, Event, float], list[Fact]]] = {
    "QueueCallerJoin": CallTracker._join,
    "QueueCallerAbandon": CallTracker._abandon,
    "QueueCallerLeave": CallTracker._leave,
    "AgentCalled": CallTracker._called,
    "AgentRingNoAnswer": CallTracker._no_answer,
    "AgentConnect": CallTracker._connect,
    "AgentDump": CallTracker._dump,
    "Hangup": CallTracker._hangup,
    "AgentComplete": CallTracker._complete,
}
