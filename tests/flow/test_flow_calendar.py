"""The work calendar: official holidays, make-up days, overrides, missing years."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ivr.flow import CalendarOverride, Flow, WorkCalendar
from ivr.flow.calendar import LiveCalendar


def test_national_day_is_a_named_holiday() -> None:
    """2026-10-01 is off, greeted as National Day."""
    calendar = WorkCalendar()

    assert not calendar.is_working_day(date(2026, 10, 1))
    assert calendar.holiday_name(date(2026, 10, 1)) == "national_day"


def test_make_up_working_day_is_working_and_not_a_holiday() -> None:
    """Saturday 2026-10-10 is a make-up working day (调休)."""
    calendar = WorkCalendar()

    assert calendar.is_working_day(date(2026, 10, 10))
    assert calendar.holiday_name(date(2026, 10, 10)) is None


def test_plain_weekend_is_off_but_not_a_holiday() -> None:
    """An ordinary Sunday gets no holiday greeting."""
    calendar = WorkCalendar()

    assert not calendar.is_working_day(date(2026, 3, 8))
    assert calendar.holiday_name(date(2026, 3, 8)) is None


def test_missing_years_are_reported_and_weekdays_used() -> None:
    """2027 has no official data: reported, and Monday-Friday apply."""
    calendar = WorkCalendar()

    assert calendar.missing_years([2026, 2027, 2028, 2027]) == [2027, 2028]
    assert calendar.has_data(2026)
    assert calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_working_day(date(2027, 1, 2))
    assert calendar.holiday_name(date(2027, 1, 1)) is None


def test_overrides_win_over_the_official_calendar() -> None:
    """Extra holidays and extra working days replace the official answer."""
    calendar = WorkCalendar(
        [
            CalendarOverride(date(2026, 3, 3), "other", working=False),
            CalendarOverride(date(2026, 10, 1), "duty day", working=True),
        ]
    )

    assert not calendar.is_working_day(date(2026, 3, 3))
    assert calendar.holiday_name(date(2026, 3, 3)) == "other"
    assert calendar.is_working_day(date(2026, 10, 1))
    assert calendar.holiday_name(date(2026, 10, 1)) is None


def test_for_flow_uses_the_flow_overrides(flow: Flow) -> None:
    """``for_flow`` builds the calendar from ``settings.calendar``."""
    override = CalendarOverride(date(2026, 3, 3), "other", working=False)
    settings = replace(flow.settings, overrides=(override,))

    calendar = WorkCalendar.for_flow(replace(flow, settings=settings))

    assert not calendar.is_working_day(date(2026, 3, 3))


def test_live_calendar_follows_the_loaded_flow() -> None:
    """A deadline policy built at start-up sees an extra holiday added by a
    reload: the live calendar asks the current flow's calendar each time."""
    day = date(2026, 12, 31)
    loaded = [WorkCalendar()]
    live = LiveCalendar(lambda: loaded[0])
    before = live.is_working_day(day)

    loaded[0] = WorkCalendar([CalendarOverride(day, "other", working=False)])

    assert before is True
    assert live.is_working_day(day) is False
    assert live.holiday_name(day) == "other"
    assert live.has_data(2026) is loaded[0].has_data(2026)
