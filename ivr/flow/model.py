"""The flow as typed, frozen values: settings, and one dataclass per node kind.

The checker (``ivr.flow.checker``) builds these from ``menus.yaml`` once every
problem has been ruled out, with per-node values already filled in from
``settings.defaults``; the interpreter only reads them. Every node keeps the
position of its id in the file so that traces and errors can point back at it.
Mappings inside the values are plain dicts: treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo

from ivr.flow.yamlpos import Position

__all__ = [
    "OTHER_HOLIDAY",
    "AnnouncementNode",
    "CalendarOverride",
    "CampaignOption",
    "Defaults",
    "Flow",
    "GoodbyeNode",
    "GreetingNode",
    "HoursNode",
    "MenuNode",
    "Node",
    "QueueNode",
    "Settings",
    "SurveyNode",
    "TimeRange",
]

REPEAT = "repeat"
"""The menu target that plays the same menu again (usually on ``#``)."""

OTHER_HOLIDAY = "other"
"""The holiday name whose greeting or closing serves holidays without their own."""

HolidayPrompts = Mapping[str, tuple[str, ...]]
"""Holiday name (``national_day``, ``other``...) -> the prompts played on it."""


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A span of local time, ``start`` included and ``end`` excluded."""

    start: time
    end: time

    def __contains__(self, moment: time) -> bool:
        return self.start <= moment < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class CalendarOverride:
    """A date whose working status the official calendar gets wrong for us."""

    day: date
    name: str
    working: bool


@dataclass(frozen=True, slots=True)
class Defaults:
    """Values a node takes when it does not set its own."""

    timeout: float = 5.0
    retries: int = 2
    max_digits: int = 1
    no_input: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()
    on_no_input: str = ""
    on_invalid: str = ""
    queue_timeout: float = 120.0
    closing: tuple[str, ...] = ()
    holiday_closing: HolidayPrompts = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Settings:
    """The ``settings:`` section: time zone, greeting times, service hours."""

    timezone: str = "Asia/Shanghai"
    language: str = "zh"
    morning_until: time = time(11, 0)
    noon_until: time = time(13, 30)
    service_hours: tuple[TimeRange, ...] = ()
    overrides: tuple[CalendarOverride, ...] = ()
    defaults: Defaults = field(default_factory=Defaults)

    @property
    def zone(self) -> ZoneInfo:
        """The time zone calls are judged in."""
        return ZoneInfo(self.timezone)

    def part_of_day(self, moment: time) -> str:
        """``"morning"``, ``"noon"`` or ``"afternoon"`` for the greeting."""
        if moment < self.morning_until:
            return "morning"
        if moment < self.noon_until:
            return "noon"
        return "afternoon"

    def in_service_hours(self, moment: time) -> bool:
        """True when agents answer at this time of a working day."""
        return any(moment in span for span in self.service_hours)

    def to_view(self) -> dict[str, Any]:
        """The settings as JSON-ready values (times as ``HH:MM``)."""
        return {
            "timezone": self.timezone,
            "language": self.language,
            "morning_until": f"{self.morning_until:%H:%M}",
            "noon_until": f"{self.noon_until:%H:%M}",
            "service_hours": [str(span) for span in self.service_hours],
            "overrides": [
                {"date": o.day.isoformat(), "name": o.name, "working": o.working}
                for o in self.overrides
            ],
            "defaults": asdict(self.defaults),
        }


@dataclass(frozen=True, slots=True)
class Node:
    """What every node has: its id, its kind and where it is written."""

    id: str
    pos: Position

    @property
    def kind(self) -> str:
        """The ``kind:`` this node was written with."""
        return type(self).__name__.removesuffix("Node").lower()

    def to_view(self) -> dict[str, Any]:
        """The node as JSON-ready values, with its kind, line and column."""
        fields = asdict(self)
        pos = fields.pop("pos")
        head = {"id": self.id, "kind": self.kind, "line": pos["line"]}
        return {**head, "column": pos["column"], **_dates_as_text(fields)}


def _dates_as_text(value: Any) -> Any:
    """``value`` with every date written ``YYYY-MM-DD`` (for JSON)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _dates_as_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_dates_as_text(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class GreetingNode(Node):
    """Welcome by time of day, plus a holiday greeting on statutory holidays."""

    by_part: Mapping[str, str]
    holidays: Mapping[str, str]
    next: str


@dataclass(frozen=True, slots=True)
class AnnouncementNode(Node):
    """Play recorded prompts, then go on."""

    prompts: tuple[str, ...]
    next: str


@dataclass(frozen=True, slots=True)
class CampaignOption:
    """A menu key offered only from ``first_day`` to ``last_day``, both included.

    For example key 9, the graduates' expert line, on the national
    consultation day. While it runs, its ``prompts`` are played after the
    menu's own; on other days its key is a wrong key like any unused one.
    Days are local dates in ``settings.timezone``.
    """

    key: str
    target: str
    first_day: date
    last_day: date
    prompts: tuple[str, ...]

    def active_on(self, day: date) -> bool:
        """True when callers are offered this key on ``day``."""
        return self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        first, last = self.first_day.isoformat(), self.last_day.isoformat()
        return first if first == last else f"{first} to {last}"


@dataclass(frozen=True, slots=True)
class MenuNode(Node):
    """Play a menu and branch on one key; re-prompt on silence or wrong keys.

    ``options`` are the keys offered every day; ``campaigns`` add keys for a
    few days only (:meth:`options_on` and :meth:`prompts_on` give the menu of
    one day).
    """

    prompts: tuple[str, ...]
    options: Mapping[str, str]
    timeout: float
    retries: int
    max_digits: int
    no_input: tuple[str, ...]
    invalid: tuple[str, ...]
    on_no_input: str
    on_invalid: str
    campaigns: tuple[CampaignOption, ...] = ()

    def options_on(self, day: date) -> Mapping[str, str]:
        """The keys callers can press on ``day``, campaign items included."""
        active = [item for item in self.campaigns if item.active_on(day)]
        if not active:
            return self.options
        return {**self.options, **{item.key: item.target for item in active}}

    def prompts_on(self, day: date) -> tuple[str, ...]:
        """The menu's prompts on ``day``: its own, then its running campaigns'."""
        extra = (
            p for item in self.campaigns if item.active_on(day) for p in item.prompts
        )
        return (*self.prompts, *extra)


@dataclass(frozen=True, slots=True)
class HoursNode(Node):
    """Branch on whether agents are answering now (working day, service hours)."""

    open: str
    closed: str


@dataclass(frozen=True, slots=True)
class QueueNode(Node):
    """Hand the call to an Asterisk queue; branch on ``QUEUESTATUS`` if unanswered.

    ``priority`` (0-10, higher first) becomes the caller's ``QUEUE_PRIO``
    (apps/app_queue.c: callers with a higher priority are placed ahead).
    ``answered`` names the node that follows an agent call, usually the
    satisfaction survey; empty, the call ends when the agent hangs up.
    """

    queue: str
    prompts: tuple[str, ...]
    timeout: float
    on_status: Mapping[str, str]
    next: str
    priority: int | None = None
    answered: str = ""


def closing_on(
    closing: tuple[str, ...], by_name: HolidayPrompts, holiday: str | None
) -> tuple[str, ...]:
    """The closing of a day that is ``holiday``: its own, ``other``'s, or plain."""
    if holiday is None:
        return closing
    return by_name.get(holiday) or by_name.get(OTHER_HOLIDAY) or closing


@dataclass(frozen=True, slots=True)
class GoodbyeNode(Node):
    """Say goodbye (holiday variant on holidays) and end the call.

    ``holiday_closing`` is keyed by holiday name, with ``other`` for holidays
    that have no closing of their own (Annex 1 三.(三)).
    """

    prompts: tuple[str, ...]
    closing: tuple[str, ...]
    holiday_closing: HolidayPrompts
    outcome: str

    def closing_on(self, holiday: str | None) -> tuple[str, ...]:
        """The last words on a day that is ``holiday`` (``None``: a normal day)."""
        return closing_on(self.closing, self.holiday_closing, holiday)


@dataclass(frozen=True, slots=True)
class SurveyNode(Node):
    """Ask the caller to rate the agent call by key, then end the call.

    A key in ``scores`` is stored as the score (the service also hands it
    to the CTI); silence or other keys re-prompt ``retries`` times, then
    the call ends without a score. ``thanks`` and the closing (holiday
    wording on holidays, as a goodbye) end every survey.
    """

    prompts: tuple[str, ...]
    thanks: tuple[str, ...]
    scores: str
    timeout: float
    retries: int
    no_input: tuple[str, ...]
    invalid: tuple[str, ...]
    closing: tuple[str, ...]
    holiday_closing: HolidayPrompts

    def closing_on(self, holiday: str | None) -> tuple[str, ...]:
        """The last words on a day that is ``holiday`` (``None``: a normal day)."""
        return closing_on(self.closing, self.holiday_closing, holiday)


@dataclass(frozen=True, slots=True)
class Flow:
    """A checked flow, ready to run.

    ``version`` is the short sha256 of the file's bytes: call records store it
    so a call can be matched to the exact ``menus.yaml`` it ran.
    """

    path: str
    version: str
    start: str
    settings: Settings
    nodes: Mapping[str, Node]

    def to_view(self) -> dict[str, Any]:
        """The flow for the read-only HTTP view (``GET /flow``)."""
        return {
            "path": self.path,
            "version": self.version,
            "start": self.start,
            "settings": self.settings.to_view(),
            "nodes": [node.to_view() for node in self.nodes.values()],
        }

    def node(self, node_id: str) -> Node:
        """The node ``node_id``; ``KeyError`` when the flow has none."""
        return self.nodes[node_id]
