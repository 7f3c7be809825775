"""Outgoing AMI actions and their framing on the wire.

manager.c reads an action into ``struct message`` with at most
``AST_MAX_MANHEADERS`` (128) headers (include/asterisk/manager.h) and each
line through a 1025-byte ``inbuf`` whose last byte is the NUL: a line of
more than 1022 bytes before its CRLF is refused with "Failed to parse
message: line too long", an error that may lack our ActionID (field case
F33). We check before sending, put ActionID first so it is always parsed,
and refuse CR or LF inside values (they would split the action).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cti.ami.errors import ActionFramingError

__all__ = [
    "MAX_HEADERS",
    "MAX_LINE_BYTES",
    "Action",
    "frame_action",
    "split_variables",
    "variable_lines",
]

MAX_HEADERS = 128
MAX_LINE_BYTES = 1022

# Characters that manager.c's AST_STANDARD_APP_ARGS treats specially inside a
# Variable header (man_do_variable_value): a pair holding one is sent alone.
_SPECIAL = frozenset(',"()[]{}\\')
# man_do_variable_value splits at most 64 pairs out of one header.
_PAIRS_PER_LINE = 64


@dataclass(frozen=True, slots=True)
class Action:
    """An action to send: its name and ordered headers (repeats allowed).

    ActionID is added by the client when framing; do not put it here.
    """

    name: str
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def build(cls, name: str, *pairs: tuple[str, str], **fields: object) -> Action:
        """Make an action from pairs and keyword fields, in that order.

        Booleans become ``true``/``false`` as manager.c's ast_true reads them;
        None values are left out.
        """
        items = list(pairs)
        items += [
            (key, _text(value)) for key, value in fields.items() if value is not None
        ]
        return cls(name, tuple(items))

    def plus(self, pairs: Iterable[tuple[str, str]]) -> Action:
        """Return a copy with ``pairs`` appended."""
        return Action(self.name, self.headers + tuple(pairs))

    def get(self, name: str, default: str = "") -> str:
        """Return the first value of header ``name`` (any case)."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), default)


def frame_action(action: Action, action_id: str) -> bytes:
    """Return the wire bytes: ActionID first, then Action, headers, blank line.

    Raises :class:`ActionFramingError` when a line is too long, there are
    too many headers, or a name or value would break the framing.
    """
    pairs = [("ActionID", action_id), ("Action", action.name), *action.headers]
    if len(pairs) > MAX_HEADERS:
        raise ActionFramingError(
            f"{action.name}: {len(pairs)} headers, manager.c accepts {MAX_HEADERS}"
        )
    lines = [_frame_line(action.name, key, value) for key, value in pairs]
    return b"".join(lines) + b"\r\n"


def variable_lines(variables: Mapping[str, str]) -> list[str]:
    """Pack ``name=value`` pairs into as few ``Variable`` values as fit.

    Pairs are joined with ',' (man_do_variable_value splits them again) up to
    64 a line and the line limit; a pair with a character the splitter
    treats specially travels alone.
    """
    lines: list[str] = []
    current: list[str] = []
    for name, value in variables.items():
        pair = f"{name}={value}"
        if _SPECIAL.intersection(pair):
            lines += [",".join(current)] if current else []
            lines.append(pair)
            current = []
            continue
        if current and not _fits([*current, pair]):
            lines.append(",".join(current))
            current = []
        current.append(pair)
    if current:
        lines.append(",".join(current))
    return lines


def split_variables(action: Action, variables: Mapping[str, str]) -> list[Action]:
    """Return copies of ``action`` that carry ``variables`` within the limits.

    For actions that may be repeated with part of the variables each
    (Setvar-like uses, UserEvent); an Originate must fit in one, so callers
    check ``len(result) == 1`` there.
    """
    room = MAX_HEADERS - 2 - len(action.headers)
    if room < 1:
        raise ActionFramingError(f"{action.name}: no room left for Variable headers")
    values = variable_lines(variables)
    chunks = [values[i : i + room] for i in range(0, len(values), room)] or [[]]
    return [action.plus(("Variable", value) for value in chunk) for chunk in chunks]


def _fits(pairs: list[str]) -> bool:
    line = "Variable: " + ",".join(pairs)
    return len(pairs) <= _PAIRS_PER_LINE and len(line.encode()) <= MAX_LINE_BYTES


def _frame_line(action_name: str, key: str, value: str) -> bytes:
    if not key or any(c in key for c in ":\r\n") or key != key.strip():
        raise ActionFramingError(f"{action_name}: bad header name {key!r}")
    if "\r" in value or "\n" in value:
        raise ActionFramingError(f"{action_name}: CR or LF in the value of {key}")
    line = f"{key}: {value}".encode()
    if len(line) > MAX_LINE_BYTES:
        raise ActionFramingError(
            f"{action_name}: {key} line is {len(line)} bytes, "
            f"manager.c accepts {MAX_LINE_BYTES}"
        )
    return line + b"\r\n"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
