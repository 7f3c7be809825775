"""Lay out a flow as a picture: boxes in columns, edges labelled with keys.

``ivr graph`` draws the flow for the people who edit ``menus.yaml``. The
layout is layered, left to right: a node's column is its distance from the
start node in caller steps, and within a column nodes follow the order of
the nodes that lead to them, which keeps most edges short and uncrossed.

An edge back to an earlier column (an announcement returning to its menu,
``*`` to the main menu) would cross the whole picture; it is written inside
the box instead (``↩ * → main-menu``), so every way out of a node is still
shown. The drawing itself is :mod:`ivr.flow.graph_svg`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise

from ivr.flow.model import (
    REPEAT,
    AnnouncementNode,
    Flow,
    GoodbyeNode,
    GreetingNode,
    HoursNode,
    MenuNode,
    Node,
    QueueNode,
)
from ivr.flow.query_model import QueryNode
from ivr.flow.ticket_model import FaxNode, MessageNode, TicketStatusNode
from ivr.prompts import PromptCatalog

__all__ = ["Box", "Edge", "Layout", "lay_out", "text_width"]

BOX_WIDTH = 340.0
COLUMN_GAP = 130.0
ROW_GAP = 18.0
MARGIN = 24.0
LINE_HEIGHT = 17.0
TITLE_HEIGHT = 24.0
PORT_SPACING = 16.0
FONT_SIZE = 12.0
_FIRST_WORDS = 16
"""Characters of a script shown after its prompt id."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A way from one node to another: ``label`` says when it is taken."""

    source: str
    target: str
    label: str
    style: str
    """``key``, ``campaign``, ``failure``, ``open``, ``closed`` or ``next``."""


@dataclass(slots=True)
class Box:
    """One node drawn as a box: what it is, what it plays, where it sits."""

    node_id: str
    kind: str
    lines: list[str]
    notes: list[str] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    height: float = 0.0

    @property
    def width(self) -> float:
        """Every box is as wide: columns line up."""
        return BOX_WIDTH


@dataclass(slots=True)
class Layout:
    """Boxes with their places, the edges drawn between them, the canvas size."""

    title: str
    boxes: dict[str, Box]
    edges: list[Edge]
    width: float = 0.0
    height: float = 0.0


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """About how wide ``text`` is drawn: CJK characters are square, others narrow."""
    return sum(size if _is_wide(ch) else size * 0.6 for ch in text)


def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def lay_out(flow: Flow, catalog: PromptCatalog | None) -> Layout:
    """Place every node of ``flow``; edges to earlier columns become notes."""
    edges = [edge for node in flow.nodes.values() for edge in edges_of(node)]
    ranks = _ranks(flow, edges)
    boxes = {node.id: _box(node, catalog) for node in flow.nodes.values()}
    drawn = [edge for edge in edges if ranks[edge.target] > ranks[edge.source]]
    for edge in edges:
        if ranks[edge.target] <= ranks[edge.source]:
            boxes[edge.source].notes.append(f"↩ {edge.label} → {edge.target}")
    layout = Layout(f"{flow.path} (version {flow.version})", boxes, drawn)
    _place(layout, _columns(flow, ranks, drawn))
    return layout


def edges_of(node: Node) -> list[Edge]:
    """Every way out of ``node``, keys to one target merged into one label."""
    match node:
        case GreetingNode() | AnnouncementNode():
            return [Edge(node.id, node.next, "next", "next")]
        case MenuNode():
            return _menu_edges(node)
        case HoursNode():
            return [
                Edge(node.id, node.open, "open", "open"),
                Edge(node.id, node.closed, "closed", "closed"),
            ]
        case QueueNode():
            return _queue_edges(node)
        case MessageNode() | TicketStatusNode() | FaxNode():
            return ticket_edges(node)
        case QueryNode():
            return _query_edges(node)
    return []


def _menu_edges(node: MenuNode) -> list[Edge]:
    by_target: dict[str, list[str]] = defaultdict(list)
    for key, target in node.options.items():
        if target != REPEAT:
            by_target[target].append(key)
    edges = [
        Edge(node.id, target, ", ".join(keys), "key")
        for target, keys in by_target.items()
    ]
    edges += [
        Edge(node.id, item.target, f"{item.key} · {item}", "campaign")
        for item in node.campaigns
    ]
    edges.append(Edge(node.id, node.on_no_input, "no input", "failure"))
    edges.append(Edge(node.id, node.on_invalid, "invalid", "failure"))
    return edges


def _queue_edges(node: QueueNode) -> list[Edge]:
    by_target: dict[str, list[str]] = defaultdict(list)
    for status, target in node.on_status.items():
        by_target[target].append(status)
    edges = [
        Edge(node.id, target, ", ".join(statuses), "closed")
        for target, statuses in by_target.items()
    ]
    edges.append(Edge(node.id, node.next, "not answered", "closed"))
    if node.answered:
        edges.append(Edge(node.id, node.answered, "after the agent", "next"))
    return edges


def ticket_edges(node: MessageNode | TicketStatusNode | FaxNode) -> list[Edge]:
    """A ticket node's ways out: on success (if not ending) and on failure."""
    edges = [Edge(node.id, node.on_fail, "desk down or given up", "failure")]
    if node.next:
        edges.insert(0, Edge(node.id, node.next, "done", "next"))
    return edges


def describe_ticket_node(
    node: MessageNode | TicketStatusNode | FaxNode,
) -> Iterator[str]:
    """What a ticket node does, in a line or two (after its own prompts)."""
    if isinstance(node, MessageNode):
        for part in node.parts:
            yield f"records {part.part}, up to {part.max_seconds:g} s"
        yield f"{node.kind} ticket for area {node.area or '(last queue)'}"
    elif isinstance(node, TicketStatusNode):
        yield "keys a ticket number, hears its state"
    else:
        yield "picks a document and a fax number"
    if not node.next:
        yield "reads back the ticket number, then ends the call"


def _query_edges(node: QueryNode) -> list[Edge]:
    ways = [
        (node.next, "answered", "next"),
        (node.on_not_found, "not found", "failure"),
        (node.on_locked, "locked out, # for help", "failure"),
        (node.on_unavailable, "unavailable", "failure"),
        (node.on_no_input, "no input", "failure"),
    ]
    return [
        Edge(node.id, target, label, style) for target, label, style in ways if target
    ]


def _ranks(flow: Flow, edges: list[Edge]) -> dict[str, int]:
    """Each node's distance from the start in caller steps (breadth first)."""
    targets: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        targets[edge.source].append(edge.target)
    ranks = {flow.start: 0}
    todo = [flow.start]
    while todo:
        source = todo.pop(0)
        for target in targets[source]:
            if target not in ranks:
                ranks[target] = ranks[source] + 1
                todo.append(target)
    deepest = max(ranks.values(), default=0)
    return {node_id: ranks.get(node_id, deepest + 1) for node_id in flow.nodes}


def _columns(flow: Flow, ranks: dict[str, int], drawn: list[Edge]) -> list[list[str]]:
    """Node ids by column, each column ordered by where its sources sit."""
    columns: list[list[str]] = [[] for _ in range(max(ranks.values()) + 1)]
    for node_id in flow.nodes:
        columns[ranks[node_id]].append(node_id)
    sources: dict[str, list[str]] = defaultdict(list)
    for edge in drawn:
        sources[edge.target].append(edge.source)
    for before, column in pairwise(columns):
        order = {node_id: index for index, node_id in enumerate(before)}
        column.sort(key=lambda node_id: _barycentre(sources[node_id], order))
    return columns


def _barycentre(sources: list[str], order: dict[str, int]) -> float:
    places = [order[source] for source in sources if source in order]
    return sum(places) / len(places) if places else float(len(order))


def _place(layout: Layout, columns: list[list[str]]) -> None:
    ports = _port_counts(layout.edges)
    for index, column in enumerate(columns):
        y = MARGIN
        for node_id in column:
            box = layout.boxes[node_id]
            box.x = MARGIN + index * (BOX_WIDTH + COLUMN_GAP)
            box.y = y
            box.height = _height(box, ports[node_id])
            y += box.height + ROW_GAP
        layout.height = max(layout.height, y + MARGIN)
    layout.width = MARGIN * 2 + len(columns) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP


def _port_counts(edges: list[Edge]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for edge in edges:
        counts[edge.source] += 1
        counts[edge.target] += 1
    return counts


def _height(box: Box, ports: int) -> float:
    text = TITLE_HEIGHT + LINE_HEIGHT * (len(box.lines) + len(box.notes)) + 8
    return max(text, PORT_SPACING * (ports + 1))


def _box(node: Node, catalog: PromptCatalog | None) -> Box:
    return Box(node.id, node.kind, list(_describe(node, catalog)))


def _describe(node: Node, catalog: PromptCatalog | None) -> Iterator[str]:
    match node:
        case GreetingNode():
            for part, prompt in node.by_part.items():
                yield f"{part}: {_prompt_line(prompt, catalog)}"
            yield f"+ holiday greeting ({len(node.holidays)} holidays)"
        case MenuNode():
            yield from (_prompt_line(p, catalog) for p in node.prompts)
            for item in node.campaigns:
                yield f"{item}: {_prompt_line(item.prompts[0], catalog)}"
            if REPEAT in node.options.values():
                yield "# repeats the menu"
        case HoursNode():
            yield "open on working days in service hours"
        case QueueNode():
            yield f"queue {node.queue}, {node.timeout:g} s"
            yield from (_prompt_line(p, catalog) for p in node.prompts)
        case QueryNode():
            yield f"{node.backend} {node.query}: {', '.join(node.inputs)}"
            yield f"verify {node.verify}, {node.attempts} tries a call"
            yield f"says {', '.join(item.name for item in node.say)}"
        case AnnouncementNode() | GoodbyeNode():
            yield from (_prompt_line(p, catalog) for p in node.prompts)
            if isinstance(node, GoodbyeNode) and node.closing:
                yield f"+ {', '.join(node.closing)} (by holiday on holidays)"
        case MessageNode() | TicketStatusNode() | FaxNode():
            yield from (_prompt_line(p, catalog) for p in node.prompts)
            yield from describe_ticket_node(node)


def _prompt_line(prompt_id: str, catalog: PromptCatalog | None) -> str:
    """``id: first words…`` of the prompt's Mandarin script."""
    script = catalog.text_or_none(prompt_id) if catalog else None
    if not script:
        return prompt_id
    words = script if len(script) <= _FIRST_WORDS else f"{script[:_FIRST_WORDS]}…"
    return f"{prompt_id}: {words}"
