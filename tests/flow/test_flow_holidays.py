"""Each statutory holiday of 2026 greets and closes with its own words."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from flow_edits import broken_copy, check_lines, errors_of, where_in
from flow_fakes import MENUS, RunCall, ScriptedChannel

from ivr.flow import Flow, GoodbyeNode
from ivr.prompts import PromptCatalog
from ivr.trace import OutcomeKind

HOLIDAYS_2026 = {
    "new_years_day": ("新年好", "祝您新年快乐"),
    "spring_festival": ("新春快乐", "祝您新春快乐"),
    "tomb_sweeping_day": ("平安顺遂", "祝您平安顺遂"),
    "labour_day": ("劳动节快乐", "祝您劳动节快乐"),
    "dragon_boat_festival": ("端午安康", "祝您端午安康"),
    "mid_autumn_festival": ("中秋快乐", "祝您中秋快乐"),
    "national_day": ("国庆快乐", "祝您国庆快乐"),
}
"""Greeting key -> words of its greeting (Annex 1 一.(五)) and of its closing."""


def _first_days(year: int) -> dict[str, date]:
    """The first day of each statutory holiday in ``year``, by greeting key."""
    found: dict[str, date] = {}
    day = date(year, 1, 1)
    while day.year == year:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if on_holiday and name is not None:
            found.setdefault(chinese_calendar.Holiday(name).name, day)
        day += timedelta(days=1)
    return found


def test_every_2026_holiday_has_its_words() -> None:
    """The table covers exactly the statutory holidays of 2026."""
    assert set(_first_days(2026)) == set(HOLIDAYS_2026)


@pytest.mark.parametrize("holiday", HOLIDAYS_2026)
async def test_holiday_caller_hears_its_greeting_and_closing(
    run_call: RunCall, catalog: PromptCatalog, holiday: str
) -> None:
    """On the holiday's first day: its greeting after the welcome, its closing.

    "0" asks for an agent (closed on holidays), "0" again ends the call.
    """
    day = _first_days(2026)[holiday]
    channel = ScriptedChannel(["0", "0"])

    outcome, trace = await run_call(channel, datetime.combine(day, time(10, 0)))

    greeting_words, closing_words = HOLIDAYS_2026[holiday]
    greeting, closing = trace.steps[0].prompts[1], channel.played[-1]
    assert greeting_words in catalog.text(greeting)
    assert catalog.text(closing) == f"感谢您的来电，{closing_words}，再见！"
    assert trace.steps[0].result == f"holiday {holiday}"
    assert outcome.kind is OutcomeKind.GOODBYE


async def test_normal_day_closes_with_the_plain_line(run_call: RunCall) -> None:
    """A working day evening: the norm's plain closing (Annex 1 三.(三))."""
    channel = ScriptedChannel(["0", "0"])

    await run_call(channel, datetime(2026, 3, 3, 20, 0))

    assert channel.played[-2:] == ["goodbye-after-hours", "closing"]


def test_holiday_without_its_own_closing_gets_the_general_one(flow: Flow) -> None:
    """A holiday with no closing of its own falls back to ``other``."""
    node = flow.node("goodbye-invalid")
    assert isinstance(node, GoodbyeNode)

    assert node.closing_on("city_day") == ("closing-holiday",)
    assert node.closing_on(None) == ("closing",)
    assert node.closing_on("national_day") == ("closing-national-day",)


def test_single_holiday_closing_still_serves_every_holiday(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """``holiday_closing: closing-holiday`` (one id) is read as ``other``."""
    text = MENUS.read_text(encoding="utf-8")
    block = text[text.index("    holiday_closing:") : text.index("\n\nstart:")]
    path, _ = broken_copy(tmp_path, block, "    holiday_closing: closing-holiday")

    assert errors_of(check_lines(path, catalog)) == []


def test_unknown_holiday_name_in_closings_is_an_error(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A misspelt holiday under holiday_closing is named with a suggestion."""
    old = "      national_day: closing-national-day"
    path, text = broken_copy(tmp_path, old, old.replace("national_day", "natonal_day"))

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'natonal_day')}: error: no holiday is called "
        "'natonal_day' (did you mean 'national_day'?)"
    ]
