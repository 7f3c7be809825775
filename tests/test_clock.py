"""Tests for the injectable clocks."""

from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.clock import FixedClock, ShiftedClock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_naive_start_is_local_time_in_the_zone_asked() -> None:
    """A naive start such as ``--at 2026-10-08 09:00`` is Beijing time."""
    clock = FixedClock(datetime(2026, 10, 8, 9, 0))

    assert clock.now(SHANGHAI) == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


def test_advance_moves_the_clock() -> None:
    """The fixed clock moves only when told, which tests use instead of sleeps."""
    clock = FixedClock(datetime(2026, 10, 8, 9, 0))

    clock.advance(90)

    assert clock.now(SHANGHAI).strftime("%H:%M:%S") == "09:01:30"


def test_shifted_clock_starts_at_the_given_time_and_runs() -> None:
    """A call placed --at a moment starts there and its time still moves."""
    ticks = iter([100.0, 100.0, 145.5])
    clock = ShiftedClock(datetime(2026, 10, 8, 9, 0), monotonic=lambda: next(ticks))

    first = clock.now(SHANGHAI)
    later = clock.now(SHANGHAI)

    assert first == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    assert later.strftime("%H:%M:%S.%f") == "09:00:45.500000"
