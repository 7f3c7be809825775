"""The CTI service: AMI events in, live state, facts, desktops and wallboards.

:class:`CTIService` owns the AMI client, one consumer task that applies
each event to :class:`~cti.state.LiveState` and
:class:`~cti.calls.CallTracker`, stores the facts they settle and tells
desktops and wallboards; a resync after every (re)login rebuilds the state
from QueueStatus and CoreShowChannels. Agent and supervisor actions are in
:mod:`cti.seats`; this module is the event side.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from cti.ami import (
    Action,
    AMIClient,
    AMIConfig,
    AMIError,
    AuthenticationError,
    ConnectionState,
)
from cti.ami.message import Message
from cti.calls import CallTracker, Fact, SettledCall, TalkTime, Visit
from cti.events import Event, normalise
from cti.fax import FaxSender, StoreFaxQueue
from cti.hub import Hub
from cti.knowledge import KnowledgeSource
from cti.login_guard import LoginGuard
from cti.overdue import OverdueWatch
from cti.recordings import RecordingIndex
from cti.service_levels import CallFacts, OfferFacts, ServiceLevelPolicy
from cti.staff import StaffDirectory
from cti.state import AUTO_PAUSE, LiveState
from cti.store import CallStore
from cti.ticket_actions import RecordingSweep, TicketActions
from cti.ticket_options import TicketOptions
from cti.voicemail import MailboxMonitor
from cti.voicemail_notices import MailboxNotices
from cti.wallboard import wallboard
from ivr.tasks import repeat_every
from ivr.tickets.store import TicketStore

__all__ = ["CTIOptions", "CTIService"]

logger = logging.getLogger("cti.service")

Sleep = Callable[[float], Awaitable[None]]
SHANGHAI = ZoneInfo("Asia/Shanghai")


class CTIOptions:
    """What the CTI needs from the configuration, in its own terms."""

    def __init__(
        self,
        ami: AMIConfig,
        policy: ServiceLevelPolicy,
        *,
        wrapup: float = 30.0,
        transfer_context: str = "cti-transfer",
        recordings_dir: str = "recordings",
        retention_days: int = 180,
        retention_interval: float = 3600.0,
        session_hours: float = 12.0,
        hash_key: bytes = b"",
        tz: ZoneInfo = SHANGHAI,
        mailboxes: tuple[str, ...] = (),
        mailbox_retry: tuple[float, float] = (5.0, 300.0),
        tickets: TicketOptions | None = None,
    ) -> None:
        self.ami = ami
        self.policy = policy
        self.wrapup = wrapup
        self.transfer_context = transfer_context
        self.recordings_dir = recordings_dir
        self.retention_days = retention_days
        self.retention_interval = retention_interval
        self.session_hours = session_hours
        self.hash_key = hash_key
        self.tz = tz
        self.mailboxes = mailboxes
        """Voicemail boxes to follow besides those VoicemailUsersList names."""
        self.mailbox_retry = mailbox_retry
        """First and longest delay between queries of a failing mailbox."""
        self.tickets = tickets or TicketOptions()


class CTIService:
    """Live CTI state over one AMI link; start, use, stop.

    With a ticket store it also runs the overdue watch, the fax sender
    (where a fax channel is configured) and the ticket recording retention.
    """

    def __init__(
        self,
        options: CTIOptions,
        engine: AsyncEngine,
        *,
        clock: Callable[[], float],
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] | None = None,
        tickets: TicketStore | None = None,
    ) -> None:
        self.options = options
        self.clock = clock
        self.hub = Hub()
        self.state = LiveState(options.wrapup)
        self.tracker = CallTracker(self.hour_of, options.hash_key, self.agent_of)
        self.staff = StaffDirectory(engine, options.session_hours)
        self.login_guard = LoginGuard(clock)
        self.calls = CallStore(engine)
        self.recordings = RecordingIndex(
            engine, Path(options.recordings_dir), options.retention_days
        )
        self.today: tuple[str, list[CallFacts], list[OfferFacts]] = ("", [], [])
        self._sleep = sleep
        extra = {"random": random} if random is not None else {}
        self.client = AMIClient(
            options.ami,
            on_resync=self.resync,
            on_alert=self._ami_alert,
            sleep=self._between_sessions,
            **extra,
        )
        base, cap = options.mailbox_retry
        notices = MailboxNotices(self.hub, self.calls, self.state, self.now)
        self.mailboxes = MailboxMonitor(
            self.client,
            alert=notices.alert,
            changed=notices.changed,
            clock=clock,
            retry_base=base,
            retry_cap=cap,
            jitter=random,
        )
        self.mailboxes.watch(*options.mailboxes)
        self._link_up = False
        self._down_since: float | None = None
        self._last_error: str | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.events_handled = 0
        self.knowledge: KnowledgeSource | None = None
        """The IVR's texts for the desktops; set by the service that runs calls."""
        self.tickets = tickets
        self.ticket_actions = TicketActions(self, tickets) if tickets else None
        settings = options.tickets
        self.ticket_sweep = (
            RecordingSweep(tickets, settings.retention_days, settings.recording_format)
            if tickets
            else None
        )

    def now(self) -> datetime:
        """The injected clock as an aware UTC time."""
        return datetime.fromtimestamp(self.clock(), UTC)

    def hour_of(self, moment: float) -> str:
        """The local hour key (``2026-12-04T09``) of an epoch time."""
        return datetime.fromtimestamp(moment, self.options.tz).strftime("%Y-%m-%dT%H")

    def agent_of(self, interface: str) -> str:
        """The agent number of a member interface (else the interface)."""
        seat = self.state.seats.get(interface)
        return self.state.directory.get(interface) or (seat.agent if seat else "")

    async def start(self) -> None:
        """Load the staff directory, then connect and consume events."""
        await self.load_directory()
        subscription = self.client.subscribe(maxsize=5000)
        self._own(self._consume(subscription), "cti-events")
        self._own(self._retention(), "cti-retention")
        if self.tickets is not None:
            self._start_ticket_tasks(self.tickets)
        self.client.start()

    def _start_ticket_tasks(self, store: TicketStore) -> None:
        settings = self.options.tickets
        watch = OverdueWatch(store, self.hub, settings.overdue, self.now, self._sleep)
        self._own(watch.run(), "cti-overdue")
        if settings.fax.configured:
            queue = StoreFaxQueue(store, settings.fax_documents)
            sender = FaxSender(self.client, queue, settings.fax, self.now, self._sleep)
            self._own(sender.run(), "cti-fax")

    async def stop(self) -> None:
        """Stop the AMI client and every task."""
        await self.client.stop()
        await self.mailboxes.stop()
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def load_directory(self) -> None:
        """Map member interfaces to agent numbers from the staff accounts."""
        members = await self.staff.all()
        self.state.directory.clear()
        self.state.directory.update(
            {m.interface: m.agent_number for m in members if m.interface}
        )

    def health(self) -> dict[str, Any]:
        """The AMI link for ``/health``: connected, stale, state, last error.

        ``stale`` is True from a disconnect until the next resync (the live
        state may be wrong meanwhile); ``down_since`` is an ISO UTC time.
        """
        since = self._down_since
        return {
            "connected": self.client.state is ConnectionState.READY,
            "state": self.client.state.value,
            "stale": not self._link_up,
            "last_error": self._last_error,
            "down_since": (
                datetime.fromtimestamp(since, UTC).isoformat() if since else None
            ),
        }

    async def _between_sessions(self, delay: float) -> None:
        """The client's sleep; the client calls it after every session ends
        (cti/ami/client.py ``_run``) and while it polls for FullyBooted."""
        if self._link_up and self.client.state is ConnectionState.DISCONNECTED:
            await self._link_lost()
        await self._sleep(delay)

    async def _link_lost(self) -> None:
        self._link_up = False
        self._down_since = self.clock()
        self._last_error = self._last_error or "the AMI session ended"
        logger.warning("AMI link lost; the live state is stale until resync")
        self.hub.to_supervisors(
            {"type": "alert", "kind": "ami_down", "detail": self._last_error}
        )
        self.hub.to_supervisors({"type": "wallboard", **self.wallboard()})
        await self._keep_alert("ami_down")

    async def _link_back(self) -> None:
        was_down, self._down_since = self._down_since, None
        self._link_up, self._last_error = True, None
        if was_down is None:
            return
        down = round(self.clock() - was_down, 1)
        logger.info("AMI link back after %.1f s", down)
        self.hub.to_supervisors({"type": "alert", "kind": "ami_up", "down": down})
        await self._keep_alert("ami_up")

    async def raise_alert(self, kind: str, detail: str) -> None:
        """Tell supervisors of a fault found outside the CTI (tickets lost,
        provisional deadlines) and keep it in ``GET /cti/alerts``."""
        self.hub.to_supervisors({"type": "alert", "kind": kind, "detail": detail})
        try:
            await self.calls.alert(kind, self.now(), detail=detail)
        except SQLAlchemyError:
            logger.exception("could not store the %s alert", kind)

    async def _keep_alert(self, kind: str) -> None:
        """Store a link alert; a database fault must not stop the AMI client."""
        try:
            await self.calls.alert(kind, self.now())
        except SQLAlchemyError:
            logger.exception("could not store the %s alert", kind)

    async def resync(self) -> None:
        """Rebuild the live state from Asterisk (after every login)."""
        status = await self.client.send_action(Action("QueueStatus"))
        channels = await self.client.send_action(Action("CoreShowChannels"))
        now = self.clock()
        self.state.rebuild(
            tuple(normalise(m) for m in status.items),
            tuple(normalise(m) for m in channels.items),
            now,
        )
        self._keep_live_visits()
        await self._link_back()
        await self.mailboxes.resync()
        logger.info(
            "resynced: %d queue(s), %d seat(s)",
            len(self.state.queues),
            len(self.state.seats),
        )
        self.hub.to_supervisors({"type": "wallboard", **self.wallboard()})
        for seat in self.state.seats.values():
            self.hub.to_agent(seat.agent, {"type": "state", **seat.to_json(now)})

    def _keep_live_visits(self) -> None:
        waiting = {(c.uniqueid, c.queue) for q in self.state.queues.values() for c in q}
        alive = set(self.state.channels)
        for key, visit in list(self.tracker.visits.items()):
            if key not in waiting and not (_engaged(visit) and visit.channel in alive):
                del self.tracker.visits[key]

    def wallboard(self) -> dict[str, Any]:
        """Per queue: waiting, longest wait, agents by state, today's figures."""
        _, calls, offers = self._today()
        board = wallboard(self.state, calls, offers, self.options.policy, self.clock())
        return {**board, "stale": not self._link_up}

    def _today(self) -> tuple[str, list[CallFacts], list[OfferFacts]]:
        day = self.hour_of(self.clock())[:10]
        if self.today[0] != day:
            self.today = (day, [], [])
        return self.today

    async def _consume(self, subscription: Any) -> None:
        async for message in subscription:
            try:
                await self.handle(message)
            except Exception:
                logger.exception("could not apply an AMI event")
            finally:
                self.events_handled += 1

    async def handle(self, message: Message) -> None:
        """Apply one AMI event: state, facts, desktops, wallboards."""
        event = normalise(message)
        now = self.clock()
        if event.name == "AgentCalled":
            self._screen_pop(event, now)
        seat = self.state.apply(event, now)
        for fact in self.tracker.apply(event, now):
            await self._settle(fact)
        if seat is not None:
            state = {"type": "state", **seat.to_json(now)}
            self.hub.to_agent(seat.agent, state)
            self.hub.to_supervisors({**state, "type": "seat"})
        if _is_autopause(event):
            await self._autopause(event)
        if event.name.startswith("QueueCaller"):
            self.hub.to_supervisors({"type": "wallboard", **self.wallboard()})
        if event.name == "MessageWaiting":
            await self.mailboxes.on_event(message)

    def _screen_pop(self, event: Event, now: float) -> None:
        visit = self.tracker.visit(event.get("Uniqueid"), event.get("Queue"))
        agent = self.agent_of(event.get("Interface")) or event.get("MemberName")
        variables = {**(visit.variables if visit else {}), **event.variables}
        self.hub.to_agent(
            agent,
            {
                "type": "offer",
                "uniqueid": event.get("Uniqueid"),
                "queue": event.get("Queue"),
                "caller": visit.caller_masked if visit else "",
                "path": variables.get("IVR_PATH", ""),
                "language": variables.get("IVR_LANG", ""),
                "session": variables.get("IVR_SESSION", ""),
                "wait": round(now - visit.entered, 1) if visit else None,
            },
        )

    async def _settle(self, fact: Fact) -> None:
        at = self.now()
        _, calls, offers = self._today()
        if isinstance(fact, SettledCall):
            calls.append(fact.facts)
            await self.calls.save_call(fact.facts, fact.visit, at)
        elif isinstance(fact, OfferFacts):
            offers.append(fact)
            await self.calls.save_offer(fact, at)
        elif isinstance(fact, TalkTime):
            await self.calls.save_talk(fact, at)

    async def _autopause(self, event: Event) -> None:
        """Alert: the member, the queue Asterisk paused it in, the call that
        rang out (AgentRingNoAnswer comes just before, app_queue.c ``rna``)."""
        interface, queue = event.get("Interface"), event.get("Queue")
        agent = self.agent_of(interface) or event.get("MemberName")
        seat = self.state.seats.get(interface)
        uniqueid = seat.rang_out if seat is not None else ""
        alert = {
            "type": "alert",
            "kind": "autopause",
            "agent": agent,
            "member": interface,
            "queue": queue,
            "uniqueid": uniqueid,
            "reason": AUTO_PAUSE,
        }
        logger.warning("agent %s auto-paused in %s", agent, queue)
        self.hub.to_supervisors(alert)
        await self.calls.alert(
            "autopause",
            self.now(),
            agent_number=agent,
            queue=queue,
            uniqueid=uniqueid,
            detail=interface,
        )

    def _ami_alert(self, error: AMIError) -> None:
        self._last_error = str(error)
        kind = "ami_login" if isinstance(error, AuthenticationError) else "ami"
        self.hub.to_supervisors({"type": "alert", "kind": kind, "detail": str(error)})

    async def _retention(self) -> None:
        await repeat_every(
            self.options.retention_interval,
            self._retention_round,
            what="the recordings retention round",
            logger=logger,
            sleep=self._sleep,
        )

    async def _retention_round(self) -> None:
        await self.recordings.scan()
        await self.recordings.enforce_retention(self.now())
        if self.ticket_sweep is not None:
            await self.ticket_sweep.run_once(self.now())

    def spawn(self, coro: Any, name: str) -> None:
        """Run ``coro`` as a task the service owns: cancelled by :meth:`stop`,
        forgotten when done, a crash logged (one-off jobs such as call-backs)."""
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("task %s failed", task.get_name(), exc_info=task.exception())

    def _own(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)


def _engaged(visit: Visit) -> bool:
    """Answered, or out of the queue with an offer still ringing."""
    return visit.answered or visit.left is not None


def _is_autopause(event: Event) -> bool:
    return (
        event.name == "QueueMemberPause"
        and event.get("Paused") in {"1", "true"}
        and event.get("PausedReason") == AUTO_PAUSE
    )
