"""Writing tickets: the pending entry, completion, and every staff action.

Every write is idempotent or checked: :meth:`TicketStore.insert_pending`
does nothing for a number already stored, :meth:`TicketStore.complete` and
:meth:`TicketStore.discard` insert the entry if it is missing (its begin
went to the spool) and do nothing when the ticket is already past that
step, so a replay from the spool or a retry never writes twice. Each state
change checks :mod:`ivr.tickets.lifecycle`, bumps ``version`` with a
compare-and-set (a concurrent change loses with :class:`TicketStateError`)
and writes one ``ticket_events`` row in the same transaction.

Claiming gives no ticket to two agents: on PostgreSQL the next ticket is
picked with ``SELECT ... FOR UPDATE SKIP LOCKED`` (each claimer skips rows
another claimer holds), and on every database the ``UPDATE`` re-checks that
the ticket is still unassigned (``rowcount`` 1 or retry with the next one).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ivr.records.rows import to_utc
from ivr.records.schema import ticket_events, ticket_recordings, tickets
from ivr.tickets.deadlines import DeadlinePolicy
from ivr.tickets.entries import Part, TicketEntry, part_rows
from ivr.tickets.errors import TicketNotFoundError, TicketStateError
from ivr.tickets.lifecycle import CLAIMABLE, DISCARDED, OPEN, check_action
from ivr.tickets.models import Ticket
from ivr.tickets.store_reads import TicketReader

__all__ = ["REPLY_KINDS", "TicketStore"]

log = logging.getLogger("ivr.tickets.store")

REPLY_KINDS = ("callback", "recorded", "fax")
"""How staff answered: called back, recorded an answer, or sent the fax."""

AUTO_FAX_STATES = ("queued", "sending")
"""Fax states handled by the fax sender, not by agents."""

_CLAIM_ATTEMPTS = 50


class TicketStore(TicketReader):
    """Ticket reads and writes over an SQLAlchemy async engine.

    ``lock_rows=False`` is for tests only: it removes both the row lock and
    the compare-and-set from claiming, so a test can show that concurrent
    claims then collide (and that with the default they never do).
    """

    def __init__(
        self, engine: AsyncEngine, policy: DeadlinePolicy, *, lock_rows: bool = True
    ) -> None:
        super().__init__(engine, policy)
        self._lock_rows = lock_rows

    async def insert_pending(self, entry: TicketEntry, now: datetime) -> bool:
        """Store ``entry`` as pending; ``False`` when its number already exists."""
        async with self._engine.begin() as connection:
            return await _insert_entry(connection, entry, "pending", now)

    async def complete(
        self,
        entry: TicketEntry,
        parts: Sequence[Part],
        now: datetime,
        *,
        actor: str = "ivr",
        recovered: bool = False,
    ) -> bool:
        """Make ticket ``entry`` new with its recorded ``parts``.

        ``False`` when it was already completed (a replay); a ticket the
        reconciler had given up as lost is revived. ``recovered`` marks a
        completion made by the reconciler rather than by the call.
        """
        async with self._engine.begin() as connection:
            await _insert_entry(connection, entry, "pending", now)
            row = await _locked_row(connection, entry.number)
            if row["state"] not in ("pending", DISCARDED):
                return False
            detail = f"{len(parts)} part(s)" + (", recovered" if recovered else "")
            await _change(
                connection, row, "complete", actor, now, detail, recovered=recovered
            )
            if parts:
                rows = part_rows(row["id"], entry.number, list(parts))
                await connection.execute(insert(ticket_recordings), rows)
        return True

    async def discard(
        self, entry: TicketEntry, reason: str, now: datetime, *, actor: str = "ivr"
    ) -> bool:
        """Drop pending ticket ``entry``; ``False`` when already discarded."""
        async with self._engine.begin() as connection:
            await _insert_entry(connection, entry, "pending", now)
            row = await _locked_row(connection, entry.number)
            if row["state"] == DISCARDED:
                return False
            await _change(connection, row, "discard", actor, now, reason)
        return True

    async def request(self, entry: TicketEntry, now: datetime) -> bool:
        """Store a ticket that needs no recording (a fax request) as new."""
        async with self._engine.begin() as connection:
            if not await _insert_entry(connection, entry, "new", now):
                return False
            row = await _locked_row(connection, entry.number)
            await _event(connection, row["id"], now, "ivr", "request", entry.kind)
        return True

    async def claim_next(
        self, username: str, areas: Collection[str] | None, now: datetime
    ) -> Ticket | None:
        """Assign the most urgent unassigned ticket of ``areas`` to ``username``.

        ``areas`` ``None`` means any area; an empty collection claims
        nothing. ``None`` when no ticket is left to claim.
        """
        if areas is not None and not areas:
            return None
        for _ in range(_CLAIM_ATTEMPTS):
            async with self._engine.begin() as connection:
                picked = await self._pick(connection, areas)
                if picked is None:
                    return None
                taken = await self._take(connection, picked, username, now)
            if taken:
                return await self._ticket(picked["number"])
        log.warning(
            "claim by %s gave up after %d collisions", username, _CLAIM_ATTEMPTS
        )
        return None

    async def forward(
        self, number: str, department: str, working_days: int, actor: str, now: datetime
    ) -> Ticket:
        """Hand ticket ``number`` to ``department`` with its own deadline."""
        deadline = self._policy.after(now, working_days)
        detail = f"{department}, due {deadline.day.isoformat()}"
        await self._act(
            number,
            "forward",
            actor,
            now,
            detail,
            department=department,
            department_deadline_at=to_utc(deadline.at),
        )
        return await self._ticket(number)

    async def reply(
        self, number: str, kind: str, prompt: str, actor: str, now: datetime
    ) -> Ticket:
        """Record the reply: ``callback``, or ``recorded`` with a prompt path."""
        if kind not in REPLY_KINDS:
            raise ValueError(f"reply kind must be one of {REPLY_KINDS}: {kind!r}")
        if kind == "recorded" and not prompt:
            raise ValueError("a recorded reply needs the path of its recording")
        await self._act(
            number,
            "reply",
            actor,
            now,
            kind,
            reply_kind=kind,
            reply_prompt=prompt,
            replied_at=to_utc(now),
        )
        return await self._ticket(number)

    async def close(
        self, number: str, actor: str, now: datetime, note: str = ""
    ) -> Ticket:
        """Close ticket ``number``."""
        await self._act(number, "close", actor, now, note, closed_at=to_utc(now))
        return await self._ticket(number)

    async def sweep_overdue(self, now: datetime) -> list[Ticket]:
        """Mark open tickets past their deadline (or their department's)
        overdue; return those newly marked, for the event stream."""
        moment = to_utc(now)
        late = (tickets.c.deadline_at < moment) | and_(
            tickets.c.state == "forwarded", tickets.c.department_deadline_at < moment
        )
        query = select(tickets.c.number).where(
            tickets.c.state.in_(("new", "assigned", "forwarded")), late
        )
        async with self._engine.connect() as connection:
            numbers = list((await connection.execute(query)).scalars())
        marked = []
        for number in numbers:
            try:
                await self._act(number, "overdue", "sweep", now, "", overdue_at=moment)
            except TicketStateError:
                continue
            marked.append(await self._ticket(number))
        return marked

    async def record_fax(
        self, number: str, sent: bool, result: str, now: datetime, *, final: bool = True
    ) -> Ticket:
        """Record one fax sending attempt; a sent fax is the ticket's reply.

        A failed attempt that is not ``final`` leaves the fax ``queued`` for
        the sender's next try; a final failure leaves it ``failed`` for staff.
        """
        state = "sent" if sent else ("failed" if final else "queued")
        async with self._engine.begin() as connection:
            row = await _locked_row(connection, number)
            if row["kind"] != "fax" or row["state"] not in OPEN:
                raise TicketStateError(number, row["state"], "send a fax for")
            await connection.execute(
                update(tickets)
                .where(tickets.c.id == row["id"])
                .values(
                    fax_attempts=tickets.c.fax_attempts + 1,
                    fax_state=state,
                    fax_result=result[:128],
                )
            )
            await _event(connection, row["id"], now, "fax", "fax_attempt", result)
        if sent:
            return await self.reply(number, "fax", "", "fax", now)
        return await self._ticket(number)

    async def reassign(
        self, number: str, username: str, actor: str, now: datetime
    ) -> Ticket:
        """Give open ticket ``number`` to ``username`` (a supervisor's decision).

        A ``new`` ticket becomes ``assigned``; an assigned, forwarded or
        overdue one keeps its state and changes hands. The version is
        compared and bumped like any other change.
        """
        async with self._engine.begin() as connection:
            row = await _locked_row(connection, number)
            if row["state"] not in OPEN:
                raise TicketStateError(number, row["state"], "reassign")
            state = "assigned" if row["state"] == "new" else row["state"]
            result = await connection.execute(
                update(tickets)
                .where(tickets.c.id == row["id"], tickets.c.version == row["version"])
                .values(
                    state=state,
                    assigned_to=username,
                    assigned_at=to_utc(now),
                    version=row["version"] + 1,
                    updated_at=to_utc(now),
                )
            )
            if result.rowcount != 1:
                raise TicketStateError(number, "changed meanwhile", "reassign")
            detail = f"{row['assigned_to'] or '-'} -> {username}"
            await _event(connection, row["id"], now, actor, "reassign", detail)
        return await self._ticket(number)

    async def faxes_due(self, limit: int) -> list[Ticket]:
        """Open fax tickets whose fax is ``queued`` for the sender, oldest first."""
        query = (
            select(tickets)
            .where(
                tickets.c.kind == "fax",
                tickets.c.fax_state == "queued",
                tickets.c.state.in_(OPEN),
            )
            .order_by(tickets.c.saved_at, tickets.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            found = await connection.execute(query)
            return [Ticket.from_row(row) for row in found.mappings()]

    async def note(
        self, number: str, actor: str, action: str, detail: str, now: datetime
    ) -> None:
        """Add an event to ticket ``number``'s history without changing its state
        (a call-back's outcome, a recording fetched)."""
        async with self._engine.begin() as connection:
            row = await _locked_row(connection, number)
            await _event(connection, row["id"], now, actor, action, detail)

    async def expired_recordings(self, cutoff: datetime) -> list[str]:
        """Recording paths (without extension) of tickets saved before
        ``cutoff``: the retention sweep deletes their files."""
        query = (
            select(ticket_recordings.c.path)
            .join(tickets, tickets.c.id == ticket_recordings.c.ticket_id)
            .where(tickets.c.saved_at < to_utc(cutoff))
        )
        async with self._engine.connect() as connection:
            return list((await connection.execute(query)).scalars())

    async def _pick(
        self, connection: AsyncConnection, areas: Collection[str] | None
    ) -> Any:
        query = (
            select(tickets.c.id, tickets.c.number, tickets.c.state, tickets.c.version)
            .where(*_claimable(areas))
            .order_by(tickets.c.deadline_at, tickets.c.id)
            .limit(1)
        )
        if self._lock_rows and connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return (await connection.execute(query)).mappings().first()

    async def _take(
        self, connection: AsyncConnection, picked: Any, username: str, now: datetime
    ) -> bool:
        where: list[ColumnElement[bool]] = [tickets.c.id == picked["id"]]
        if self._lock_rows:
            where.extend(_claimable(None))
        result = await connection.execute(
            update(tickets)
            .where(*where)
            .values(
                state="assigned",
                assigned_to=username,
                assigned_at=to_utc(now),
                version=tickets.c.version + 1,
                updated_at=to_utc(now),
            )
        )
        if result.rowcount != 1:
            return False
        await _event(connection, picked["id"], now, username, "claim", picked["state"])
        return True

    async def _act(
        self,
        number: str,
        action: str,
        actor: str,
        now: datetime,
        detail: str,
        **values: Any,
    ) -> None:
        async with self._engine.begin() as connection:
            row = await _locked_row(connection, number)
            await _change(connection, row, action, actor, now, detail, **values)

    async def _ticket(self, number: str) -> Ticket:
        async with self._engine.connect() as connection:
            found = await connection.execute(
                select(tickets).where(tickets.c.number == number)
            )
            return Ticket.from_row(found.mappings().one())


def _claimable(areas: Collection[str] | None) -> list[ColumnElement[bool]]:
    where = [
        tickets.c.state.in_(CLAIMABLE),
        tickets.c.assigned_to == "",
        ~and_(tickets.c.kind == "fax", tickets.c.fax_state.in_(AUTO_FAX_STATES)),
    ]
    if areas is not None:
        where.append(tickets.c.area.in_(sorted(areas)))
    return where


async def _insert_entry(
    connection: AsyncConnection, entry: TicketEntry, state: str, now: datetime
) -> bool:
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        module.insert(tickets)
        .values(**entry.row(state, now))
        .on_conflict_do_nothing(index_elements=["number"])
    )
    result = await connection.execute(statement)
    if result.rowcount != 1:
        return False
    row = await _locked_row(connection, entry.number)
    await _event(connection, row["id"], now, "ivr", "begin", f"{entry.kind} {state}")
    return True


async def _locked_row(connection: AsyncConnection, number: str) -> Any:
    query = select(tickets).where(tickets.c.number == number)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = (await connection.execute(query)).mappings().one_or_none()
    if row is None:
        raise TicketNotFoundError(f"no ticket {number}")
    return row


async def _change(
    connection: AsyncConnection,
    row: Any,
    action: str,
    actor: str,
    now: datetime,
    detail: str,
    **values: Any,
) -> None:
    target = check_action(row["number"], row["state"], action)
    result = await connection.execute(
        update(tickets)
        .where(tickets.c.id == row["id"], tickets.c.version == row["version"])
        .values(
            state=target, version=row["version"] + 1, updated_at=to_utc(now), **values
        )
    )
    if result.rowcount != 1:
        raise TicketStateError(row["number"], "changed meanwhile", action)
    await _event(connection, row["id"], now, actor, action, detail)


async def _event(
    connection: AsyncConnection,
    ticket_id: int,
    now: datetime,
    actor: str,
    action: str,
    detail: str,
) -> None:
    await connection.execute(
        insert(ticket_events).values(
            ticket_id=ticket_id,
            at=to_utc(now),
            actor=actor,
            action=action,
            detail=detail,
        )
    )
