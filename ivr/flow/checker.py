"""Load and check ``menus.yaml``: every problem, with file, line and column.

:func:`load_flow` is used at start-up, on reload and by ``ivr check``. It never
stops at the first mistake: the YAML is read with positions, the settings and
nodes are read kind by kind, and then the whole flow is checked for names that
point nowhere, prompts the catalog lacks or whose scripts break the norm's
Annex 2 (``ivr.flow.prompt_check``), nodes no caller can reach
(``ivr.flow.reachability``, without cascades from one typo) and years
the official calendar does not cover yet, and message or complaint areas that
are no queue of the flow. A :class:`Flow` is returned only
when there is no error (warnings are allowed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from ivr.flow.calendar import HOLIDAY_KEYS, WorkCalendar
from ivr.flow.model import Flow, GreetingNode, Node, QueueNode, Settings
from ivr.flow.nodes_reader import read_nodes
from ivr.flow.problems import Problem, Reader, Severity, suggest
from ivr.flow.prompt_check import check_prompts
from ivr.flow.query_names import check_query_names
from ivr.flow.reachability import check_reachable
from ivr.flow.settings_reader import read_settings
from ivr.flow.ticket_model import MessageNode
from ivr.flow.yamlpos import (
    PMap,
    PNode,
    Position,
    PScalar,
    PSeq,
    YamlSyntaxError,
    parse_yaml_bytes,
)
from ivr.prompts import PromptCatalog

__all__ = ["KnownQueries", "flow_version", "load_flow"]

_TOP = ("settings", "start", "nodes")


def flow_version(data: bytes) -> str:
    """The short sha256 of a flow file's bytes, stored with every call."""
    return hashlib.sha256(data).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class KnownQueries:
    """The backends file's names: backend -> its query names, and the file.

    ``exposed`` maps ``(backend, query)`` to how that query puts the
    caller's inputs in its URL (a warning at each query node using it).
    """

    backends: Mapping[str, Collection[str]]
    origin: str
    exposed: Mapping[tuple[str, str], str] = field(default_factory=dict)


def load_flow(
    path: str | Path,
    catalog: PromptCatalog | None,
    *,
    today: date | None = None,
    queries: KnownQueries | None = None,
) -> tuple[Flow | None, list[Problem]]:
    """Read and check a flow file.

    Returns the flow (``None`` when there is any error) and every problem in
    file order. ``today`` (default: today in the flow's timezone) decides which
    calendar years must be covered: this one and the next. With ``catalog``
    ``None`` (it could not be read) every check but the prompt ids is made;
    the caller reports why the catalog is missing. With ``queries`` each
    query node's backend and query must be among its names; ``None`` leaves
    them unchecked.
    """
    file = str(path)
    reader = Reader()
    try:
        data = Path(path).read_bytes()
        document = parse_yaml_bytes(data, file)
    except FileNotFoundError:
        reader.error(Position(file, 1, 1), "there is no such file")
        return None, reader.problems
    except OSError as exc:
        reader.error(Position(file, 1, 1), f"cannot read the file: {exc.strerror}")
        return None, reader.problems
    except YamlSyntaxError as exc:
        reader.error(exc.pos, exc.message)
        return None, reader.problems
    for duplicate in document.duplicates:
        first = duplicate.first
        reader.error(
            duplicate.second,
            f"{duplicate.name!r} is used twice here (first at line {first.line}, "
            f"column {first.column}); only one can count, so remove or change one",
        )
    flow = _read_flow(reader, document.root, file, flow_version(data), catalog, today)
    if queries is not None:
        check_query_names(reader, queries.backends, queries.origin, queries.exposed)
        if any(problem.severity is Severity.ERROR for problem in reader.problems):
            flow = None
    order = sorted(reader.problems, key=lambda p: (p.file != file, p.line, p.column))
    return flow, order


def _read_flow(
    reader: Reader,
    root: PNode | None,
    file: str,
    version: str,
    catalog: PromptCatalog | None,
    today: date | None,
) -> Flow | None:
    if root is None:
        reader.error(Position(file, 1, 1), "the file needs settings, start and nodes")
        return None
    top = reader.mapping(root, "the file")
    if top is None:
        return None
    reader.fields(top, _TOP, "the file")
    settings = read_settings(reader, top.get("settings"))
    start = reader.target(top.get("start"), "start") or ""
    if top.get("start") is None:
        reader.error(top.pos, "the file needs 'start:' naming the first node")
    nodes = read_nodes(reader, top.get("nodes"), settings)
    declared = _declared_ids(top)
    _check_references(reader, declared)
    if catalog is not None:
        check_prompts(reader, catalog)
    check_reachable(reader, start, nodes, top.get("nodes"))
    _check_calendar(reader, top, settings, today)
    _check_holiday_names(reader, top, nodes)
    _check_ticket_areas(reader, top, nodes)
    if any(problem.severity is Severity.ERROR for problem in reader.problems):
        return None
    by_id = {node.id: node for node in nodes}
    return Flow(file, version, start, settings, by_id)


def _declared_ids(top: PMap) -> set[str]:
    section = top.get("nodes")
    return set(section.names) if isinstance(section, PMap) else set()


def _check_references(reader: Reader, declared: set[str]) -> None:
    for node_id, pos in reader.node_refs:
        if node_id not in declared:
            hint = suggest(node_id, declared)
            reader.error(
                pos,
                f"there is no node {node_id!r}{hint}; "
                "fix the name or add the node under 'nodes:'",
            )


def _check_calendar(
    reader: Reader, top: PMap, settings: Settings, today: date | None
) -> None:
    day = today or datetime.now(settings.zone).date()
    calendar = WorkCalendar(settings.overrides)
    missing = calendar.missing_years([day.year, day.year + 1])
    pos = _calendar_pos(top)
    for year in missing:
        reader.warning(
            pos,
            f"the official holiday calendar has no data for {year}; until the "
            "chinesecalendar package (module chinese_calendar) is updated, working "
            "days are Monday-Friday (add holidays here, under settings.calendar, "
            "if needed)",
        )


def _calendar_pos(top: PMap) -> Position:
    """Where holidays are added: ``calendar:`` under settings, else ``settings:``."""
    settings = top.get("settings")
    inner = settings.key("calendar") if isinstance(settings, PMap) else None
    outer = top.key("settings")
    return inner.pos if inner else outer.pos if outer else top.pos


def _check_holiday_names(reader: Reader, top: PMap, nodes: Iterable[Node]) -> None:
    """Warn about extra holidays whose name no greeting knows.

    The greeting node picks its holiday line by this name; an unknown one
    (a typo, usually) silently gets the general greeting ``other``.
    """
    known = {*HOLIDAY_KEYS.values(), "other"}
    for node in nodes:
        if isinstance(node, GreetingNode):
            known |= set(node.holidays)
    for name in _extra_holiday_names(top):
        if name.value.strip() not in known:
            hint = suggest(name.value.strip(), known)
            reader.warning(
                name.pos,
                f"no holiday greeting is called {name.value.strip()!r}{hint}; "
                "callers will hear the general one ('other'). Known names: "
                f"{', '.join(sorted(known))}",
            )


def _extra_holiday_names(top: PMap) -> list[PScalar]:
    settings = top.get("settings")
    calendar = settings.get("calendar") if isinstance(settings, PMap) else None
    days = calendar.get("extra_holidays") if isinstance(calendar, PMap) else None
    entries = days.items if isinstance(days, PSeq) else ()
    names = (entry.get("name") for entry in entries if isinstance(entry, PMap))
    return [name for name in names if isinstance(name, PScalar)]


def _check_ticket_areas(reader: Reader, top: PMap, nodes: Iterable[Node]) -> None:
    """Warn about a message or complaint ``area`` that no queue node uses.

    Agents see and claim the tickets whose area is among their skills, which
    are queue names: an area like ``complaints`` (not ``q-complaints``)
    leaves its tickets to supervisors alone.
    """
    listed = list(nodes)
    queues = {node.queue for node in listed if isinstance(node, QueueNode)}
    section = top.get("nodes")
    for node in listed:
        if not isinstance(node, MessageNode) or not node.area:
            continue
        if node.area in queues:
            continue
        body = section.get(node.id) if isinstance(section, PMap) else None
        key = body.key("area") if isinstance(body, PMap) else None
        hint = suggest(node.area, queues)
        reader.warning(
            key.pos if key else top.pos,
            f"area {node.area!r} of {node.id!r} is no queue of this flow{hint}; "
            "agents only see tickets whose area is a queue in their skills. "
            f"Queues: {', '.join(sorted(queues))}",
        )
