"""Problems found in ``menus.yaml``, and the typed reading that finds them.

A :class:`Problem` prints like a compiler message (``menus.yaml:12:5: error:
...``) so editors can jump to it. :class:`Reader` turns positional YAML into
plain values, recording a problem (in words ops can act on) instead of
raising, so one check reports every mistake at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum

from ivr.flow.yamlpos import PMap, PNode, Position, PScalar, PSeq

__all__ = ["Problem", "Reader", "Severity", "close_match", "suggest"]

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_TRUE = ("true", "yes", "on")
_FALSE = ("false", "no", "off")


class Severity(StrEnum):
    """How bad a problem is: errors stop the flow from loading.

    Notes are facts ops may want to know (a language route falling back to
    Mandarin), not problems: only ``ivr check`` prints them.
    """

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing to fix (error) or to look at (warning) in a file."""

    severity: Severity
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.severity.value}: {self.message}"


def close_match(word: str, choices: Collection[str]) -> str | None:
    """The choice closest to ``word``, or ``None`` when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: str, choices: Collection[str]) -> str:
    """A ``" (did you mean 'x'?)"`` hint, or ``""`` when nothing is close."""
    close = close_match(word, choices)
    return f" (did you mean {close!r}?)" if close else ""


@dataclass(slots=True)
class Reader:
    """Collects problems while reading values out of positional YAML."""

    problems: list[Problem] = field(default_factory=list)
    prompt_refs: list[tuple[str, Position]] = field(default_factory=list)
    node_refs: list[tuple[str, Position]] = field(default_factory=list)
    query_refs: list[tuple[PScalar, PScalar]] = field(default_factory=list)
    """Each query node's ``backend:`` and ``query:``, for the backends check."""

    def prompts(self, node: PNode | None, what: str) -> tuple[str, ...] | None:
        """Prompt ids (one or a list), remembered for the catalog check."""
        ids = self.texts(node, what)
        if node is not None and ids is not None:
            items = node.items if isinstance(node, PSeq) else (node,)
            self.prompt_refs.extend(
                (node_value(item).strip(), item.pos) for item in items
            )
        return ids

    def target(self, node: PNode | None, what: str) -> str | None:
        """A node id to go to, remembered for the reference check."""
        node_id = self.text(node, what)
        if node is not None and node_id is not None:
            self.node_refs.append((node_id, node.pos))
        return node_id

    def error(self, pos: Position, message: str) -> None:
        """Record an error at ``pos``."""
        self._add(Severity.ERROR, pos, message)

    def warning(self, pos: Position, message: str) -> None:
        """Record a warning at ``pos``."""
        self._add(Severity.WARNING, pos, message)

    def _add(self, severity: Severity, pos: Position, message: str) -> None:
        problem = Problem(severity, pos.file, pos.line, pos.column, message)
        self.problems.append(problem)

    def mapping(self, node: PNode | None, what: str) -> PMap | None:
        """``node`` as a mapping, or ``None`` (with an error) when it is not."""
        if node is None or isinstance(node, PMap):
            return node
        self.error(node.pos, f"{what} must be a list of 'name: value' lines")
        return None

    def fields(self, node: PMap, allowed: Collection[str], what: str) -> None:
        """Report every key of ``node`` that is not in ``allowed``."""
        for key, _ in node.entries:
            if key.value not in allowed:
                hint = suggest(key.value, allowed)
                self.error(key.pos, f"{what} has no setting {key.value!r}{hint}")

    def text(self, node: PNode | None, what: str) -> str | None:
        """A non-empty string, or ``None`` (with an error when present)."""
        if node is None:
            return None
        if isinstance(node, PScalar) and not node.is_null and node.value.strip():
            return node.value.strip()
        self.error(node.pos, f"{what} must be a single word or text")
        return None

    def texts(self, node: PNode | None, what: str) -> tuple[str, ...] | None:
        """One string or a list of strings, as a tuple."""
        if node is None:
            return None
        if isinstance(node, PSeq):
            items = [self.text(item, what) for item in node.items]
            return tuple(item for item in items if item is not None)
        single = self.text(node, what)
        return None if single is None else (single,)

    def number(
        self,
        node: PNode | None,
        what: str,
        low: float = 0,
        high: float | None = None,
    ) -> float | None:
        """A number of at least ``low`` (and at most ``high``, if given)."""
        scalar = self._scalar(node)
        try:
            value = float(scalar.value) if scalar else None
        except ValueError:
            value = None
        too_high = high is not None and value is not None and value > high
        if node is not None and (value is None or value < low or too_high):
            wanted = f"from {low:g} to {high:g}" if high else f"at least {low:g}"
            self.error(node.pos, f"{what} must be a number, {wanted}")
            return None
        return value

    def integer(
        self, node: PNode | None, what: str, low: int = 0, high: int | None = None
    ) -> int | None:
        """A whole number of at least ``low`` (and at most ``high``, if given)."""
        scalar = self._scalar(node)
        ok = scalar is not None and scalar.value.isdigit()
        if node is None:
            return None
        value = int(node_value(node)) if ok else low - 1
        if value < low or (high is not None and value > high):
            bounds = f"at least {low}" if high is None else f"from {low} to {high}"
            self.error(node.pos, f"{what} must be a whole number, {bounds}")
            return None
        return value

    def flag(self, node: PNode | None, what: str) -> bool | None:
        """A yes/no value."""
        scalar = self._scalar(node)
        word = scalar.value.lower() if scalar else ""
        if node is not None and word not in _TRUE + _FALSE:
            self.error(node.pos, f"{what} must be yes or no")
            return None
        return None if node is None else word in _TRUE

    def clock_time(self, node: PScalar, raw: str, what: str) -> time | None:
        """A ``HH:MM`` time of day written in ``raw``, located at ``node``."""
        match = _TIME.match(raw.strip())
        hour, minute = (int(match[1]), int(match[2])) if match else (99, 99)
        if hour > 23 or minute > 59:
            self.error(
                node.pos,
                f"{what} {raw.strip()!r} is not a time of day; "
                "write HH:MM between 00:00 and 23:59",
            )
            return None
        return time(hour, minute)

    def day(self, node: PNode | None, what: str) -> date | None:
        """A ``YYYY-MM-DD`` calendar date that exists."""
        if node is None:
            return None
        scalar = self._scalar(node)
        try:
            if scalar is not None:
                return date.fromisoformat(scalar.value)
        except ValueError:
            pass
        self.error(
            node.pos,
            f"{what} {node_value(node)!r} is not a real date; write YYYY-MM-DD",
        )
        return None

    def _scalar(self, node: PNode | None) -> PScalar | None:
        return node if isinstance(node, PScalar) and not node.is_null else None


def node_value(node: PNode) -> str:
    """The raw text of a scalar, or ``""`` for a list or mapping."""
    return node.value if isinstance(node, PScalar) else ""
