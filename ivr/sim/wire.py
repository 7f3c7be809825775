"""Asterisk's side of the FastAGI wire: command parsing and fixed replies.

Pure functions and constants, no I/O. Everything here follows
``res/res_agi.c`` of Asterisk 22 (``parse_args``, ``find_command``, the
command table and ``setup_env``) and is written independently of the
project's own AGI client (``ivr.agi``), so the two check each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AGI_BUF_LEN",
    "COMMANDS",
    "HANGUP_NOTICE",
    "INVALID_COMMAND",
    "MAX_ARGS",
    "NOT_PERMITTED",
    "SHOW_USAGE",
    "CommandSpec",
    "find_command",
    "parse_args",
]

MAX_ARGS = 128
"""``MAX_ARGS`` in res_agi.c: at most 127 words reach a handler."""

AGI_BUF_LEN = 8192
"""``AGI_BUF_LEN`` in res_agi.c: a command line longer than this is split."""

HANGUP_NOTICE = "HANGUP\n"
"""run_agi() sends this to a FastAGI peer once it sees the channel gone."""

INVALID_COMMAND = "510 Invalid or unknown command\n"
NOT_PERMITTED = "511 Command Not Permitted on a dead channel or intercept routine\n"
SHOW_USAGE = "520 Invalid command syntax.  Proper usage not available.\n"
"""The one-line 520 of an Asterisk built without XML documentation."""


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One entry of res_agi.c's ``commands[]`` table (plus app_stack's GOSUB).

    ``dead`` is the table's last column: whether the command may run once the
    channel has hung up (otherwise ``511``).
    """

    words: tuple[str, ...]
    dead: bool

    @property
    def name(self) -> str:
        """The command as written on the wire, upper case (``GET DATA``)."""
        return " ".join(self.words).upper()


def _spec(words: str, dead: bool) -> CommandSpec:
    return CommandSpec(tuple(words.split()), dead)


COMMANDS: tuple[CommandSpec, ...] = (
    _spec("answer", False),
    _spec("asyncagi break", True),
    _spec("channel status", False),
    _spec("database del", True),
    _spec("database deltree", True),
    _spec("database get", True),
    _spec("database put", True),
    _spec("exec", True),
    _spec("get data", False),
    _spec("get full variable", True),
    _spec("get option", False),
    _spec("get variable", True),
    _spec("hangup", False),
    _spec("noop", True),
    _spec("receive char", False),
    _spec("receive text", False),
    _spec("record file", False),
    _spec("say alpha", False),
    _spec("say digits", False),
    _spec("say number", False),
    _spec("say phonetic", False),
    _spec("say date", False),
    _spec("say time", False),
    _spec("say datetime", False),
    _spec("send image", False),
    _spec("send text", False),
    _spec("set autohangup", False),
    _spec("set callerid", False),
    _spec("set context", False),
    _spec("set extension", False),
    _spec("set music", False),
    _spec("set priority", False),
    _spec("set variable", True),
    _spec("stream file", False),
    _spec("control stream file", False),
    _spec("tdd mode", False),
    _spec("verbose", True),
    _spec("wait for digit", False),
    _spec("speech create", False),
    _spec("speech set", False),
    _spec("speech destroy", True),
    _spec("speech load grammar", False),
    _spec("speech unload grammar", True),
    _spec("speech activate grammar", False),
    _spec("speech deactivate grammar", False),
    _spec("speech recognize", False),
    # apps/app_stack.c registers GOSUB with res_agi (gosub_agi_command).
    _spec("gosub", False),
)


def find_command(argv: Sequence[str]) -> CommandSpec | None:
    """Return the command whose words start ``argv`` (case-insensitive).

    Like res_agi.c's ``find_command(argv, 0)``: every word of the command must
    be present, extra words are its arguments; an incomplete or unknown
    command is ``None`` (the caller answers ``510``).
    """
    lowered = [word.lower() for word in argv]
    for spec in COMMANDS:
        if tuple(lowered[: len(spec.words)]) == spec.words:
            return spec
    return None


class _ArgSplitter:
    """The state machine of res_agi.c's ``parse_args``."""

    def __init__(self) -> None:
        self.args: list[str] = []
        self.quoted = False
        self.escaped = False
        self.between_words = True

    def feed(self, char: str) -> None:
        if char == '"' and not self.escaped:
            self._toggle_quote()
        elif char in " \t" and not (self.quoted or self.escaped):
            self.between_words = True
        elif char == "\\" and not self.escaped:
            self.escaped = True
        else:
            self._literal(char)

    def _toggle_quote(self) -> None:
        self.quoted = not self.quoted
        if self.quoted and self.between_words:
            # An opening quote after white space starts a word, even an empty
            # one: ``SET VARIABLE X ""`` has four arguments.
            self._start_word()
        self.escaped = False

    def _literal(self, char: str) -> None:
        if self.between_words:
            if len(self.args) >= MAX_ARGS - 1:
                # "Too many arguments, truncating": the rest is dropped.
                return
            self._start_word()
        self.args[-1] += char
        self.escaped = False

    def _start_word(self) -> None:
        if len(self.args) < MAX_ARGS - 1:
            self.args.append("")
        self.between_words = False


def parse_args(line: str) -> list[str]:
    """Split one command line into words as Asterisk does.

    Double quotes group words (and may produce empty words), a backslash
    makes the next character literal (it is itself dropped), quotes inside a
    word just toggle quoting, at most ``MAX_ARGS - 1`` words are kept. The
    line must already be stripped of its ``\\n`` (a ``\\r`` stays in the last
    word, as in Asterisk).
    """
    splitter = _ArgSplitter()
    for char in line:
        splitter.feed(char)
    return splitter.args
