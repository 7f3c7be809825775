"""Which nodes no caller can reach from ``start``: an error, told once per node.

A node nothing leads to is dead flow (often a menu key someone forgot to
add), so ``ivr check`` fails on it. A single typo must not bury the real
mistake under a cascade of "no caller can reach" lines, though, so the walk
over-approximates where the file is already wrong:

- a node with an error anywhere in its lines (unknown ``kind``, a misspelt
  ``nxt:``, a key written twice, ...) is followed through every value under
  it that names a declared node, so whatever it was meant to lead to still
  counts as reached;
- a target naming no node (already an error with a "did you mean") is
  followed to the node the hint suggests.

A correct file gets the exact answer; a broken one reports at most the nodes
that stay unreachable even when its mistakes are read charitably.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable

from ivr.flow.model import REPEAT, HoursNode, MenuNode, Node, QueueNode
from ivr.flow.problems import Problem, Reader, Severity, close_match
from ivr.flow.query_model import QueryNode
from ivr.flow.yamlpos import PMap, PNode, PScalar, PSeq

__all__ = ["check_reachable", "successors"]


def successors(node: Node) -> list[str]:
    """The node ids a node can lead to (empty ids and ``repeat`` left out)."""
    found: list[str] = [getattr(node, "next", ""), getattr(node, "on_fail", "")]
    if isinstance(node, MenuNode):
        found += [*node.options.values(), node.on_no_input, node.on_invalid]
        found += [item.target for item in node.campaigns]
    if isinstance(node, HoursNode):
        found += [node.open, node.closed]
    if isinstance(node, QueueNode):
        found += [*node.on_status.values(), node.answered]
    if isinstance(node, QueryNode):
        found += [node.on_locked, node.on_unavailable, node.on_not_found]
        found.append(node.on_no_input)
    return [node_id for node_id in found if node_id and node_id != REPEAT]


def check_reachable(
    reader: Reader, start: str, nodes: Iterable[Node], section: PNode | None
) -> None:
    """Report, as errors, the declared nodes no caller can reach from ``start``.

    ``section`` is the raw ``nodes:`` mapping; the errors ``reader`` holds so
    far decide which nodes are read charitably (see the module docstring).
    """
    if not isinstance(section, PMap):
        return
    declared = set(section.names)
    first = _resolve(start, declared)
    if first is None:
        return
    broken = _with_errors(reader.problems, section)
    walk = _Walk({node.id: node for node in nodes}, section, broken, declared)
    seen = walk.reach(first)
    built = walk.built
    for key, _ in _first_entries(section):
        if key.value in seen:
            continue
        node = built.get(key.value)
        what = f"{node.kind} {node.id!r}" if node else f"node {key.value!r}"
        reader.error(
            key.pos,
            f"no caller can reach {what} from start {start!r}; "
            "link it from a menu or delete it",
        )


class _Walk:
    """The node graph, with the charitable edges of broken nodes."""

    def __init__(
        self,
        built: dict[str, Node],
        section: PMap,
        broken: Collection[str],
        declared: set[str],
    ) -> None:
        self.built = built
        self.bodies = {key.value: body for key, body in _first_entries(section)}
        self.broken = broken
        self.declared = declared

    def reach(self, first: str) -> set[str]:
        """Every declared node reachable from ``first``."""
        seen: set[str] = set()
        todo = [first]
        while todo:
            node_id = todo.pop()
            if node_id not in seen:
                seen.add(node_id)
                todo.extend(self.edges(node_id))
        return seen

    def edges(self, node_id: str) -> list[str]:
        """Where ``node_id`` leads, resolved to declared nodes."""
        node = self.built.get(node_id)
        targets = [_resolve(t, self.declared) for t in successors(node)] if node else []
        if node is None or node_id in self.broken:
            body = self.bodies.get(node_id)
            targets += [word for word in _words(body) if word in self.declared]
        return [target for target in targets if target is not None]


def _with_errors(problems: Iterable[Problem], section: PMap) -> set[str]:
    """The ids of the nodes with an error between their id and the next id."""
    starts = sorted((key.pos.line, key.value) for key, _ in section.entries)
    broken: set[str] = set()
    for problem in problems:
        if problem.severity is Severity.ERROR and problem.file == section.pos.file:
            index = bisect.bisect_right(starts, (problem.line, "\uffff")) - 1
            if index >= 0:
                broken.add(starts[index][1])
    return broken


def _resolve(node_id: str, declared: set[str]) -> str | None:
    """``node_id`` itself, or the declared node a typo most likely meant."""
    return node_id if node_id in declared else close_match(node_id, declared)


def _first_entries(section: PMap) -> list[tuple[PScalar, PNode]]:
    """The entries of ``section``, a duplicated id kept at its first place."""
    first: dict[str, tuple[PScalar, PNode]] = {}
    for key, value in section.entries:
        first.setdefault(key.value, (key, value))
    return list(first.values())


def _words(node: PNode | None) -> list[str]:
    """Every scalar value under ``node`` (mapping keys left out)."""
    if isinstance(node, PScalar):
        return [node.value.strip()]
    if isinstance(node, PSeq):
        return [word for item in node.items for word in _words(item)]
    if isinstance(node, PMap):
        return [word for _, value in node.entries for word in _words(value)]
    return []
