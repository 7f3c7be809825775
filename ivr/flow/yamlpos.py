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

Syntax errors are told in plain words for the people who edit the file (a tab
used for indentation, an unquoted ':' in a text, a binary file), not in the
parser's own terms, and point at the place to fix.
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
    "parse_yaml_bytes",
]

_NOT_YAML = "not valid YAML: "
_ADVICE: tuple[tuple[str, str, bool], ...] = (
    ("found character '\\t'", "a tab is used for indentation; use spaces", False),
    (
        "mapping values are not allowed here",
        "check the indentation and that text with ':' is in quotes",
        False,
    ),
    ("could not find expected ':'", "a line has no ':' after its name", True),
    ("expected <block end>", "this line does not line up with the lines above", False),
    ("found unexpected end of stream", "a quote is opened here but never closed", True),
    ("expected ',' or ']'", "a list opened here with '[' is not closed with ']'", True),
    ("expected ',' or '}'", "a '{' opened here is not closed with '}'", True),
)
"""PyYAML's problem text -> plain advice, and whether the place to fix is where
the construct began (the context mark) rather than where the parser gave up."""


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


def parse_yaml_bytes(data: bytes, file: str) -> YamlDocument:
    """Decode ``data`` as UTF-8 and parse it; see :func:`parse_yaml`.

    Raises :class:`YamlSyntaxError` when the bytes are not UTF-8 text.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        binary = b"\0" in data
        where = data.index(b"\0") if binary else exc.start
        line = data.count(b"\n", 0, where) + 1
        column = where - (data.rfind(b"\n", 0, where) + 1) + 1
        message = "this is not a text file" if binary else _NOT_UTF8
        raise YamlSyntaxError(message, Position(file, line, column)) from exc
    return parse_yaml(text, file)


_NOT_UTF8 = "the file is not saved as UTF-8 text; save it as UTF-8"


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse one YAML document from ``text``, naming ``file`` in positions.

    Raises :class:`YamlSyntaxError` for text PyYAML cannot compose, with
    advice in plain words where the mistake is a common one.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file) from exc
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(_NOT_YAML + str(exc), Position(file, 1, 1)) from exc
    document = YamlDocument(root=None)
    if node is not None:
        document.root = _convert(node, file, document.duplicates)
    return document


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> YamlSyntaxError:
    problem = str(exc.problem or exc)
    for phrase, advice, at_start in _ADVICE:
        if phrase in problem:
            mark = (exc.context_mark if at_start else None) or exc.problem_mark
            return YamlSyntaxError(_NOT_YAML + advice, _position(mark, file))
    mark = exc.problem_mark or exc.context_mark
    return YamlSyntaxError(_NOT_YAML + problem, _position(mark, file))


def _reader_error(
    exc: yaml.reader.ReaderError, text: str, file: str
) -> YamlSyntaxError:
    """A character YAML refuses: NUL means a binary file, others a stray code."""
    index = exc.position
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    if exc.character == 0:
        message = "this is not a text file"
    else:
        message = (
            f"the invisible control character #x{exc.character:04x} cannot be in "
            "the file; delete it"
        )
    return YamlSyntaxError(message, Position(file, line, column))


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
