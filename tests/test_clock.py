"""Tests for the injectable clocks."""

from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.clock import FixedClock

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
