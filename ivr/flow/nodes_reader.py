"""Read the ``nodes:`` section of ``menus.yaml``: one reader per node kind.

Each reader checks the node's settings, records the prompts and node ids it
names (checked later against the catalog and the other nodes) and fills in
``settings.defaults`` for what the node leaves out.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.flow.model import (
    REPEAT,
    AnnouncementNode,
    GoodbyeNode,
    GreetingNode,
    HoursNode,
    MenuNode,
    Node,
    QueueNode,
    Settings,
    SurveyNode,
)
from ivr.flow.options_reader import read_campaigns, read_options
from ivr.flow.problems import Reader, suggest
from ivr.flow.query_reader import QUERY_REQUIRED, QUERY_SETTINGS, read_query
from ivr.flow.settings_reader import read_holiday_prompts
from ivr.flow.ticket_reader import TICKET_BUILDERS, TICKET_KINDS, TICKET_REQUIRED
from ivr.flow.yamlpos import PMap, PNode, PScalar

__all__ = ["KINDS", "read_nodes"]

KINDS: dict[str, tuple[str, ...]] = {
    "greeting": ("morning", "noon", "afternoon", "holidays", "next"),
    "announcement": ("prompts", "next"),
    "menu": (
        "prompts",
        "options",
        "timeout",
        "retries",
        "max_digits",
        "no_input",
        "invalid",
        "on_no_input",
        "on_invalid",
        "campaigns",
    ),
    "hours": ("open", "closed"),
    "queue": (
        "queue",
        "prompts",
        "timeout",
        "on_status",
        "next",
        "priority",
        "answered",
    ),
    "goodbye": ("prompts", "closing", "outcome"),
    "survey": (
        "prompts",
        "thanks",
        "scores",
        "timeout",
        "retries",
        "no_input",
        "invalid",
        "closing",
    ),
    **TICKET_KINDS,
    "query": QUERY_SETTINGS,
}
"""Every node kind and the settings it accepts (besides ``kind``)."""

_REQUIRED: dict[str, tuple[str, ...]] = {
    "greeting": ("morning", "noon", "afternoon", "next"),
    "announcement": ("prompts", "next"),
    "menu": ("prompts", "options"),
    "hours": ("open", "closed"),
    "queue": ("queue", "next"),
    "goodbye": (),
    "survey": ("prompts", "thanks"),
    **TICKET_REQUIRED,
    "query": QUERY_REQUIRED,
}
MAX_PRIORITY = 10
"""Highest ``priority`` of a queue node (ops' scale; app_queue takes any integer)."""
SURVEY_SCORES = "12345"
"""The keys a survey takes by default: 1 (very dissatisfied) to 5 (very satisfied)."""
QUEUE_STATUSES = (
    "TIMEOUT",
    "FULL",
    "JOINEMPTY",
    "LEAVEEMPTY",
    "JOINUNAVAIL",
    "LEAVEUNAVAIL",
    "CONTINUE",
)
"""``QUEUESTATUS`` values set by Asterisk's app_queue.c when Queue() returns."""
_OUTCOMES = ("goodbye", "self_service")

_Build = Callable[[Reader, str, PScalar, PMap, Settings], Node | None]


def read_nodes(reader: Reader, node: PNode | None, settings: Settings) -> list[Node]:
    """Build every well-formed node under ``nodes:``."""
    section = reader.mapping(node, "'nodes'")
    if section is None:
        return []
    built = (_read_node(reader, key, value, settings) for key, value in section.entries)
    return [item for item in built if item is not None]


def _read_node(
    reader: Reader, key: PScalar, node: PNode, settings: Settings
) -> Node | None:
    body = reader.mapping(node, f"node {key.value!r}")
    if body is None:
        return None
    if key.value == REPEAT:
        reader.error(key.pos, f"{REPEAT!r} is reserved for menus; rename this node")
    kind = reader.text(body.get("kind"), "kind")
    if kind is None:
        reader.error(key.pos, f"node {key.value!r} needs 'kind:' ({_kinds()})")
        return None
    if kind not in KINDS:
        where = body.get("kind")
        assert where is not None
        hint = suggest(kind, KINDS)
        reader.error(where.pos, f"unknown kind {kind!r}{hint}; use one of {_kinds()}")
        return None
    what = f"{kind} {key.value!r}"
    reader.fields(body, ("kind", *KINDS[kind]), what)
    missing = [name for name in _REQUIRED[kind] if body.get(name) is None]
    for name in missing:
        reader.error(key.pos, f"{what} needs '{name}:'")
    built = _BUILDERS[kind](reader, what, key, body, settings)
    return None if missing else built


def _kinds() -> str:
    return ", ".join(KINDS)


def _greeting(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    parts = ("morning", "noon", "afternoon")
    by_part = {part: _prompt(reader, body.get(part), part) for part in parts}
    holidays = _holidays(reader, body.get("holidays"), settings)
    next_id = reader.target(body.get("next"), "next") or ""
    return GreetingNode(key.value, key.pos, by_part, holidays, next_id)


def _prompt(reader: Reader, node: PNode | None, what: str) -> str:
    found = reader.prompts(node, what) or ()
    return found[0] if found else ""


def _holidays(reader: Reader, node: PNode | None, settings: Settings) -> dict[str, str]:
    found = read_holiday_prompts(reader, node, settings.overrides, "holiday greeting")
    return {name: prompts[0] for name, prompts in found.items()}


def _announcement(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    prompts = reader.prompts(body.get("prompts"), "prompts") or ()
    next_id = reader.target(body.get("next"), "next") or ""
    return AnnouncementNode(key.value, key.pos, prompts, next_id)


def _menu(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    base = settings.defaults
    max_digits = reader.integer(body.get("max_digits"), "max_digits", low=1)
    max_digits = max_digits or base.max_digits
    options = read_options(reader, body.get("options"), max_digits)
    _check_way_out(reader, key, options)
    campaigns = read_campaigns(reader, body.get("campaigns"), max_digits, options)
    node = MenuNode(
        id=key.value,
        pos=key.pos,
        prompts=reader.prompts(body.get("prompts"), "prompts") or (),
        options=options,
        timeout=reader.number(body.get("timeout"), "timeout", low=1) or base.timeout,
        retries=_or(reader.integer(body.get("retries"), "retries"), base.retries),
        max_digits=max_digits,
        no_input=reader.prompts(body.get("no_input"), "no_input") or base.no_input,
        invalid=reader.prompts(body.get("invalid"), "invalid") or base.invalid,
        on_no_input=reader.target(body.get("on_no_input"), "on_no_input")
        or base.on_no_input,
        on_invalid=reader.target(body.get("on_invalid"), "on_invalid")
        or base.on_invalid,
        campaigns=campaigns,
    )
    _check_failure_targets(reader, what, node)
    return node


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _check_way_out(reader: Reader, key: PScalar, options: dict[str, str]) -> None:
    if options and all(target in (REPEAT, key.value) for target in options.values()):
        reader.error(
            key.pos,
            f"menu {key.value!r} has no way out: every key stays in this menu; "
            "point at least one key at another node",
        )


def _check_failure_targets(reader: Reader, what: str, node: MenuNode) -> None:
    for name in ("on_no_input", "on_invalid"):
        if not getattr(node, name):
            reader.error(
                node.pos,
                f"{what} needs '{name}:' (or set it in settings.defaults)",
            )


def _hours(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    open_id = reader.target(body.get("open"), "open") or ""
    closed_id = reader.target(body.get("closed"), "closed") or ""
    if not settings.service_hours:
        reader.warning(key.pos, f"{what}: no service_hours set, so it is always closed")
    return HoursNode(key.value, key.pos, open_id, closed_id)


def _queue(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    timeout = reader.number(body.get("timeout"), "timeout", low=1)
    return QueueNode(
        id=key.value,
        pos=key.pos,
        queue=reader.text(body.get("queue"), "queue") or "",
        prompts=reader.prompts(body.get("prompts"), "prompts") or (),
        timeout=timeout or settings.defaults.queue_timeout,
        on_status=_on_status(reader, body.get("on_status")),
        next=reader.target(body.get("next"), "next") or "",
        priority=_priority(reader, body.get("priority")),
        answered=reader.target(body.get("answered"), "answered") or "",
    )


def _priority(reader: Reader, node: PNode | None) -> int | None:
    """A queue priority, 0 to :data:`MAX_PRIORITY` (QUEUE_PRIO, app_queue.c)."""
    value = reader.integer(node, "priority")
    if node is not None and value is not None and value > MAX_PRIORITY:
        reader.error(node.pos, f"priority must be 0 to {MAX_PRIORITY}, not {value}")
        return None
    return value


def _on_status(reader: Reader, node: PNode | None) -> dict[str, str]:
    section = reader.mapping(node, "'on_status'")
    if section is None:
        return {}
    result: dict[str, str] = {}
    for key, value in section.entries:
        if key.value not in QUEUE_STATUSES:
            hint = suggest(key.value, QUEUE_STATUSES)
            reader.error(
                key.pos, f"Asterisk never reports QUEUESTATUS {key.value!r}{hint}"
            )
        target = reader.target(value, key.value)
        if target is not None:
            result[key.value] = target
    return result


def _goodbye(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    closing = reader.flag(body.get("closing"), "closing")
    outcome = reader.text(body.get("outcome"), "outcome") or "goodbye"
    if outcome not in _OUTCOMES:
        where = body.get("outcome")
        assert where is not None
        reader.error(where.pos, f"outcome must be one of {', '.join(_OUTCOMES)}")
    defaults = settings.defaults
    with_closing = closing is None or closing
    return GoodbyeNode(
        id=key.value,
        pos=key.pos,
        prompts=reader.prompts(body.get("prompts"), "prompts") or (),
        closing=defaults.closing if with_closing else (),
        holiday_closing=defaults.holiday_closing if with_closing else {},
        outcome=outcome,
    )


def _survey(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    base = settings.defaults
    closing = reader.flag(body.get("closing"), "closing")
    with_closing = closing is None or closing
    return SurveyNode(
        id=key.value,
        pos=key.pos,
        prompts=reader.prompts(body.get("prompts"), "prompts") or (),
        thanks=reader.prompts(body.get("thanks"), "thanks") or (),
        scores=_scores(reader, body.get("scores")),
        timeout=reader.number(body.get("timeout"), "timeout", low=1) or base.timeout,
        retries=_or(reader.integer(body.get("retries"), "retries"), base.retries),
        no_input=reader.prompts(body.get("no_input"), "no_input") or base.no_input,
        invalid=reader.prompts(body.get("invalid"), "invalid") or base.invalid,
        closing=base.closing if with_closing else (),
        holiday_closing=base.holiday_closing if with_closing else {},
    )


def _scores(reader: Reader, node: PNode | None) -> str:
    """The score keys: digits 1-9, each once (default 1-5)."""
    keys = reader.text(node, "scores")
    if keys is None:
        return SURVEY_SCORES
    if not keys.isdigit() or "0" in keys or len(set(keys)) != len(keys):
        assert node is not None
        reader.error(
            node.pos, f"scores must be distinct keys 1-9, like 12345; not {keys!r}"
        )
        return SURVEY_SCORES
    return keys


_BUILDERS: dict[str, _Build] = {
    "greeting": _greeting,
    "announcement": _announcement,
    "menu": _menu,
    "hours": _hours,
    "queue": _queue,
    "goodbye": _goodbye,
    "survey": _survey,
    **TICKET_BUILDERS,
    "query": read_query,
}
