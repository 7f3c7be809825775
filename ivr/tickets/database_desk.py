"""The ticket desk of the service: numbers, deadlines, the database, the spool.

:class:`DatabaseTicketDesk` implements :class:`ivr.tickets.desk.TicketDesk`.
The ticket number comes from :class:`~ivr.tickets.numbers.TicketNumberer`
(no database), the deadline from :class:`~ivr.tickets.deadlines.DeadlinePolicy`
and the recording paths from :class:`~ivr.tickets.recordings.RecordingFolder`.
Each write goes to :class:`~ivr.tickets.store.TicketStore` within
``database_timeout`` seconds, else to :class:`~ivr.tickets.pending_spool.PendingSpool`,
and :meth:`begin` returns only once one of them holds the pending entry:
a message is never recorded without a trace of it.

Caller numbers appear in logs only masked (:func:`ivr.privacy.mask_number`).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime, time, timedelta
from functools import partial

from sqlalchemy.exc import SQLAlchemyError

from ivr.clock import Clock
from ivr.fax_numbers import fax_number_refusal
from ivr.privacy import hash_number, mask_number, national_number
from ivr.tickets.deadlines import Deadline, DeadlinePolicy
from ivr.tickets.desk import (
    CallContext,
    FaxDocument,
    FaxReceipt,
    PendingTicket,
    RecordedPart,
    TicketStatus,
)
from ivr.tickets.entries import Part, TicketEntry
from ivr.tickets.errors import TicketConfigError, TicketStorageError
from ivr.tickets.numbers import TicketNumberer
from ivr.tickets.pending_spool import PendingSpool, SpooledStep
from ivr.tickets.recordings import RecordingFolder
from ivr.tickets.store import TicketStore

__all__ = ["DATABASE_FAULTS", "DatabaseTicketDesk"]

log = logging.getLogger("ivr.tickets.database_desk")

NUMBER_TRIES = 3
"""Fresh numbers a new ticket tries before the request fails."""

WITHHELD = "withheld"
"""The masked caller of a ticket left with a withheld caller ID."""

DATABASE_FAULTS = (SQLAlchemyError, OSError, TimeoutError)
"""What a database that is down or slow raises; these send writes to the spool."""


class _NumberTaken(TicketStorageError):
    """A fresh ticket number that another ticket already has."""


class DatabaseTicketDesk:
    """The desk over the database with a disk spool; see the module docstring.

    ``fax_sending`` says whether fax requests are sent automatically (a
    dialplan context is configured) or wait for staff; ``fax_area_codes``
    and ``fax_per_caller_day`` limit where and how often (toll fraud).
    """

    def __init__(
        self,
        store: TicketStore,
        spool: PendingSpool,
        numberer: TicketNumberer,
        policy: DeadlinePolicy,
        folder: RecordingFolder,
        clock: Clock,
        *,
        hash_key: bytes,
        fax_documents: Sequence[FaxDocument] = (),
        fax_sending: bool = False,
        fax_area_codes: Collection[str] = (),
        fax_per_caller_day: int = 3,
        database_timeout: float = 2.0,
        alert: Callable[[str, str], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.spool = spool
        self.folder = folder
        self._numberer = numberer
        self._policy = policy
        self._clock = clock
        self._hash_key = hash_key
        self._fax_documents = tuple(fax_documents)
        self._fax_sending = fax_sending
        self._fax_area_codes = tuple(fax_area_codes)
        self._fax_per_day = fax_per_caller_day
        self._timeout = database_timeout
        self._open: dict[str, TicketEntry] = {}
        self._alert = alert
        self.on_database_back: Callable[[], None] | None = None
        """Called once the database takes a write again after this desk
        spooled one (the reconciler's wake-up, so the spool is replayed now
        rather than at its next pass)."""
        self._spooled = False
        self._provisional_years: set[int] = set()

    @property
    def number_length(self) -> int:
        """How many digits a ticket number has."""
        return self._numberer.length

    def is_valid_number(self, number: str) -> bool:
        """True when ``number`` has our length, prefix and check digit."""
        return self._numberer.is_valid(number)

    def fax_documents(self) -> Sequence[FaxDocument]:
        """The configured fax documents, in menu order."""
        return self._fax_documents

    def accepts_fax_number(self, number: str) -> bool:
        """True for a mainland fixed line of the configured area codes."""
        return not fax_number_refusal(number, self._fax_area_codes)

    async def fax_allowed(self, call: CallContext) -> bool:
        """False once the calling number has its faxes of the day.

        The count is the database's; while it is down the request is let
        through (it goes to the spool, and the fax waits for the database).
        """
        today = self._clock.now(self._policy.zone).date()
        since = datetime.combine(today, time(), self._policy.zone)
        caller_hash = self._key(call.caller)
        try:
            async with asyncio.timeout(self._timeout):
                count = await self.store.faxes_since(caller_hash, since)
        except DATABASE_FAULTS as error:
            log.warning(
                "fax limit of call %s not checked: database unavailable (%s)",
                call.uniqueid,
                type(error).__name__,
            )
            return True
        return count < self._fax_per_day

    async def begin(
        self, kind: str, call: CallContext, parts: Sequence[str]
    ) -> PendingTicket:
        """Number a ticket and store its pending entry before any recording."""
        if kind not in self._policy.kinds or kind == "fax":
            raise TicketConfigError(f"no recorded ticket of kind {kind!r}")
        now = self._now()
        deadline = self._policy.deadline(kind, now)
        await self._note_provisional(deadline)
        self.folder.prepare(now)
        entry = await self._store_new(
            "pending",
            lambda number: self._entry(number, kind, now, deadline, call),
            self.store.insert_pending,
            now,
        )
        self._remember(entry)
        log.info(
            "ticket %s begun: %s from %s in %s (call %s)",
            entry.number,
            kind,
            mask_number(call.caller),
            call.area,
            call.uniqueid,
        )
        recording = {part: self.folder.path(entry.number, part, now) for part in parts}
        return PendingTicket(
            entry.number, kind, now, deadline, recording, self.folder.format
        )

    async def complete(
        self, pending: PendingTicket, parts: Sequence[RecordedPart]
    ) -> None:
        """Make the ticket new with the parts the caller sent."""
        entry = self._open.pop(pending.number, None) or _bare_entry(pending)
        stored: list[Part] = [(p.part, p.path, p.seconds) for p in parts]
        now = self._now()
        await self._write(
            SpooledStep("complete", entry, now, tuple(stored)),
            lambda: self.store.complete(entry, stored, now),
        )
        log.info("ticket %s saved with %d part(s)", pending.number, len(stored))
        await self._prune(pending, {part.path for part in parts})

    async def _prune(self, pending: PendingTicket, sent: set[str]) -> None:
        """Delete the takes not sent, now that the sent ones are stored."""
        try:
            removed = await asyncio.to_thread(
                self.folder.prune, pending.number, pending.saved_at, sent
            )
        except OSError as error:
            # Retention deletes them later; the ticket itself is safe.
            log.warning(
                "ticket %s: takes not sent were not deleted (%s)",
                pending.number,
                type(error).__name__,
            )
            return
        if removed:
            log.info("ticket %s: %d take(s) not sent deleted", pending.number, removed)

    async def discard(self, pending: PendingTicket, reason: str) -> None:
        """Drop the pending ticket and delete whatever was recorded for it."""
        entry = self._open.pop(pending.number, None) or _bare_entry(pending)
        now = self._now()
        await self._write(
            SpooledStep("discard", entry, now, reason=reason),
            lambda: self.store.discard(entry, reason, now),
        )
        removed = self.folder.remove(pending.number, pending.saved_at)
        log.info(
            "ticket %s discarded (%s), %d file(s)", pending.number, reason, removed
        )

    async def status(
        self, number: str, *, caller: str | None = None
    ) -> TicketStatus | None:
        """The caller-visible state of ``number``; ``None`` when unknown.

        Only ``caller``'s own tickets are known: ``caller`` must be a real
        number (:func:`~ivr.privacy.national_number`: a withheld caller
        ID is nobody's) and the ticket's caller (their keyed hashes match;
        the number itself is not compared).

        A ticket still in the spool (the database down, or back but not
        yet replayed) is answered as ``new``; while the database is down
        any other number raises :class:`TicketStorageError`, since "no such
        ticket" would be untrue.
        """
        if not self.is_valid_number(number):
            return None
        caller_hash = self._key(caller)
        try:
            async with asyncio.timeout(self._timeout):
                stored = await self.store.status(number, caller_hash=caller_hash)
        except DATABASE_FAULTS as error:
            spooled = await asyncio.to_thread(self.spool.read, number)
            if spooled is None or spooled.step in ("pending", "discard"):
                raise TicketStorageError(
                    "the ticket database is unreachable"
                ) from error
            return _spooled_status(spooled, caller_hash)
        self._database_answered()
        if stored is not None:
            return stored
        spooled = await asyncio.to_thread(self.spool.read, number)
        if spooled is None or spooled.step in ("pending", "discard"):
            return None
        return _spooled_status(spooled, caller_hash)

    async def request_fax(
        self, call: CallContext, document: str, fax_number: str
    ) -> FaxReceipt:
        """Store a fax request as a new ``fax`` ticket (queued or held)."""
        chosen = self._document(document)
        now = self._now()
        deadline = self._policy.deadline("fax", now)
        await self._note_provisional(deadline)
        fax = (chosen.id, fax_number, "queued" if self._fax_sending else "held")
        entry = await self._store_new(
            "request",
            lambda number: self._entry(number, "fax", now, deadline, call, fax=fax),
            self.store.request,
            now,
        )
        log.info(
            "fax ticket %s: %s to %s (%s)",
            entry.number,
            chosen.id,
            mask_number(fax_number),
            entry.fax_state,
        )
        return FaxReceipt(entry.number, chosen.id, self._fax_sending, deadline)

    async def _note_provisional(self, deadline: Deadline) -> None:
        """Alert ops, once a year per process, that deadlines are provisional.

        The caller hears the date all the same (weekdays only where the
        official calendar for that year is not out yet); ops must add the
        calendar data (a chinesecalendar upgrade) and check the promises.
        """
        year = deadline.day.year
        if not deadline.provisional or year in self._provisional_years:
            return
        self._provisional_years.add(year)
        detail = (
            f"no official holiday calendar for {year}: reply deadlines there "
            "count Monday to Friday (provisional); update chinesecalendar"
        )
        log.warning("%s", detail)
        if self._alert is not None:
            await self._alert("ticket_deadline_provisional", detail)

    async def _store_new(
        self,
        step: str,
        entry_for: Callable[[str], TicketEntry],
        insert: Callable[[TicketEntry, datetime], Awaitable[bool]],
        now: datetime,
    ) -> TicketEntry:
        """Store a fresh ticket under a number no other ticket has.

        A number found already stored means the sequence file was lost or
        restored from an old copy: the sequence moves past the day's
        highest stored number and the ticket takes the next one, so the
        caller never notices. Only numbers taken again and again (two
        hosts sharing ``tickets.node``) fail the request.
        """
        for _ in range(NUMBER_TRIES):
            entry = entry_for(self._numberer.next())
            if await asyncio.to_thread(self._used_locally, entry.number, now):
                # Recorded or spooled already: the database may be down and
                # unable to say so, and a new take or spool step would
                # overwrite another caller's.
                await self._skip_stored(entry.number, now)
                continue
            try:
                await self._write(
                    SpooledStep(step, entry, now), partial(insert, entry, now)
                )
            except _NumberTaken:
                await self._skip_stored(entry.number, now)
                continue
            return entry
        log.error("ticket numbers keep being taken already: check tickets.node")
        raise TicketStorageError("every new ticket number was already used")

    async def _skip_stored(self, number: str, now: datetime) -> None:
        """Move the sequence past ``number`` and the day's highest number
        stored or recorded."""
        stem = self._numberer.day_stem(number)
        highest: str | None = None
        try:
            async with asyncio.timeout(self._timeout):
                highest = await self.store.highest_number(stem)
        except DATABASE_FAULTS as error:
            log.warning("highest ticket number not read (%s)", type(error).__name__)
        on_disk = await asyncio.to_thread(self.folder.highest, stem, now)
        spooled = await asyncio.to_thread(self.spool.highest, stem)
        past = max(number, highest or number, on_disk or number, spooled or number)
        log.warning(
            "ticket number %s was already used: the sequence file is behind "
            "the database or the recordings; numbers go on after %s",
            number,
            past,
        )
        await asyncio.to_thread(self._numberer.skip_past, past)

    async def _write(
        self, spooled: SpooledStep, write: Callable[[], Awaitable[bool]]
    ) -> None:
        """Write to the database in time, else to the spool; never neither."""
        number = spooled.entry.number
        try:
            async with asyncio.timeout(self._timeout):
                written = await write()
        except DATABASE_FAULTS as error:
            log.warning(
                "ticket %s: database unavailable (%s), %s kept in the spool",
                number,
                type(error).__name__,
                spooled.step,
            )
            await asyncio.to_thread(self.spool.write, spooled)
            self._spooled = True
            return
        self._database_answered()
        if not written and spooled.step in ("pending", "request"):
            # A fresh number already stored: telling this caller another
            # caller's number would be worse than anything.
            raise _NumberTaken(number)
        if spooled.step != "pending":
            await asyncio.to_thread(self.spool.remove, number)

    def _used_locally(self, number: str, now: datetime) -> bool:
        """Whether ``number`` has recordings today or a step in the spool."""
        return self.spool.holds(number) or bool(self.folder.files(number, now))

    def _database_answered(self) -> None:
        """The database answered: if this desk spooled meanwhile, replay now."""
        if self._spooled and self.on_database_back is not None:
            self._spooled = False
            self.on_database_back()

    def _entry(
        self,
        number: str,
        kind: str,
        now: datetime,
        deadline: Deadline,
        call: CallContext,
        fax: tuple[str, str, str] = ("", "", ""),
    ) -> TicketEntry:
        # Staff call back on the national form; "withheld" tells them why
        # there is no number where a masked "ano****us" only puzzled them.
        caller = national_number(call.caller)
        return TicketEntry(
            number=number,
            kind=kind,
            saved_at=now,
            deadline_at=deadline.at,
            deadline_days=deadline.working_days,
            deadline_provisional=deadline.provisional,
            uniqueid=call.uniqueid,
            caller=caller or "",
            caller_hash=self._key(caller),
            caller_masked=mask_number(caller) if caller else WITHHELD,
            menu_path=call.menu_path,
            area=call.area,
            language=call.language,
            flow_version=call.flow_version,
            fax_document=fax[0],
            fax_number=fax[1],
            fax_state=fax[2],
        )

    def _remember(self, entry: TicketEntry) -> None:
        """Keep ``entry`` for its complete or discard; forget day-old ones
        (a call that ended without either is the reconciler's)."""
        stale = entry.saved_at - timedelta(days=1)
        for number in [n for n, e in self._open.items() if e.saved_at < stale]:
            del self._open[number]
        self._open[entry.number] = entry

    def _document(self, wanted: str) -> FaxDocument:
        for document in self._fax_documents:
            if wanted in (document.id, document.key):
                return document
        raise TicketConfigError(f"no fax document {wanted!r} is configured")

    def _key(self, caller: str | None) -> str:
        """The keyed hash a ticket is matched on, of the number's national
        form (``+8613800000000`` and ``13800000000`` are one caller); ``""``
        (matches nothing) for a withheld caller ID."""
        national = national_number(caller)
        if national is None:
            return ""
        return hash_number(national, self._hash_key)

    def _now(self) -> datetime:
        return self._clock.now(self._policy.zone).astimezone(UTC)


def _spooled_status(spooled: SpooledStep, caller_hash: str) -> TicketStatus | None:
    """A spooled ticket as its own caller hears it; ``None`` for anyone else."""
    entry = spooled.entry
    if not caller_hash or not hmac.compare_digest(caller_hash, entry.caller_hash):
        return None
    return TicketStatus(entry.number, entry.kind, "new", _deadline_of(entry))


def _bare_entry(pending: PendingTicket) -> TicketEntry:
    """The entry of a ticket begun by another desk (after a restart)."""
    return TicketEntry(
        number=pending.number,
        kind=pending.kind,
        saved_at=pending.saved_at,
        deadline_at=pending.deadline.at,
        deadline_days=pending.deadline.working_days,
        deadline_provisional=pending.deadline.provisional,
    )


def _deadline_of(entry: TicketEntry) -> Deadline:
    return Deadline(entry.deadline_at, entry.deadline_provisional, entry.deadline_days)
