"""Read the ``settings:`` section of ``menus.yaml`` into :class:`Settings`.

Missing settings take the code defaults of :class:`ivr.flow.model.Settings`;
wrong ones are reported through the :class:`Reader` and also fall back to the
defaults, so the rest of the file is still checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ivr.flow.calendar import HOLIDAY_KEYS
from ivr.flow.model import (
    OTHER_HOLIDAY,
    CalendarOverride,
    Defaults,
    Settings,
    TimeRange,
)
from ivr.flow.problems import Reader, suggest
from ivr.flow.yamlpos import PMap, PNode, PScalar, PSeq

__all__ = ["holiday_names", "read_holiday_prompts", "read_settings"]

_SETTINGS = ("timezone", "language", "greeting", "service_hours", "calendar")
_GREETING = ("morning_until", "noon_until")
_CALENDAR = ("extra_holidays", "extra_working_days")
_OVERRIDE = ("date", "name")
_DEFAULTS = (
    "timeout",
    "retries",
    "max_digits",
    "no_input",
    "invalid",
    "on_no_input",
    "on_invalid",
    "queue_timeout",
    "closing",
    "holiday_closing",
)


def read_settings(reader: Reader, node: PNode | None) -> Settings:
    """Build :class:`Settings` from the ``settings:`` mapping (may be absent)."""
    section = reader.mapping(node, "'settings'")
    if section is None:
        return Settings(defaults=Defaults())
    reader.fields(section, (*_SETTINGS, "defaults"), "'settings'")
    base = Settings()
    morning, noon = _greeting(reader, section.get("greeting"), base)
    overrides = _calendar(reader, section.get("calendar"))
    return Settings(
        timezone=_timezone(reader, section.get("timezone")) or base.timezone,
        language=reader.text(section.get("language"), "language") or base.language,
        morning_until=morning,
        noon_until=noon,
        service_hours=_service_hours(reader, section.get("service_hours")),
        overrides=overrides,
        defaults=_defaults(reader, section.get("defaults"), overrides),
    )


def holiday_names(overrides: Iterable[CalendarOverride]) -> set[str]:
    """The holiday names a greeting or closing can be given for."""
    extra = {override.name for override in overrides if not override.working}
    return {*HOLIDAY_KEYS.values(), OTHER_HOLIDAY, *extra}


def read_holiday_prompts(
    reader: Reader,
    node: PNode | None,
    overrides: Iterable[CalendarOverride],
    what: str,
) -> dict[str, tuple[str, ...]]:
    """Prompts by holiday name, from a ``name: prompt-id`` mapping.

    A single prompt id (or a list) instead of a mapping serves every holiday,
    as ``other``. Names must be statutory holidays, ``other`` or the name of
    an extra holiday under ``settings.calendar``.
    """
    if node is None:
        return {}
    if not isinstance(node, PMap):
        every = reader.prompts(node, what)
        return {OTHER_HOLIDAY: every} if every else {}
    known = holiday_names(overrides)
    found: dict[str, tuple[str, ...]] = {}
    for key, value in node.entries:
        if key.value not in known:
            hint = suggest(key.value, known)
            reader.error(key.pos, f"no holiday is called {key.value!r}{hint}")
        prompts = reader.prompts(value, f"{what} {key.value}")
        if prompts:
            found[key.value] = prompts
    return found


def _timezone(reader: Reader, node: PNode | None) -> str | None:
    name = reader.text(node, "timezone")
    if name is None or node is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        reader.error(node.pos, f"unknown timezone {name!r}; use e.g. Asia/Shanghai")
        return None
    return name


def _greeting(reader: Reader, node: PNode | None, base: Settings) -> tuple[time, time]:
    section = reader.mapping(node, "'greeting'")
    if section is None:
        return base.morning_until, base.noon_until
    reader.fields(section, _GREETING, "'greeting'")
    morning = _time(reader, section.get("morning_until"), "morning_until")
    noon = _time(reader, section.get("noon_until"), "noon_until")
    morning = morning or base.morning_until
    noon = noon or base.noon_until
    if noon <= morning and section.get("noon_until") is not None:
        where = section.get("noon_until")
        assert where is not None
        reader.error(where.pos, "noon_until must be later than morning_until")
    return morning, noon


def _time(reader: Reader, node: PNode | None, what: str) -> time | None:
    if node is None:
        return None
    if not isinstance(node, PScalar):
        reader.error(node.pos, f'{what} must be a time such as "11:00"')
        return None
    return reader.clock_time(node, node.value, what)


def _service_hours(reader: Reader, node: PNode | None) -> tuple[TimeRange, ...]:
    if node is None:
        return ()
    if not isinstance(node, PSeq):
        reader.error(node.pos, 'service_hours must be a list such as - "09:00-12:00"')
        return ()
    spans = (_time_range(reader, item) for item in node.items)
    return tuple(span for span in spans if span is not None)


def _time_range(reader: Reader, node: PNode) -> TimeRange | None:
    raw = node.value if isinstance(node, PScalar) else ""
    if not isinstance(node, PScalar) or raw.count("-") != 1:
        reader.error(
            node.pos, 'write service hours as "HH:MM-HH:MM", e.g. "09:00-12:00"'
        )
        return None
    first, last = raw.split("-")
    start = reader.clock_time(node, first, "service hours start")
    end = reader.clock_time(node, last, "service hours end")
    if start is None or end is None:
        return None
    if end <= start:
        reader.error(node.pos, f"service hours {raw!r} end before they start")
        return None
    return TimeRange(start, end)


def _calendar(reader: Reader, node: PNode | None) -> tuple[CalendarOverride, ...]:
    section = reader.mapping(node, "'calendar'")
    if section is None:
        return ()
    reader.fields(section, _CALENDAR, "'calendar'")
    holidays = _overrides(reader, section.get("extra_holidays"), working=False)
    working = _overrides(reader, section.get("extra_working_days"), working=True)
    return holidays + working


def _overrides(
    reader: Reader, node: PNode | None, *, working: bool
) -> tuple[CalendarOverride, ...]:
    if node is None or (isinstance(node, PScalar) and node.is_null):
        return ()
    if not isinstance(node, PSeq):
        reader.error(node.pos, "list each date as '- date: YYYY-MM-DD' with a name")
        return ()
    found = (_override(reader, item, working) for item in node.items)
    return tuple(override for override in found if override is not None)


def _override(reader: Reader, node: PNode, working: bool) -> CalendarOverride | None:
    entry = reader.mapping(node, "a calendar date")
    if entry is None:
        return None
    reader.fields(entry, _OVERRIDE, "a calendar date")
    day = reader.day(entry.get("date"), "date")
    name = reader.text(entry.get("name"), "name")
    if entry.get("date") is None or entry.get("name") is None:
        reader.error(entry.pos, "each calendar date needs both 'date:' and 'name:'")
    if day is None or name is None:
        return None
    return CalendarOverride(day, name, working)


def _defaults(
    reader: Reader, node: PNode | None, overrides: Iterable[CalendarOverride]
) -> Defaults:
    section = reader.mapping(node, "'defaults'")
    base = Defaults()
    if section is None:
        return base
    reader.fields(section, _DEFAULTS, "'defaults'")
    return Defaults(
        timeout=_num(reader, section, "timeout", base.timeout),
        retries=_int(reader, section, "retries", base.retries),
        max_digits=_int(reader, section, "max_digits", base.max_digits, low=1),
        no_input=reader.prompts(section.get("no_input"), "no_input") or (),
        invalid=reader.prompts(section.get("invalid"), "invalid") or (),
        on_no_input=reader.target(section.get("on_no_input"), "on_no_input") or "",
        on_invalid=reader.target(section.get("on_invalid"), "on_invalid") or "",
        queue_timeout=_num(reader, section, "queue_timeout", base.queue_timeout),
        closing=reader.prompts(section.get("closing"), "closing") or (),
        holiday_closing=read_holiday_prompts(
            reader, section.get("holiday_closing"), overrides, "holiday_closing"
        ),
    )


def _num(reader: Reader, section: PMap, name: str, default: float) -> float:
    value = reader.number(section.get(name), name, low=1)
    return default if value is None else value


def _int(reader: Reader, section: PMap, name: str, default: int, low: int = 0) -> int:
    value = reader.integer(section.get(name), name, low=low)
    return default if value is None else value
