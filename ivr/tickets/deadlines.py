"""Reply deadlines: the end of the Nth working day after a message is saved.

Norm art. 26 and 32 oblige us to tell the caller when the reply will come;
the date is read out at once and printed on the ticket, so it must follow
the same calendar as the flow (:class:`ivr.flow.WorkCalendar`): statutory
holidays are skipped and make-up working days (调休) count. Counting starts
on the day after the save, so a message saved on a holiday or a weekend is
answered within N working days from the next working day.

"End of the day" is 23:59:59 local time, not the end of service hours: the
caller is told a date, staff reply (call back) during office hours, and a
reply made on the evening of the last day is on time, not overdue. A
service that wants an earlier cut-off passes ``end_of_day``.

Where the official calendar lacks a year the deadline reaches into (it is
published late each year), that year's days count Monday to Friday, and
the deadline is marked ``provisional`` so the ticket can be flagged and ops
alerted once the ticket layer exists.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ivr.flow.calendar import WorkCalendar
from ivr.tickets.errors import DeadlineError, TicketConfigError

__all__ = ["END_OF_DAY", "Deadline", "DeadlinePolicy", "reply_deadline"]

logger = logging.getLogger("ivr.tickets.deadlines")

END_OF_DAY = time(23, 59, 59)
"""The default last moment of a deadline's day, local time."""

_SEARCH_LIMIT_DAYS = 3660
"""Ten years: a calendar without that many working days is misconfigured."""


@dataclass(frozen=True, slots=True)
class Deadline:
    """When the reply is due, whether the calendar was complete, and N."""

    at: datetime
    provisional: bool
    working_days: int

    @property
    def day(self) -> date:
        """The local date the caller is told."""
        return self.at.date()


def reply_deadline(
    saved_at: datetime,
    working_days: int,
    calendar: WorkCalendar,
    *,
    zone: ZoneInfo | None = None,
    end_of_day: time = END_OF_DAY,
) -> Deadline:
    """The deadline of a message saved at ``saved_at`` (an aware time).

    ``working_days`` is N (at least 1); the date is judged in ``zone``
    (default Asia/Shanghai, the flow's usual zone).
    """
    if saved_at.tzinfo is None:
        raise DeadlineError("saved_at must be an aware datetime")
    if working_days < 1:
        raise TicketConfigError(f"working days must be at least 1: {working_days}")
    zone = zone if zone is not None else ZoneInfo("Asia/Shanghai")

    saved_day = saved_at.astimezone(zone).date()
    due, provisional = _nth_working_day(saved_day, working_days, calendar)

    if provisional:
        logger.warning(
            "no official calendar for %d; deadline %s counts weekdays only",
            due.year,
            due.isoformat(),
        )
    at = datetime.combine(due, end_of_day, tzinfo=zone)
    return Deadline(at=at, provisional=provisional, working_days=working_days)


def _nth_working_day(
    saved_day: date, count: int, calendar: WorkCalendar
) -> tuple[date, bool]:
    """The ``count``-th working day after ``saved_day``, and whether guessed."""
    day, found, provisional = saved_day, 0, False
    for _ in range(_SEARCH_LIMIT_DAYS):
        day += timedelta(days=1)
        provisional = provisional or not calendar.has_data(day.year)
        if calendar.is_working_day(day):
            found += 1
            if found == count:
                return day, provisional
    raise DeadlineError(
        f"no {count} working days within {_SEARCH_LIMIT_DAYS} days of {saved_day}"
    )


class DeadlinePolicy:
    """Deadlines per message kind (``message``, ``complaint``, ...) from config.

    ``days_by_kind`` maps each kind to its N; an unknown kind is an error
    rather than a silent default, because a wrong promise to a caller is
    worse than a failed start-up check.
    """

    def __init__(
        self,
        calendar: WorkCalendar,
        days_by_kind: Mapping[str, int],
        *,
        zone: ZoneInfo | None = None,
        end_of_day: time = END_OF_DAY,
    ) -> None:
        for kind, days in days_by_kind.items():
            if days < 1:
                raise TicketConfigError(f"{kind}: working days must be >= 1")
        self._calendar = calendar
        self._days = dict(days_by_kind)
        self._zone = zone
        self._end_of_day = end_of_day

    @property
    def zone(self) -> ZoneInfo:
        """The zone deadlines are judged in (Asia/Shanghai unless given)."""
        return self._zone if self._zone is not None else ZoneInfo("Asia/Shanghai")

    def after(self, start: datetime, working_days: int) -> Deadline:
        """The end of the ``working_days``-th working day after ``start``.

        For deadlines not tied to a kind, such as a department's own
        deadline when staff forward a ticket.
        """
        return reply_deadline(
            start,
            working_days,
            self._calendar,
            zone=self._zone,
            end_of_day=self._end_of_day,
        )

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this policy knows."""
        return frozenset(self._days)

    def deadline(self, kind: str, saved_at: datetime) -> Deadline:
        """The reply deadline of a ``kind`` message saved at ``saved_at``."""
        days = self._days.get(kind)
        if days is None:
            raise TicketConfigError(f"no reply deadline configured for {kind!r}")
        return self.after(saved_at, days)
