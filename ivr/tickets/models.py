"""What staff read about tickets: the ticket, a page of them, the overdue report.

These are plain values made from rows by :mod:`ivr.tickets.store`. The full
caller number is in a :class:`Ticket` only when a staff member asked for it
and the view was logged (``Ticket.caller`` is ``None`` otherwise); lists
carry the masked number only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from ivr.records.rows import to_utc
from ivr.tickets.desk import RecordedPart

__all__ = [
    "STAFF_ROLES",
    "OverdueReport",
    "Ticket",
    "TicketFilter",
    "TicketPage",
    "Viewer",
]

STAFF_ROLES = ("agent", "supervisor", "admin")
"""The roles that may read caller numbers and hear recordings (the CTI's)."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is reading: a staff username and role, for access and the views log."""

    username: str
    role: str


@dataclass(frozen=True, slots=True)
class Ticket:
    """One ticket as staff see it; times are aware UTC."""

    id: int
    number: str
    kind: str
    state: str
    caller_masked: str
    uniqueid: str
    saved_at: datetime
    menu_path: tuple[str, ...]
    area: str
    language: str
    flow_version: str
    deadline_at: datetime
    deadline_days: int
    deadline_provisional: bool
    recovered: bool
    assigned_to: str
    assigned_at: datetime | None
    department: str
    department_deadline_at: datetime | None
    reply_kind: str
    reply_prompt: str
    replied_at: datetime | None
    closed_at: datetime | None
    overdue_at: datetime | None
    fax_document: str
    fax_number: str = field(repr=False)
    fax_state: str
    fax_attempts: int
    fax_result: str
    version: int
    updated_at: datetime
    recordings: tuple[RecordedPart, ...] = ()
    caller: str | None = field(default=None, repr=False)

    @classmethod
    def from_row(
        cls,
        row: Any,
        recordings: Sequence[RecordedPart] = (),
        caller: str | None = None,
    ) -> Ticket:
        """The ticket of a ``tickets`` row mapping (its ``caller`` column is
        dropped unless passed as ``caller``)."""
        skip = {"recordings", "caller"}
        values = {f.name: row[f.name] for f in fields(cls) if f.name not in skip}
        for name, value in values.items():
            if isinstance(value, datetime):
                values[name] = to_utc(value)
        values["menu_path"] = tuple(values["menu_path"] or ())
        return cls(**values, recordings=tuple(recordings), caller=caller)


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """What to list: every field left ``None`` does not filter.

    ``fax_state`` ``"queued"`` lists the fax requests waiting to be sent.

    ``overdue`` true lists tickets past their deadline and still owed a
    reply, whatever their state; ``saved_from``/``saved_to`` bound the save
    time (from inclusive, to exclusive).
    """

    state: str | None = None
    kind: str | None = None
    area: str | None = None
    assigned_to: str | None = None
    fax_state: str | None = None
    overdue: bool | None = None
    saved_from: datetime | None = None
    saved_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class TicketPage:
    """One page of a listing, and how many tickets match in all."""

    items: tuple[Ticket, ...]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True, slots=True)
class OverdueReport:
    """The daily overdue report: one row per ticket late on ``day``."""

    day: str
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[str, ...] = (
        "number",
        "kind",
        "area",
        "state",
        "saved_at",
        "deadline_at",
        "days_late",
        "assigned_to",
        "department",
        "caller_masked",
    )

    def csv(self) -> str:
        """The report as CSV text with a header line."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return buffer.getvalue()
