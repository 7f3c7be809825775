"""Settle what calls left unfinished: spool, pending entries, stray recordings.

A message exists twice, as an entry (row or spool file) and as recording
files that Asterisk writes; a crash, a hang-up at the wrong moment or a
database outage can leave one without the other. :class:`TicketReconciler`
runs at start-up and every ``interval`` seconds and matches them both ways:

1. the spool is replayed into the database (idempotent);
2. a pending entry older than ``grace`` (its call is surely over) whose
   recordings are on disk is completed, flagged ``recovered``; one with no
   recording is discarded as ``lost``, with a warning and an ops alert;
3. a recording older than ``grace`` with no entry at all gets a ticket
   (number from the file name; ``complaint`` when its parts are a
   complaint's, else ``message``), flagged ``recovered``, in the area
   (queue) ``q-complaints`` or ``q-general`` so that agents can claim it;
4. day folders older than ``keep_days`` (the retention) are deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ivr.clock import Clock
from ivr.tickets.database_desk import DATABASE_FAULTS
from ivr.tickets.deadlines import DeadlinePolicy
from ivr.tickets.entries import Part, TicketEntry
from ivr.tickets.errors import TicketsError, TicketStateError
from ivr.tickets.models import Ticket
from ivr.tickets.pending_spool import PendingSpool
from ivr.tickets.recordings import FoundRecording, RecordingFolder, wav_seconds
from ivr.tickets.store import TicketStore

__all__ = ["ADOPTED_AREAS", "COMPLAINT_PARTS", "ReconcileResult", "TicketReconciler"]

log = logging.getLogger("ivr.tickets.reconciler")

SPOOL_RETRY_SECONDS = 15.0
"""The pause between passes while tickets wait in the spool."""

COMPLAINT_PARTS = frozenset({"name", "matter"})
"""The parts a complaint records; a stray file with them is a complaint."""

ACTOR = "reconciler"

ADOPTED_AREAS = {"complaint": "q-complaints", "message": "q-general"}
"""The area (a queue name, matched by agents' skills) of an adopted recording:
nothing else is known of its call."""

USABLE_TAKE_SECONDS = 1.0
"""A retake shorter than this is taken for one cut short (a slip, a hang-up):
the reconciler then completes the ticket with the take before it."""

Alert = Callable[[str, str], Awaitable[None]]
"""An ops alert: (kind, detail). The service passes the CTI alert writer."""


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What one pass did, by ticket number."""

    replayed: int = 0
    recovered: tuple[str, ...] = ()
    lost: tuple[str, ...] = ()
    adopted: tuple[str, ...] = ()


class TicketReconciler:
    """Matches entries and recordings; see the module docstring."""

    def __init__(
        self,
        store: TicketStore,
        spool: PendingSpool,
        folder: RecordingFolder,
        policy: DeadlinePolicy,
        clock: Clock,
        *,
        grace: timedelta,
        interval: float,
        scan_days: int = 7,
        keep_days: int | None = None,
        alert: Alert | None = None,
    ) -> None:
        self._store = store
        self._spool = spool
        self._folder = folder
        self._policy = policy
        self._clock = clock
        self._grace = grace
        self._interval = interval
        self._scan_days = scan_days
        self._keep_days = keep_days
        self._last_pass: datetime | None = None
        self._wake = asyncio.Event()
        self._last_outcome: str | None = None
        self._alert = alert

    async def run_once(self) -> ReconcileResult:
        """One pass; database faults propagate (the next pass retries)."""
        now = self._clock.now(self._policy.zone).astimezone(UTC)
        cutoff = now - self._grace
        clashes = len(self._spool.clashes())
        replayed = await self._spool.replay(self._store)
        if len(self._spool.clashes()) > clashes:
            await self._raise(
                "ticket_number_clash",
                "two calls were given one ticket number while the database was "
                "down; the later one waits in the spool as <number>.clash",
            )
        recovered, lost = await self._settle_pending(cutoff, now)
        adopted = await self._adopt_strays(cutoff, now)
        if self._keep_days is not None:
            today = now.astimezone(self._policy.zone).date()
            self._folder.purge(today - timedelta(days=self._keep_days))
        return ReconcileResult(replayed, tuple(recovered), tuple(lost), tuple(adopted))

    async def run(self) -> None:
        """Pass at once, then every ``interval`` seconds until cancelled."""
        while True:
            try:
                result = await self.run_once()
            except (*DATABASE_FAULTS, TicketsError) as error:
                log.warning("ticket reconciliation postponed: %s", error)
                self._passed(f"postponed: {type(error).__name__}")
            except Exception as error:
                # Whatever went wrong, the next pass must still run: the spool,
                # pending entries and retention depend on it.
                log.exception("ticket reconciliation pass failed")
                self._passed(f"failed: {type(error).__name__}")
                await self._raise(
                    "ticket_reconciler_failed",
                    "a ticket reconciliation pass failed; see the service log",
                )
            else:
                if result.recovered or result.lost or result.adopted:
                    log.info("ticket reconciliation: %s", result)
                self._passed("ok")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._pause())
            self._wake.clear()

    def _pause(self) -> float:
        """Seconds to the next pass: sooner while tickets wait in the spool,
        so they reach staff soon after the database is back even when no
        call writes one (which would wake the reconciler at once)."""
        if self._spool.numbers():
            return min(self._interval, SPOOL_RETRY_SECONDS)
        return self._interval

    def wake(self) -> None:
        """Run the next pass now (the database is back: replay the spool)."""
        self._wake.set()

    def health(self) -> dict[str, object]:
        """For ``/health``: the spool's backlog and how the last pass ended.

        ``spooled`` counts tickets waiting for the database; ``last_outcome``
        is ``ok``, ``postponed: <fault>`` (database unreachable) or
        ``failed: <error>``, and ``None`` before the first pass. Numbers
        only: no ticket number or caller appears here.
        """
        last = self._last_pass
        return {
            "spooled": len(self._spool.numbers()),
            "clashes": len(self._spool.clashes()),
            "last_pass": last.isoformat() if last else None,
            "last_outcome": self._last_outcome,
        }

    def _passed(self, outcome: str) -> None:
        self._last_pass = self._clock.now(self._policy.zone)
        self._last_outcome = outcome

    async def _settle_pending(
        self, cutoff: datetime, now: datetime
    ) -> tuple[list[str], list[str]]:
        recovered, lost = [], []
        for ticket in await self._store.pending_before(cutoff):
            try:
                if await self._settle(ticket, now):
                    recovered.append(ticket.number)
                else:
                    lost.append(ticket.number)
            except TicketStateError as error:
                # Its call completed or discarded it meanwhile: nothing to do.
                log.info("ticket %s settled meanwhile: %s", ticket.number, error)
        return recovered, lost

    async def _settle(self, ticket: Ticket, now: datetime) -> bool:
        """Complete ``ticket`` from its files (True) or discard it as lost."""
        files = self._folder.files(ticket.number, ticket.saved_at)
        entry = _entry_of(ticket)
        if files:
            parts = _parts(files)
            await self._store.complete(entry, parts, now, actor=ACTOR, recovered=True)
            log.warning("ticket %s completed from its recording", ticket.number)
            sent = {path for _, path, _ in parts}
            self._folder.prune(ticket.number, ticket.saved_at, sent)
            return True
        if await self._store.discard(entry, "lost: no recording", now, actor=ACTOR):
            await self._report_lost(ticket)
        return False

    async def _adopt_strays(self, cutoff: datetime, now: datetime) -> list[str]:
        since = cutoff.astimezone(self._policy.zone).date() - timedelta(
            days=self._scan_days
        )
        groups = self._folder.scan(since, cutoff)
        known = await self._store.known_numbers(groups)
        adopted = []
        for number in sorted(set(groups) - known):
            files = groups[number]
            await self._store.complete(
                self._stray_entry(number, files),
                _parts(files),
                now,
                actor=ACTOR,
                recovered=True,
            )
            log.warning("recording without entry adopted as ticket %s", number)
            adopted.append(number)
        return adopted

    def _stray_entry(self, number: str, files: list[FoundRecording]) -> TicketEntry:
        names = {item.part for item in files}
        kind = "complaint" if names and names <= COMPLAINT_PARTS else "message"
        saved_at = min(item.modified_at for item in files)
        deadline = self._policy.deadline(kind, saved_at)
        return TicketEntry(
            number=number,
            kind=kind,
            saved_at=saved_at,
            deadline_at=deadline.at,
            deadline_days=deadline.working_days,
            deadline_provisional=deadline.provisional,
            area=ADOPTED_AREAS[kind],
        )

    async def _raise(self, kind: str, detail: str) -> None:
        """Alert ops; a failing alert is logged, never raised into the pass."""
        if self._alert is None:
            return
        try:
            await self._alert(kind, detail)
        except Exception:
            log.exception("could not raise the %s alert", kind)

    async def _report_lost(self, ticket: Ticket) -> None:
        detail = f"ticket {ticket.number}: no recording after the grace period"
        log.warning("message lost: %s", detail)
        if self._alert is not None:
            await self._alert("ticket_lost", detail)


def _entry_of(ticket: Ticket) -> TicketEntry:
    return TicketEntry(
        number=ticket.number,
        kind=ticket.kind,
        saved_at=ticket.saved_at,
        deadline_at=ticket.deadline_at,
        deadline_days=ticket.deadline_days,
        deadline_provisional=ticket.deadline_provisional,
    )


def _parts(files: list[FoundRecording]) -> list[Part]:
    """One take per part: the latest take holding at least
    :data:`USABLE_TAKE_SECONDS` of audio (as the call would have sent it after
    a retake), else the longest. A take found in two formats counts once."""
    takes: dict[str, dict[int, Part]] = {}
    for item in sorted(files, key=lambda found: found.path.name):
        by_take = takes.setdefault(item.part, {})
        if item.take not in by_take:
            by_take[item.take] = (item.part, item.stem, wav_seconds(item.path))
    return [_chosen_take(by_take) for by_take in takes.values()]


def _chosen_take(by_take: dict[int, Part]) -> Part:
    usable = [take for take, part in by_take.items() if part[2] >= USABLE_TAKE_SECONDS]
    if usable:
        return by_take[max(usable)]
    return max(by_take.values(), key=lambda part: part[2])
