"""Framing of the AGI commands we send to Asterisk.

A command is one line ending in ``\\n``. Asterisk splits it with
res/res_agi.c parse_args: words separate on spaces and tabs, ``"`` quotes a
word, ``\\`` escapes the next character; it reads at most ``AGI_BUF_LEN``
(8192) bytes a line and ``MAX_ARGS`` (128) words (res_agi.c lines 1516-1519).
Anything else written to the stream is parsed as a command too (Asterisk
issue #2069 crashed on a stray HTML body), so every line is checked here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.agi.errors import AGICommandError

__all__ = [
    "DEAD_CHANNEL_COMMANDS",
    "MAX_ARGS",
    "MAX_LINE_BYTES",
    "Command",
    "Quoted",
    "answer",
    "channel_status",
    "database_get",
    "database_put",
    "exec_app",
    "get_data",
    "get_full_variable",
    "get_variable",
    "gosub",
    "hangup",
    "record_file",
    "say_number",
    "set_variable",
    "stream_file",
    "verbose",
    "wait_for_digit",
]

MAX_ARGS = 127
MAX_LINE_BYTES = 8191

# Commands res_agi.c marks as allowed on a dead channel (the last field of
# each entry in the commands[] table is 1): all others answer 511.
DEAD_CHANNEL_COMMANDS = frozenset(
    {
        "DATABASE DEL",
        "DATABASE DELTREE",
        "DATABASE GET",
        "DATABASE PUT",
        "GET FULL VARIABLE",
        "GET VARIABLE",
        "NOOP",
        "SET VARIABLE",
        "VERBOSE",
    }
)

_NEEDS_QUOTES = frozenset(' \t"\\')
_FORBIDDEN = frozenset("\r\n\x00")


class Quoted(str):
    """An argument always sent in quotes, as Asterisk's own clients send digits.

    Escape digits go out as ``"0123456789*#"`` and ``""`` even when they need
    no quoting, matching the recorded wire traffic.
    """

    __slots__ = ()


def quote(argument: str) -> str:
    """Return one argument as parse_args will read it back unchanged."""
    if _FORBIDDEN.intersection(argument):
        raise AGICommandError(f"line break or NUL in AGI argument {argument[:40]!r}")
    if argument and not isinstance(argument, Quoted):
        if not _NEEDS_QUOTES.intersection(argument):
            return argument
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


@dataclass(frozen=True, slots=True)
class Command:
    """One AGI command: its name (``STREAM FILE``) and its arguments."""

    name: str
    args: tuple[str, ...] = ()

    @property
    def allowed_when_dead(self) -> bool:
        """True when Asterisk accepts this command on a hung-up channel."""
        return self.name in DEAD_CHANNEL_COMMANDS

    def encode(self) -> bytes:
        """Return the framed line; raise :class:`AGICommandError` if unsafe."""
        if _FORBIDDEN.intersection(self.name):
            raise AGICommandError(f"line break or NUL in command {self.name[:40]!r}")
        if len(self.name.split()) + len(self.args) > MAX_ARGS:
            raise AGICommandError(f"{self.name}: more than {MAX_ARGS} words")
        words = [self.name, *(quote(argument) for argument in self.args)]
        line = (" ".join(words) + "\n").encode("utf-8")
        if len(line) > MAX_LINE_BYTES:
            raise AGICommandError(f"{self.name}: line longer than {MAX_LINE_BYTES}")
        return line


def _millis(seconds: float) -> str:
    """Seconds as whole milliseconds, the unit res_agi.c timeouts take."""
    return str(round(seconds * 1000))


def answer() -> Command:
    """ANSWER the channel."""
    return Command("ANSWER")


def stream_file(prompt: str, escape_digits: str = "", offset: int = 0) -> Command:
    """STREAM FILE: play a prompt; a key in ``escape_digits`` interrupts it."""
    args: tuple[str, ...] = (prompt, Quoted(escape_digits))
    return Command("STREAM FILE", args + ((str(offset),) if offset else ()))


def get_data(prompt: str, timeout: float, max_digits: int) -> Command:
    """GET DATA: play a prompt and collect up to ``max_digits`` keys."""
    return Command("GET DATA", (prompt, _millis(timeout), str(max_digits)))


def wait_for_digit(timeout: float) -> Command:
    """WAIT FOR DIGIT: wait up to ``timeout`` seconds for one key."""
    return Command("WAIT FOR DIGIT", (_millis(timeout),))


def record_file(
    path: str,
    fmt: str,
    escape_digits: str,
    max_seconds: float,
    *,
    beep: bool = True,
    silence_seconds: float | None = None,
) -> Command:
    """RECORD FILE to ``path`` (without extension) in format ``fmt``.

    The offset is always ``0`` so that ``BEEP`` and ``s=N`` are read as such
    (res_agi.c handle_recordfile reads argv[6] as a number first).
    """
    args = [path, fmt, Quoted(escape_digits), _millis(max_seconds), "0"]
    if beep:
        args.append("BEEP")
    if silence_seconds is not None:
        args.append(f"s={round(silence_seconds)}")
    return Command("RECORD FILE", tuple(args))


def say_number(number: int, escape_digits: str = "") -> Command:
    """SAY NUMBER in the channel's language."""
    return Command("SAY NUMBER", (str(number), Quoted(escape_digits)))


def set_variable(name: str, value: str) -> Command:
    """SET VARIABLE on the channel."""
    return Command("SET VARIABLE", (name, value))


def get_variable(name: str) -> Command:
    """GET VARIABLE: read a channel variable (or function) by name."""
    return Command("GET VARIABLE", (name,))


def get_full_variable(expression: str) -> Command:
    """GET FULL VARIABLE: evaluate an expression such as ``${CALLERID(num)}``."""
    return Command("GET FULL VARIABLE", (expression,))


def channel_status() -> Command:
    """CHANNEL STATUS of the current channel (6 is up, -1 none)."""
    return Command("CHANNEL STATUS")


def exec_app(application: str, *options: str) -> Command:
    """EXEC a dialplan application; options are joined with commas."""
    return Command(
        "EXEC", (application, ",".join(options)) if options else (application,)
    )


def hangup() -> Command:
    """HANGUP the current channel."""
    return Command("HANGUP")


def verbose(message: str, level: int = 1) -> Command:
    """VERBOSE: log a message on the Asterisk console."""
    return Command("VERBOSE", (message, str(level)))


def gosub(context: str, extension: str, priority: str, *args: str) -> Command:
    """GOSUB to a dialplan subroutine; answers ``100 Trying...`` then 200."""
    extra = (",".join(args),) if args else ()
    return Command("GOSUB", (context, extension, priority, *extra))


def database_get(family: str, key: str) -> Command:
    """DATABASE GET from Asterisk's AstDB."""
    return Command("DATABASE GET", (family, key))


def database_put(family: str, key: str, value: str) -> Command:
    """DATABASE PUT into Asterisk's AstDB."""
    return Command("DATABASE PUT", (family, key, value))
