"""The overdue watch: announcements without caller numbers, the daily report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cti.hub import Hub
from cti.overdue import OverdueOptions, OverdueWatch

COLUMNS = ("number", "kind", "area", "days_late", "caller_masked")


@dataclass(frozen=True)
class LateTicket:
    """A ticket as the store returns it, caller number included."""

    number: str
    kind: str
    area: str
    deadline_at: datetime
    assigned_to: str
    department: str
    caller: str = "13800138000"


@dataclass(frozen=True)
class Report:
    """A report with the store's shape."""

    day: str
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[str, ...] = COLUMNS

    def csv(self) -> str:
        """CSV with a header."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerows([self.columns, *self.rows])
        return out.getvalue()


class Source:
    """Late tickets once, then none; a report per day asked."""

    def __init__(self, late: Sequence[LateTicket]) -> None:
        self.late = list(late)
        self.days: list[date] = []

    async def sweep_overdue(self, now: datetime) -> Sequence[LateTicket]:
        """Hand out the late tickets the first time only."""
        late, self.late = self.late, []
        return late

    async def overdue_report(self, day: date) -> Report:
        """One late ticket on every day."""
        self.days.append(day)
        return Report(
            day.isoformat(),
            (("1203100000018", "message", "pension", "2", "138****8000"),),
        )


def _watch(tmp_path: Path, source: Source, now: datetime) -> tuple[OverdueWatch, Hub]:
    hub = Hub()
    options = OverdueOptions(reports_dir=str(tmp_path / "reports"), report_hour=1)
    return OverdueWatch(source, hub, options, lambda: now), hub


async def test_each_newly_overdue_ticket_is_announced_without_the_caller(
    tmp_path: Path,
) -> None:
    """Supervisors get number, kind, area, local deadline; no caller number."""
    deadline = datetime(2026, 12, 3, 9, 59, 59, tzinfo=UTC)
    source = Source(
        [LateTicket("1203100000018", "message", "pension", deadline, "agent1001", "")]
    )
    watch, hub = _watch(tmp_path, source, deadline + timedelta(hours=1))
    board, desk = hub.listen(None), hub.listen("1001")

    first = await watch.sweep()
    second = await watch.sweep()

    (message,) = [board.queue.get_nowait() for _ in range(board.queue.qsize())]
    assert (first, second) == (1, 0)
    assert message == {
        "type": "ticket_overdue",
        "number": "1203100000018",
        "kind": "message",
        "area": "pension",
        "deadline": "2026-12-03T17:59:59+08:00",
        "assigned_to": "agent1001",
        "department": "",
    }
    assert "13800138000" not in json.dumps(message) and desk.queue.empty()


async def test_the_daily_report_is_written_once_after_the_report_hour(
    tmp_path: Path,
) -> None:
    """At 00:30 local nothing; at 01:05 yesterday's CSV and JSON, announced once."""
    source = Source([])
    early = datetime(2026, 12, 4, 0, 30, tzinfo=UTC) - timedelta(hours=8)
    watch, _ = _watch(tmp_path, source, early)
    assert await watch.report_if_due() is None

    later, hub = _watch(tmp_path, source, early + timedelta(minutes=35))
    board = hub.listen(None)
    path = await later.report_if_due()
    again = await later.report_if_due()

    assert path == tmp_path / "reports" / "overdue-2026-12-03.csv"
    assert again is None and source.days == [date(2026, 12, 3)]
    assert path.read_text("utf-8").splitlines() == [
        "number,kind,area,days_late,caller_masked",
        "1203100000018,message,pension,2,138****8000",
    ]
    body = json.loads(path.with_suffix(".json").read_text("utf-8"))
    assert body["count"] == 1 and body["tickets"][0]["days_late"] == "2"
    assert board.queue.get_nowait() == {
        "type": "overdue_report",
        "day": "2026-12-03",
        "count": 1,
        "file": "overdue-2026-12-03.csv",
    }
