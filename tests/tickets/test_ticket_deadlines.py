"""Reply deadlines on the real national calendar (chinese_calendar 2004-2026)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ivr.flow import WorkCalendar
from ivr.flow.model import CalendarOverride
from ivr.tickets import (
    DeadlineError,
    DeadlinePolicy,
    TicketConfigError,
    reply_deadline,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkCalendar()


def saved(day: date, hour: int = 15) -> datetime:
    """A save time on ``day`` in Shanghai."""
    return datetime.combine(day, time(hour, 0), tzinfo=SHANGHAI)


def due_day(day: date, days: int) -> date:
    """The deadline date for a message saved on ``day`` with N = ``days``."""
    return reply_deadline(saved(day), days, CALENDAR).day


def test_end_of_day_in_local_time() -> None:
    """The deadline is 23:59:59 Shanghai time of the Nth working day."""
    deadline = reply_deadline(saved(date(2026, 3, 10)), 2, CALENDAR)

    assert deadline.at == datetime(2026, 3, 12, 23, 59, 59, tzinfo=SHANGHAI)
    assert not deadline.provisional
    assert deadline.working_days == 2


def test_across_a_weekend() -> None:
    """Saved on Friday 2026-03-13: Saturday and Sunday do not count."""
    assert due_day(date(2026, 3, 13), 1) == date(2026, 3, 16)
    assert due_day(date(2026, 3, 13), 3) == date(2026, 3, 18)


def test_across_national_day_2026() -> None:
    """2026-10-01..07 are holidays (chinese_calendar 1.11: 10-08 is a working
    day), so a message saved on 30 September is due on 8 October."""
    assert not any(CALENDAR.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert CALENDAR.is_working_day(date(2026, 10, 8))

    assert due_day(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert due_day(date(2026, 9, 30), 2) == date(2026, 10, 9)


def test_make_up_working_days_count() -> None:
    """Saturday 2026-10-10 and Sunday 2026-09-20 are make-up working days."""
    assert due_day(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert due_day(date(2026, 9, 19), 1) == date(2026, 9, 20)


def test_across_mid_autumn_2026() -> None:
    """The Mid-Autumn holiday 2026-09-25..27 is skipped."""
    assert due_day(date(2026, 9, 24), 1) == date(2026, 9, 28)


def test_saved_on_a_holiday_counts_from_next_working_day() -> None:
    """Saved on 3 October (holiday): day 1 is 8 October, day 2 is 9 October."""
    assert due_day(date(2026, 10, 3), 1) == date(2026, 10, 8)
    assert due_day(date(2026, 10, 3), 2) == date(2026, 10, 9)


def test_missing_year_is_provisional_weekdays_only() -> None:
    """Saved 2026-12-30, N=3: 31 Dec, then 2027 has no data so Friday 1 Jan
    counts as a weekday and the weekend does not; the deadline is flagged."""
    assert not CALENDAR.has_data(2027)

    deadline = reply_deadline(saved(date(2026, 12, 30)), 3, CALENDAR)

    assert deadline.day == date(2027, 1, 4)
    assert deadline.provisional


def test_deadline_within_known_year_is_not_provisional() -> None:
    """A deadline of 31 December 2026 uses only known data."""
    deadline = reply_deadline(saved(date(2026, 12, 30)), 1, CALENDAR)

    assert deadline.day == date(2026, 12, 31)
    assert not deadline.provisional


def test_save_day_is_judged_in_service_zone() -> None:
    """Sunday 16:30 UTC is Monday 00:30 in Shanghai: day 1 is Tuesday."""
    moment = datetime(2026, 3, 15, 16, 30, tzinfo=UTC)

    assert reply_deadline(moment, 1, CALENDAR).day == date(2026, 3, 17)


def test_calendar_overrides_apply() -> None:
    """A local override (a working Saturday) counts like the national data."""
    calendar = WorkCalendar([CalendarOverride(date(2026, 3, 14), "drill", True)])

    assert reply_deadline(saved(date(2026, 3, 13)), 1, calendar).day == date(
        2026, 3, 14
    )


def test_policy_per_kind_and_custom_end_of_day() -> None:
    """Each kind has its own N; a configured cut-off replaces 23:59:59."""
    policy = DeadlinePolicy(
        CALENDAR, {"message": 1, "complaint": 5}, end_of_day=time(17, 30)
    )
    moment = saved(date(2026, 9, 30))

    message = policy.deadline("message", moment)
    complaint = policy.deadline("complaint", moment)

    assert message.at == datetime(2026, 10, 8, 17, 30, tzinfo=SHANGHAI)
    assert complaint.day == date(2026, 10, 13)
    assert complaint.working_days == 5
    assert policy.kinds == {"message", "complaint"}


def test_bad_input_is_refused() -> None:
    """Unknown kinds, N < 1, naive times; a closed weekday is skipped."""
    policy = DeadlinePolicy(CALENDAR, {"message": 2})
    closed = WorkCalendar([CalendarOverride(date(2026, 3, 16), "closed", False)])

    with pytest.raises(TicketConfigError, match="fax"):
        policy.deadline("fax", saved(date(2026, 3, 10)))
    with pytest.raises(TicketConfigError):
        DeadlinePolicy(CALENDAR, {"message": 0})
    with pytest.raises(DeadlineError, match="aware"):
        reply_deadline(datetime(2026, 3, 10, 9, 0), 1, CALENDAR)
    assert reply_deadline(saved(date(2026, 3, 13)), 1, closed).day == date(2026, 3, 17)
