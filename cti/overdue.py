"""Overdue tickets: the periodic sweep, its announcements and the daily report.

:class:`OverdueWatch` runs as one task of the CTI service. Every
``interval`` it asks the ticket store to mark tickets past their reply
deadline overdue (norm art. 32: a reply is owed by the promised day) and
tells every supervisor wallboard about each one newly overdue: its number,
kind, area, deadline and who has it, never the caller's number. Once a day,
after ``report_hour`` local time, it writes the previous day's overdue
report to ``reports_dir`` as ``overdue-<day>.csv`` and ``.json`` (the file
on disk is what says a day is done, so a restart does not write it twice)
and announces it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from cti.hub import Hub
from ivr.tasks import repeat_every

__all__ = [
    "OverdueOptions",
    "OverdueReportLike",
    "OverdueSource",
    "OverdueWatch",
    "overdue_message",
    "report_json",
]

logger = logging.getLogger("cti.overdue")


class OverdueTicketLike(Protocol):
    """What an announcement reads of a ticket (no caller number on purpose)."""

    @property
    def number(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def area(self) -> str: ...
    @property
    def deadline_at(self) -> datetime: ...
    @property
    def assigned_to(self) -> str: ...
    @property
    def department(self) -> str: ...


class OverdueReportLike(Protocol):
    """A day's overdue report: columns, rows and its CSV text."""

    @property
    def day(self) -> str: ...
    @property
    def columns(self) -> tuple[str, ...]: ...
    @property
    def rows(self) -> tuple[tuple[str, ...], ...]: ...
    def csv(self) -> str: ...


class OverdueSource(Protocol):
    """The ticket store's side of the watch."""

    async def sweep_overdue(self, now: datetime) -> Sequence[OverdueTicketLike]:
        """Mark late open tickets overdue; return those newly marked."""
        ...

    async def overdue_report(self, day: date) -> OverdueReportLike:
        """The overdue report of local ``day``."""
        ...


@dataclass(frozen=True, slots=True)
class OverdueOptions:
    """How often to sweep, where reports go and when (local hour)."""

    interval: float = 300.0
    reports_dir: str = "reports"
    report_hour: int = 1
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))


def overdue_message(ticket: OverdueTicketLike, tz: ZoneInfo) -> dict[str, Any]:
    """The wallboard message for a newly overdue ticket (no caller number)."""
    return {
        "type": "ticket_overdue",
        "number": ticket.number,
        "kind": ticket.kind,
        "area": ticket.area,
        "deadline": ticket.deadline_at.astimezone(tz).isoformat(),
        "assigned_to": ticket.assigned_to,
        "department": ticket.department,
    }


def report_json(report: OverdueReportLike) -> dict[str, Any]:
    """The report as JSON: the day, the columns and one object per row."""
    rows = [dict(zip(report.columns, row, strict=True)) for row in report.rows]
    return {"day": report.day, "count": len(rows), "tickets": rows}


class OverdueWatch:
    """Sweeps and reports; :meth:`run` is the task the CTI service owns."""

    def __init__(
        self,
        source: OverdueSource,
        hub: Hub,
        options: OverdueOptions,
        now: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.source = source
        self.hub = hub
        self.options = options
        self._now = now
        self._sleep = sleep

    async def run(self) -> None:
        """Sweep and report every interval; a failed round is logged, not fatal."""
        await repeat_every(
            self.options.interval,
            self._round,
            what="the overdue round",
            logger=logger,
            sleep=self._sleep,
        )

    async def _round(self) -> None:
        await self.sweep()
        await self.report_if_due()

    async def sweep(self) -> int:
        """Mark late tickets overdue and announce each; return how many."""
        late = await self.source.sweep_overdue(self._now())
        for ticket in late:
            self.hub.to_supervisors(overdue_message(ticket, self.options.tz))
        if late:
            logger.warning("%d ticket(s) newly overdue", len(late))
        return len(late)

    async def report_if_due(self) -> Path | None:
        """Write yesterday's report once it is past the report hour."""
        local = self._now().astimezone(self.options.tz)
        if local.hour < self.options.report_hour:
            return None
        day = local.date() - timedelta(days=1)
        if self._path(day, "csv").exists():
            return None
        return await self.write_report(day)

    async def write_report(self, day: date) -> Path:
        """Write the report of ``day`` (CSV and JSON) and announce it."""
        report = await self.source.overdue_report(day)
        body = report_json(report)
        await asyncio.to_thread(self._write, day, report.csv(), body)
        path = self._path(day, "csv")
        self.hub.to_supervisors(
            {
                "type": "overdue_report",
                "day": body["day"],
                "count": body["count"],
                "file": path.name,
            }
        )
        logger.info("overdue report of %s: %d ticket(s)", day, body["count"])
        return path

    def _write(self, day: date, text: str, body: dict[str, Any]) -> None:
        """Write JSON first and CSV last: the CSV's presence marks the day done."""
        folder = Path(self.options.reports_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for suffix, content in (
            ("json", json.dumps(body, ensure_ascii=False)),
            ("csv", text),
        ):
            final = self._path(day, suffix)
            partial = final.with_name(f".{final.name}.part")
            partial.write_text(content, "utf-8")
            partial.replace(final)

    def _path(self, day: date, suffix: str) -> Path:
        return Path(self.options.reports_dir) / f"overdue-{day.isoformat()}.{suffix}"
