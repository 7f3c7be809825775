"""YAML with positions: every mapping, key, sequence and scalar keeps its place.

A plain ``yaml.safe_load`` loses where things were written and silently keeps
the last of two equal keys, so an ops typo such as two ``"1":`` entries in one
menu would vanish without a word. This module reads the node graph from
``yaml.compose`` (whose marks carry line and column) into a small tree of
:class:`PScalar`, :class:`PSeq` and :class:`PMap`, and lists every duplicate
key with both of its positions.

Scalars keep their raw text: ``09:00`` stays ``"09:00"`` (YAML 1.1 would read
it as the sexagesimal number 540) and ``2026-02-30`` stays a string the
checker can reject with a clear message instead of a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

__all__ = [
    "DuplicateKey",
    "PMap",
    "PNode",
    "PScalar",
    "PSeq",
    "Position",
    "YamlDocument",
    "YamlSyntaxError",
    "parse_yaml",
]


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a file, 1-based as editors and compilers show it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class PScalar:
    """A scalar with its raw text; ``plain`` is false when it was quoted."""

    value: str
    pos: Position
    plain: bool = True

    @property
    def is_null(self) -> bool:
        """True for an empty or ``null``/``~`` plain scalar."""
        return self.plain and self.value in ("", "~", "null", "Null", "NULL")


@dataclass(frozen=True, slots=True)
class PSeq:
    """A sequence of nodes."""

    items: tuple[PNode, ...]
    pos: Position


@dataclass(frozen=True, slots=True)
class PMap:
    """A mapping with scalar keys, in file order (last value wins on repeats)."""

    entries: tuple[tuple[PScalar, PNode], ...]
    pos: Position

    def get(self, name: str) -> PNode | None:
        """Return the value under ``name``, or ``None`` when absent."""
        found: PNode | None = None
        for key, value in self.entries:
            if key.value == name:
                found = value
        return found

    def key(self, name: str) -> PScalar | None:
        """Return the key node ``name`` (for its position), or ``None``."""
        for key, _ in self.entries:
            if key.value == name:
                return key
        return None

    @property
    def names(self) -> list[str]:
        """The keys, in file order."""
        return [key.value for key, _ in self.entries]


PNode = PScalar | PSeq | PMap


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key written twice in one mapping."""

    name: str
    first: Position
    second: Position


@dataclass(slots=True)
class YamlDocument:
    """The parsed tree plus the duplicate keys found while reading it."""

    root: PNode | None
    duplicates: list[DuplicateKey] = field(default_factory=list)


class YamlSyntaxError(ValueError):
    """The text is not valid YAML; ``pos`` is where the parser gave up."""

    def __init__(self, message: str, pos: Position) -> None:
        super().__init__(f"{pos}: {message}")
        self.message = message
        self.pos = pos


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse one YAML document from ``text``, naming ``file`` in positions.

    Raises :class:`YamlSyntaxError` for text PyYAML cannot compose.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _position(mark, file)
        raise YamlSyntaxError(str(exc.problem or exc), pos) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Position(file, 1, 1)) from exc
    document = YamlDocument(root=None)
    if node is not None:
        document.root = _convert(node, file, document.duplicates)
    return document


def _position(mark: yaml.Mark | None, file: str) -> Position:
    if mark is None:
        return Position(file, 1, 1)
    return Position(file, mark.line + 1, mark.column + 1)


def _convert(node: yaml.Node, file: str, duplicates: list[DuplicateKey]) -> PNode:
    pos = _position(node.start_mark, file)
    if isinstance(node, yaml.MappingNode):
        return _convert_map(node, pos, file, duplicates)
    if isinstance(node, yaml.SequenceNode):
        items = tuple(_convert(item, file, duplicates) for item in node.value)
        return PSeq(items, pos)
    assert isinstance(node, yaml.ScalarNode)
    return PScalar(str(node.value), pos, plain=node.style is None)


def _convert_map(
    node: yaml.MappingNode, pos: Position, file: str, duplicates: list[DuplicateKey]
) -> PMap:
    entries: list[tuple[PScalar, PNode]] = []
    seen: dict[str, Position] = {}
    for key_node, value_node in node.value:
        key = _convert(key_node, file, duplicates)
        if not isinstance(key, PScalar):
            key = PScalar("", key.pos, plain=False)
        if key.value in seen:
            duplicates.append(DuplicateKey(key.value, seen[key.value], key.pos))
        seen.setdefault(key.value, key.pos)
        entries.append((key, _convert(value_node, file, duplicates)))
    return PMap(tuple(entries), pos)
