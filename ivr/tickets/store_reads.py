"""Reading tickets: callers' status, staff lists and details, the overdue report.

:class:`TicketReader` is the read half of :class:`ivr.tickets.store.TicketStore`.
A caller learns only state, deadline and a recorded reply of the one number
they keyed. Staff reads of a full caller number or a recording are refused
for roles outside :data:`~ivr.tickets.models.STAFF_ROLES` and written to
``ticket_views`` *before* the value is returned ("every view logged").
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ivr.records.rows import to_utc
from ivr.records.schema import ticket_events, ticket_recordings, ticket_views, tickets
from ivr.tickets.deadlines import Deadline, DeadlinePolicy
from ivr.tickets.desk import RecordedPart, TicketStatus
from ivr.tickets.errors import (
    RecordingExpiredError,
    TicketAccessError,
    TicketNotFoundError,
)
from ivr.tickets.lifecycle import CALLER_VISIBLE, OPEN
from ivr.tickets.models import (
    STAFF_ROLES,
    OverdueReport,
    Ticket,
    TicketFilter,
    TicketPage,
    Viewer,
)

__all__ = ["TicketReader"]

MAX_PAGE_SIZE = 500


class TicketReader:
    """Queries over the ticket tables of ``engine``; deadlines shown in
    ``policy.zone``."""

    def __init__(self, engine: AsyncEngine, policy: DeadlinePolicy) -> None:
        self._engine = engine
        self._policy = policy

    async def status(
        self, number: str, *, caller_hash: str = ""
    ) -> TicketStatus | None:
        """What a caller keying ``number`` may hear; ``None`` if nothing.

        Only for ``caller_hash`` equal to the ticket's (the keyed hash of the
        calling number; ``""``, a withheld number, never matches): to anyone
        else the ticket does not exist, so its state, deadline and very
        existence stay the caller's own.
        """
        async with self._engine.connect() as connection:
            found = await connection.execute(
                select(tickets).where(tickets.c.number == number)
            )
            row = found.mappings().one_or_none()
        if row is None or row["state"] not in CALLER_VISIBLE:
            return None
        if not caller_hash or not hmac.compare_digest(
            caller_hash, row["caller_hash"] or ""
        ):
            return None
        local = to_utc(row["deadline_at"])
        assert local is not None
        deadline = Deadline(
            at=local.astimezone(self._policy.zone),
            provisional=bool(row["deadline_provisional"]),
            working_days=int(row["deadline_days"]),
        )
        prompt = row["reply_prompt"] if row["reply_kind"] == "recorded" else ""
        return TicketStatus(
            number=number,
            kind=row["kind"],
            state=row["state"],
            deadline=deadline,
            replied_prompt=prompt or None,
        )

    async def get(
        self, number: str, viewer: Viewer, now: datetime, *, reveal_caller: bool = False
    ) -> Ticket:
        """Ticket ``number`` with its recordings; the full caller number only
        with ``reveal_caller``, for a staff role, after logging the view (the
        ``caller`` view also covers a fax request's keyed fax number)."""
        if reveal_caller:
            _require_staff(viewer)
        async with self._engine.begin() as connection:
            row = await _row(connection, number)
            parts = await _parts(connection, row["id"])
            caller = None
            if reveal_caller:
                await _log_view(connection, row["id"], viewer, "caller", now)
                caller = str(row["caller"])
        return Ticket.from_row(row, parts, caller)

    async def recording(
        self, number: str, part: str, viewer: Viewer, now: datetime, keep_days: int
    ) -> RecordedPart:
        """The recorded ``part`` of ticket ``number`` for ``viewer`` to hear.

        Refused for non-staff roles and, after ``keep_days`` from the save,
        with :class:`RecordingExpiredError`; the view is logged first.
        """
        _require_staff(viewer)
        async with self._engine.begin() as connection:
            row = await _row(connection, number)
            saved = to_utc(row["saved_at"])
            if saved is None or saved + timedelta(days=keep_days) < now:
                raise RecordingExpiredError(f"ticket {number}: recording expired")
            wanted = [p for p in await _parts(connection, row["id"]) if p.part == part]
            if not wanted:
                raise TicketNotFoundError(f"ticket {number} has no part {part!r}")
            await _log_view(connection, row["id"], viewer, f"recording:{part}", now)
        return wanted[0]

    async def list_tickets(
        self, which: TicketFilter, now: datetime, page: int = 1, page_size: int = 50
    ) -> TicketPage:
        """One page of tickets matching ``which``, most urgent deadline first."""
        page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
        where = _conditions(which, now)
        query = (
            select(tickets).where(*where).order_by(tickets.c.deadline_at, tickets.c.id)
        )
        async with self._engine.connect() as connection:
            total = await connection.scalar(
                select(func.count()).select_from(tickets).where(*where)
            )
            found = await connection.execute(
                query.limit(page_size).offset((page - 1) * page_size)
            )
            items = tuple(Ticket.from_row(row) for row in found.mappings())
        return TicketPage(items, int(total or 0), page, page_size)

    async def events(self, number: str) -> list[dict[str, Any]]:
        """Ticket ``number``'s history, oldest first."""
        return await self._children(number, ticket_events)

    async def views(self, number: str) -> list[dict[str, Any]]:
        """Who read ticket ``number``'s caller number or recordings, oldest first."""
        return await self._children(number, ticket_views)

    async def pending_before(self, cutoff: datetime) -> list[Ticket]:
        """Pending tickets saved before ``cutoff`` (for the reconciler)."""
        query = select(tickets).where(
            tickets.c.state == "pending", tickets.c.saved_at < cutoff
        )
        async with self._engine.connect() as connection:
            found = await connection.execute(query.order_by(tickets.c.id))
            return [Ticket.from_row(row) for row in found.mappings()]

    async def faxes_since(self, caller_hash: str, since: datetime) -> int:
        """How many fax tickets the caller of ``caller_hash`` left since
        ``since`` (pending ones have no kind fax: faxes are never pending)."""
        query = select(func.count()).where(
            tickets.c.kind == "fax",
            tickets.c.caller_hash == caller_hash,
            tickets.c.saved_at >= to_utc(since),
        )
        async with self._engine.connect() as connection:
            return int((await connection.execute(query)).scalar_one())

    async def call_of(self, number: str) -> str | None:
        """The Uniqueid of the call that left ticket ``number``, or ``None``
        when no ticket has that number."""
        query = select(tickets.c.uniqueid).where(tickets.c.number == number)
        async with self._engine.connect() as connection:
            found: str | None = (await connection.execute(query)).scalar_one_or_none()
        return found

    async def highest_number(self, stem: str) -> str | None:
        """The highest stored ticket number starting with ``stem`` (one
        day of one node: all such numbers have one length), or ``None``."""
        query = select(func.max(tickets.c.number)).where(
            tickets.c.number.startswith(stem, autoescape=True)
        )
        async with self._engine.connect() as connection:
            found: str | None = (await connection.execute(query)).scalar_one()
        return found

    async def known_numbers(self, numbers: Collection[str]) -> set[str]:
        """Those of ``numbers`` that have a row, in any state."""
        known: set[str] = set()
        ordered = sorted(numbers)
        async with self._engine.connect() as connection:
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                found = await connection.execute(
                    select(tickets.c.number).where(tickets.c.number.in_(chunk))
                )
                known.update(found.scalars())
        return known

    async def overdue_report(self, day: date) -> OverdueReport:
        """The daily report: tickets late at some moment of ``day`` (local).

        A ticket is listed when its deadline fell before the end of the day,
        it was not replied to or closed by its deadline, and it was still
        unsettled when the day began (one settled late on the day itself is
        listed; one settled late earlier is in that earlier day's report).
        """
        zone = self._policy.zone
        start = datetime.combine(day, time(), tzinfo=zone)
        query = select(tickets).where(
            tickets.c.deadline_at < start + timedelta(days=1),
            tickets.c.state.in_(CALLER_VISIBLE),
            *(_unsettled(column, start) for column in ("replied_at", "closed_at")),
        )
        async with self._engine.connect() as connection:
            found = await connection.execute(query.order_by(tickets.c.deadline_at))
            rows = tuple(_report_row(row, day, zone) for row in found.mappings())
        return OverdueReport(day=day.isoformat(), rows=rows)

    async def _children(self, number: str, table: Any) -> list[dict[str, Any]]:
        async with self._engine.connect() as connection:
            row = await _row(connection, number)
            found = await connection.execute(
                select(table).where(table.c.ticket_id == row["id"]).order_by(table.c.id)
            )
            children = [dict(child) for child in found.mappings()]
        for child in children:
            # SQLite hands back naive times: every time is aware UTC.
            for name in ("at", "viewed_at"):
                if name in child:
                    child[name] = to_utc(child[name])
        return children


def _require_staff(viewer: Viewer) -> None:
    if viewer.role not in STAFF_ROLES:
        raise TicketAccessError(f"role {viewer.role!r} may not read caller data")


async def _row(connection: AsyncConnection, number: str) -> Any:
    found = await connection.execute(select(tickets).where(tickets.c.number == number))
    row = found.mappings().one_or_none()
    if row is None:
        raise TicketNotFoundError(f"no ticket {number}")
    return row


async def _parts(connection: AsyncConnection, ticket_id: int) -> list[RecordedPart]:
    found = await connection.execute(
        select(ticket_recordings)
        .where(ticket_recordings.c.ticket_id == ticket_id)
        .order_by(ticket_recordings.c.id)
    )
    return [
        RecordedPart(row["part"], row["path"], float(row["seconds"]))
        for row in found.mappings()
    ]


async def _log_view(
    connection: AsyncConnection,
    ticket_id: int,
    viewer: Viewer,
    what: str,
    now: datetime,
) -> None:
    await connection.execute(
        insert(ticket_views).values(
            ticket_id=ticket_id,
            username=viewer.username,
            role=viewer.role,
            what=what,
            viewed_at=to_utc(now),
        )
    )


def _conditions(which: TicketFilter, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [tickets.c.state.in_(CALLER_VISIBLE)]
    for name in ("state", "kind", "area", "assigned_to", "fax_state"):
        value = getattr(which, name)
        if value is not None:
            where.append(tickets.c[name] == value)
    if which.saved_from is not None:
        where.append(tickets.c.saved_at >= to_utc(which.saved_from))
    if which.saved_to is not None:
        where.append(tickets.c.saved_at < to_utc(which.saved_to))
    if which.overdue is not None:
        late = and_(tickets.c.state.in_(OPEN), tickets.c.deadline_at < to_utc(now))
        where.append(late if which.overdue else ~late)
    return where


def _unsettled(column: str, start: datetime) -> ColumnElement[bool]:
    """Not done by the deadline, and not done before ``start`` either."""
    done = tickets.c[column]
    return or_(
        done.is_(None), and_(done > tickets.c.deadline_at, done >= to_utc(start))
    )


def _report_row(row: Any, day: date, zone: Any) -> tuple[str, ...]:
    deadline = to_utc(row["deadline_at"])
    saved = to_utc(row["saved_at"])
    assert deadline is not None and saved is not None
    days_late = (day - deadline.astimezone(zone).date()).days
    return (
        row["number"],
        row["kind"],
        row["area"],
        row["state"],
        saved.astimezone(zone).isoformat(timespec="seconds"),
        deadline.astimezone(zone).isoformat(timespec="seconds"),
        str(max(days_late, 0)),
        row["assigned_to"],
        row["department"],
        row["caller_masked"],
    )
