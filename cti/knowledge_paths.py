"""Which nodes of a flow speak which prompts, and the keys that lead there.

The knowledge base (:mod:`cti.knowledge`) tells an agent where in the voice
menu a caller heard a text: the node that played it and the shortest row of
keys from the start (``1-2``: key 1 in the main menu, then key 2). Both are
read from the checked :class:`~ivr.flow.Flow` the IVR runs, never from a
second description of the menu.

Prompts are found without a list of node kinds: every string held by a
node's fields (tuples, mappings and nested values such as campaign items
included) that the catalog knows as a prompt id is a prompt the node plays,
except the node ids it leads to (:func:`ivr.flow.reachability.successors`),
which may share a name with a prompt. A node kind added later (a query, a
voice message) is covered as soon as the checker builds it.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ivr.flow import Flow, MenuNode, Node
from ivr.flow.query_model import QueryNode, fixed_prompts
from ivr.flow.reachability import successors
from ivr.flow.ticket_model import (
    FAX_PROMPTS,
    RECORDING_PROMPTS,
    STATUS_PROMPTS,
    FaxNode,
    MessageNode,
    TicketStatusNode,
)
from ivr.prompts import PromptCatalog

__all__ = ["Speaker", "key_paths", "speakers_by_prompt"]

_NOT_PROMPTS = frozenset({"id", "pos"})
"""Node fields that never hold a prompt id."""

SILENCE = "silence"
"""The step label of a menu left because the caller pressed nothing."""

WRONG_KEY = "wrong-key"
"""The step label of a menu left after wrong keys."""


@dataclass(frozen=True, slots=True)
class Speaker:
    """A node that plays a prompt: its id, kind, field, and the keys to it.

    ``field`` names where the node holds the prompt (``prompts``,
    ``no_input``, ``holiday_closing.national_day``...), which says when the
    caller hears it; ``path`` is the keys from the start (``""`` before the
    first menu choice, ``None`` when no caller can reach the node).
    """

    node_id: str
    kind: str
    field: str
    path: str | None

    def to_json(self) -> dict[str, str | None]:
        """The speaker as the API shows it."""
        return {
            "node": self.node_id,
            "kind": self.kind,
            "field": self.field,
            "path": self.path,
        }


def speakers_by_prompt(flow: Flow, catalog: PromptCatalog) -> dict[str, list[Speaker]]:
    """Every prompt id the flow plays -> the nodes that play it, in file order."""
    paths = key_paths(flow)
    found: dict[str, list[Speaker]] = {}
    for node in flow.nodes.values():
        targets = set(successors(node))
        for where, value in _strings(node):
            if catalog.has(value) and value not in targets:
                speaker = Speaker(node.id, node.kind, where, paths.get(node.id))
                if speaker not in found.setdefault(value, []):
                    found[value].append(speaker)
        for value in fixed_wording(node):
            speaker = Speaker(node.id, node.kind, FIXED, paths.get(node.id))
            if catalog.has(value) and speaker not in found.setdefault(value, []):
                found[value].append(speaker)
    return found


FIXED = "fixed wording"
"""The field named for lines a node kind says by itself (not in menus.yaml)."""


def fixed_wording(node: Node) -> tuple[str, ...]:
    """The prompts a node says in its kind's fixed wording: the review keys
    and read-back of a message, the states of a ticket, a query's requests
    and refusals. Agents see where these lines are said like any other."""
    match node:
        case QueryNode():
            return fixed_prompts(node.inputs, node.verify)
        case MessageNode():
            return RECORDING_PROMPTS
        case TicketStatusNode():
            return STATUS_PROMPTS
        case FaxNode():
            return FAX_PROMPTS
    return ()


def _strings(node: Node) -> Iterator[tuple[str, str]]:
    """Each string held by a node's fields, with the field path it sits at."""
    for item in dataclasses.fields(node):
        if item.name not in _NOT_PROMPTS:
            yield from _walk(item.name, getattr(node, item.name))


def _walk(where: str, value: object) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(f"{where}.{key}", item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _walk(where, item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _walk(where, getattr(value, item.name))


def key_paths(flow: Flow) -> dict[str, str]:
    """The fewest caller steps from the start to each reachable node.

    A menu key is a step (written as the key), as is leaving a menu by
    silence or wrong keys; going on by itself (``next``, the hours check,
    a queue's outcome) is not. Among equally short rows the smallest keys
    win, so the answer does not depend on dict order.
    """
    best: dict[str, str] = {}
    todo: list[tuple[int, tuple[str, ...], str]] = [(0, (), flow.start)]
    while todo:
        _, labels, node_id = heapq.heappop(todo)
        if node_id in best or node_id not in flow.nodes:
            continue
        best[node_id] = "-".join(labels)
        for label, target in _edges(flow.nodes[node_id]):
            if target not in best:
                row = (*labels, label) if label else labels
                heapq.heappush(todo, (len(row), row, target))
    return best


def _edges(node: Node) -> list[tuple[str, str]]:
    """Where a node leads, each with its step label (``""``: no step)."""
    if not isinstance(node, MenuNode):
        return [("", target) for target in successors(node)]
    keyed = [(key, target) for key, target in node.options.items()]
    keyed += [(item.key, item.target) for item in node.campaigns]
    keyed += [(SILENCE, node.on_no_input), (WRONG_KEY, node.on_invalid)]
    targets = frozenset(successors(node))
    return [(label, target) for label, target in keyed if target in targets]
