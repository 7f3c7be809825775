"""Live state of queues and agents, fed by AMI events, rebuilt on resync.

Pure state: no I/O. :meth:`LiveState.apply` takes a normalised event and
the injected clock's time; :meth:`LiveState.rebuild` replaces everything
from a QueueStatus and CoreShowChannels answer after a reconnect or an
Asterisk restart, so no agent is shown in a state Asterisk does not hold.

Rules from the field cases: the queue length comes from Join and Leave only
(F39, QueueCallerAbandon is followed by Leave); the pause state from
``Paused`` and the reason remembered from the pause, since an unpause
carries an empty ``PausedReason`` (F34), both per queue membership: an
``autopause=yes`` ring-out pauses the member in that queue only
(apps/app_queue.c ``rna``), so a seat is not ready where it is paused and
ready elsewhere; AgentCalled may arrive between
QueueMemberAdded and QueueMemberPause (F37). Member ``Status`` values are
app_queue.c's device states (include/asterisk/devicestate.h: 1 not in use,
2 in use, 3 busy, 5 unavailable, 6 ringing, 8 on hold).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from cti.events import Event

__all__ = ["NOT_READY_REASONS", "AgentStatus", "LiveState", "Seat", "WaitingCaller"]

AUTO_PAUSE = "Auto-Pause"

NOT_READY_REASONS = {"break": "小休", "training": "培训", "closed": "闭席"}
"""Reasons an agent may give for not ready (norm art. 20: closed seat)."""

_TALKING_STATUSES = frozenset({2, 3, 8})


class AgentStatus(enum.Enum):
    """What an agent's seat is doing, as the desktop and wallboard show it."""

    LOGGED_OUT = "logged_out"
    READY = "ready"
    NOT_READY = "not_ready"
    RINGING = "ringing"
    TALKING = "talking"
    WRAP_UP = "wrap_up"


@dataclass(slots=True)
class Seat:
    """An agent's phone (queue member interface) and its memberships."""

    interface: str
    agent: str
    paused: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    rang_out: str = ""
    ringing: str = ""
    call: str = ""
    channel: str = ""
    caller_channel: str = ""
    wrapup_until: float = 0.0

    def status(self, now: float, queue: str | None = None) -> AgentStatus:
        """The seat's status at ``now`` in ``queue``, or overall (wrap-up ends
        by the clock). Overall it is not ready only when paused in every
        queue: paused in some, it still takes the others' calls."""
        if not self.paused or (queue is not None and queue not in self.paused):
            return AgentStatus.LOGGED_OUT
        if self.call:
            return AgentStatus.TALKING
        if self.ringing:
            return AgentStatus.RINGING
        if now < self.wrapup_until:
            return AgentStatus.WRAP_UP
        paused = self.paused[queue] if queue else all(self.paused.values())
        return AgentStatus.NOT_READY if paused else AgentStatus.READY

    def to_json(self, now: float) -> dict[str, Any]:
        """The seat for the API (no personal data: no caller numbers)."""
        status = self.status(now)
        return {
            "agent": self.agent,
            "interface": self.interface,
            "status": status.value,
            "reason": self.reason if status is AgentStatus.NOT_READY else "",
            "queues": sorted(self.paused),
            "paused_in": dict(sorted(self.reasons.items())),
            "call": self.call,
            "wrapup_left": max(0.0, round(self.wrapup_until - now, 1)),
        }


@dataclass(slots=True)
class WaitingCaller:
    """A caller waiting in a queue (between Join and Leave)."""

    uniqueid: str
    channel: str
    queue: str
    entered: float
    position: int

    def to_json(self, now: float) -> dict[str, Any]:
        """Position and wait; the caller is identified by Uniqueid only."""
        wait = round(now - self.entered, 1)
        return {"uniqueid": self.uniqueid, "position": self.position, "wait": wait}


class LiveState:
    """Queues, waiting callers and seats, as Asterisk holds them now.

    ``directory`` maps member interfaces to agent numbers (工号); an unknown
    interface falls back to the member's name.
    """

    def __init__(self, wrapup: float, directory: dict[str, str] | None = None) -> None:
        self.wrapup = wrapup
        self.directory = directory if directory is not None else {}
        self.queues: dict[str, list[WaitingCaller]] = {}
        self.seats: dict[str, Seat] = {}
        self.channels: dict[str, str] = {}

    def seat_of(self, agent: str) -> Seat | None:
        """The seat of agent number ``agent``, when they are known."""
        return next((s for s in self.seats.values() if s.agent == agent), None)

    def apply(self, event: Event, now: float) -> Seat | None:
        """Apply one event; return the seat it changed, if any."""
        handler = _HANDLERS.get(event.name)
        return handler(self, event, now) if handler else None

    def rebuild(
        self, status: tuple[Event, ...], channels: tuple[Event, ...], now: float
    ) -> None:
        """Forget everything and take QueueStatus and CoreShowChannels items."""
        self.queues, self.seats, self.channels = {}, {}, {}
        for item in channels:
            self.channels[item.get("Channel")] = item.get("Uniqueid")
        for item in status:
            if item.name == "QueueParams":
                self.queues.setdefault(item.get("Queue"), [])
            elif item.name == "QueueMember":
                self._take_member(item)
            elif item.name == "QueueEntry":
                self._take_entry(item, now)

    def _take_member(self, item: Event) -> None:
        seat = self._member(item)
        status = int(item.number("Status"))
        if int(item.number("InCall")) or status in _TALKING_STATUSES:
            seat.call = seat.call or "unknown"
        elif status == 6:
            seat.ringing = "unknown"

    def _take_entry(self, item: Event, now: float) -> None:
        queue = self.queues.setdefault(item.get("Queue"), [])
        entered = now - item.number("Wait")
        position = int(item.number("Position", len(queue) + 1))
        uniqueid, channel = item.get("Uniqueid"), item.get("Channel")
        queue.append(
            WaitingCaller(uniqueid, channel, item.get("Queue"), entered, position)
        )

    def _member(self, event: Event) -> Seat:
        interface = event.get("Interface")
        seat = self.seats.get(interface)
        if seat is None:
            agent = self.directory.get(interface) or event.get("MemberName")
            seat = self.seats[interface] = Seat(interface, agent)
        queue, paused = event.get("Queue"), event.get("Paused") in {"1", "true"}
        seat.paused[queue] = paused
        if paused:
            reason = event.get("PausedReason") or seat.reasons.get(queue, seat.reason)
            seat.reasons[queue] = seat.reason = reason
        else:
            seat.reasons.pop(queue, None)
        return seat

    def _member_changed(self, event: Event, now: float) -> Seat:
        return self._member(event)

    def _member_removed(self, event: Event, now: float) -> Seat | None:
        seat = self.seats.get(event.get("Interface"))
        if seat is not None:
            seat.paused.pop(event.get("Queue"), None)
            seat.reasons.pop(event.get("Queue"), None)
        return seat

    def _caller_join(self, event: Event, now: float) -> None:
        queue = self.queues.setdefault(event.get("Queue"), [])
        position = int(event.number("Position", len(queue) + 1))
        for caller in queue:
            if caller.position >= position:
                caller.position += 1
        uniqueid, channel = event.get("Uniqueid"), event.get("Channel")
        queue.append(
            WaitingCaller(uniqueid, channel, event.get("Queue"), now, position)
        )
        queue.sort(key=lambda caller: caller.position)

    def _caller_leave(self, event: Event, now: float) -> None:
        queue = self.queues.setdefault(event.get("Queue"), [])
        gone = [c for c in queue if c.uniqueid == event.get("Uniqueid")]
        for caller in gone:
            queue.remove(caller)
            for other in queue:
                if other.position > caller.position:
                    other.position -= 1

    def _agent_called(self, event: Event, now: float) -> Seat | None:
        seat = self.seats.get(event.get("Interface"))
        if seat is not None:
            seat.ringing = event.get("Uniqueid")
            seat.channel = event.get("DestChannel")
        return seat

    def _ring_no_answer(self, event: Event, now: float) -> Seat | None:
        seat = self.seats.get(event.get("Interface"))
        if seat is not None:
            seat.rang_out = event.get("Uniqueid")
        if seat is not None and seat.ringing == event.get("Uniqueid"):
            seat.ringing, seat.channel = "", ""
        return seat

    def _agent_connect(self, event: Event, now: float) -> Seat | None:
        seat = self.seats.get(event.get("Interface"))
        if seat is not None:
            seat.ringing, seat.call = "", event.get("Uniqueid")
            seat.channel = event.get("DestChannel")
            seat.caller_channel = event.get("Channel")
        return seat

    def _agent_complete(self, event: Event, now: float) -> Seat | None:
        seat = self.seats.get(event.get("Interface"))
        if seat is not None:
            seat.call, seat.channel, seat.caller_channel = "", "", ""
            seat.wrapup_until = now + self.wrapup
        return seat

    def _new_channel(self, event: Event, now: float) -> None:
        self.channels[event.get("Channel")] = event.get("Uniqueid")

    def _hangup(self, event: Event, now: float) -> Seat | None:
        self.channels.pop(event.get("Channel"), None)
        for seat in self.seats.values():
            if event.get("Channel") in {seat.channel, seat.caller_channel} and (
                seat.ringing or seat.call
            ):
                ended_call = bool(seat.call)
                seat.ringing = seat.call = seat.channel = seat.caller_channel = ""
                if ended_call:
                    seat.wrapup_until = now + self.wrapup
                return seat
        return None


_HANDLERS: dict[str, Any] = {
    "QueueMemberAdded": LiveState._member_changed,
    "QueueMemberPause": LiveState._member_changed,
    "QueueMemberStatus": LiveState._member_changed,
    "QueueMemberRemoved": LiveState._member_removed,
    "QueueCallerJoin": LiveState._caller_join,
    "QueueCallerLeave": LiveState._caller_leave,
    "AgentCalled": LiveState._agent_called,
    "AgentRingNoAnswer": LiveState._ring_no_answer,
    "AgentConnect": LiveState._agent_connect,
    "AgentComplete": LiveState._agent_complete,
    "Newchannel": LiveState._new_channel,
    "Hangup": LiveState._hangup,
}
