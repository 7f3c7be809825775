"""Working days and statutory holidays from the official Chinese calendar.

The State Council publishes each year's holidays and make-up working days
(调休) late in the year before; the ``chinesecalendar`` package (module
``chinese_calendar``) carries that table, so a new year needs a package
update. A
year it does not know yet is *reported* (:meth:`WorkCalendar.missing_years`)
and routing falls back to Monday-Friday, so agents are offered on weekdays
rather than never. Dates in ``settings.calendar`` override both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache

import chinese_calendar

from ivr.flow.model import CalendarOverride, Flow

__all__ = ["HOLIDAY_KEYS", "LiveCalendar", "WorkCalendar"]

logger = logging.getLogger("ivr.flow.calendar")

HOLIDAY_KEYS: dict[str, str] = {
    holiday.value: holiday.name for holiday in chinese_calendar.Holiday
}
"""chinese_calendar's English holiday names -> the keys ``menus.yaml`` uses
for holiday greetings (``"National Day"`` -> ``"national_day"``)."""


@cache
def _years_with_data() -> frozenset[int]:
    days: Iterable[date] = chinese_calendar.holidays
    return frozenset(day.year for day in days)


class WorkCalendar:
    """Answers "is this a working day?" and "which holiday is it?"."""

    def __init__(self, overrides: Iterable[CalendarOverride] = ()) -> None:
        self._overrides = {override.day: override for override in overrides}

    @classmethod
    def for_flow(cls, flow: Flow) -> WorkCalendar:
        """The calendar with the overrides of ``flow``'s settings."""
        return cls(flow.settings.overrides)

    def has_data(self, year: int) -> bool:
        """True when the official calendar covers ``year``."""
        return year in _years_with_data()

    def missing_years(self, years: Iterable[int]) -> list[int]:
        """The years among ``years`` the official calendar does not cover."""
        return sorted({year for year in years if not self.has_data(year)})

    def is_working_day(self, day: date) -> bool:
        """True on working days, make-up working days included.

        Without official data for the year this is Monday to Friday.
        """
        override = self._overrides.get(day)
        if override is not None:
            return override.working
        if not self.has_data(day.year):
            logger.debug("no calendar data for %d; using weekdays", day.year)
            return day.weekday() < 5
        return bool(chinese_calendar.is_workday(day))

    def holiday_name(self, day: date) -> str | None:
        """The holiday's greeting key on a statutory holiday, else ``None``.

        Weekends and make-up working days are not holidays here. An override
        holiday answers with its own name.
        """
        override = self._overrides.get(day)
        if override is not None:
            return None if override.working else override.name
        if not self.has_data(day.year):
            return None
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if not on_holiday or name is None:
            return None
        return HOLIDAY_KEYS.get(str(name), str(name))


class LiveCalendar(WorkCalendar):
    """The calendar of whichever flow is loaded now, asked afresh each time.

    Reply deadlines are counted by a policy built once at start-up; an ops
    edit of ``settings.calendar`` (an extra holiday) reaches them through
    this calendar at the next reload, as it reaches the greetings.
    """

    def __init__(self, current: Callable[[], WorkCalendar]) -> None:
        super().__init__()
        self._current = current

    def has_data(self, year: int) -> bool:
        """True when the official calendar covers ``year``."""
        return self._current().has_data(year)

    def is_working_day(self, day: date) -> bool:
        """The loaded flow's answer: overrides first, then the official data."""
        return self._current().is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        """The loaded flow's holiday greeting key for ``day``, if any."""
        return self._current().holiday_name(day)
