"""Sans-IO parsers for the AGI stream: bytes in, messages out.

:class:`EnvironmentParser` reads the ``agi_*`` block Asterisk sends first;
:class:`ReplyParser` reads everything after it. Neither does any I/O, so the
FastAGI server, the classic AGI runner and the tests drive them alike.
"""

from __future__ import annotations

import logging
import re

from ivr.agi.errors import AGIHandshakeError
from ivr.agi.messages import (
    AGIEnvironment,
    BadLine,
    HangupNotice,
    Message,
    Reply,
    parse_int,
)

__all__ = [
    "MAX_ENVIRONMENT_BYTES",
    "MAX_LINE_BYTES",
    "EnvironmentParser",
    "ReplyParser",
]

logger = logging.getLogger("ivr.agi.parser")

MAX_ENVIRONMENT_BYTES = 65536
MAX_LINE_BYTES = 65536

_CODE = re.compile(r"([0-9]{3})([ -]|$)(.*)", re.DOTALL)
_FIELD = re.compile(r"[A-Za-z_]+=\S*")
_FIELDS_TAIL = re.compile(r"(\s+[A-Za-z_]+=\S*)*\s*")
_ARG_PREFIX = "agi_arg_"


def _decode(line: bytes) -> str:
    """Decode one line; bytes that are not UTF-8 become U+FFFD, never an error."""
    return line.decode("utf-8", errors="replace").rstrip("\r")


def _split_lines(buffer: bytearray) -> list[bytes]:
    """Remove and return every complete ``\\n``-terminated line in ``buffer``."""
    end = buffer.rfind(b"\n")
    if end < 0:
        return []
    chunk = bytes(buffer[: end + 1])
    del buffer[: end + 1]
    return chunk.splitlines(keepends=True)


class EnvironmentParser:
    """Read the environment block: ``key: value`` lines up to an empty line.

    Keys may come in any order (FastAGI sends ``agi_network`` first, res_agi.c
    launch_netscript), values may be empty (``agi_accountcode: ``) and keys we
    do not know are kept. Bytes after the empty line stay in :attr:`remainder`.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._values: dict[str, str] = {}
        self._size = 0
        self.lines = 0
        self.done = False
        self.remainder = b""

    def feed(self, data: bytes) -> bool:
        """Consume bytes; return True once the empty line has been read.

        Raises :class:`AGIHandshakeError` for a line that is not ``key: value``
        or an environment larger than :data:`MAX_ENVIRONMENT_BYTES`.
        """
        if self.done:
            self.remainder += data
            return True
        self._size += len(data)
        if self._size > MAX_ENVIRONMENT_BYTES:
            raise AGIHandshakeError("AGI environment too large")
        self._buffer += data
        for line in _split_lines(self._buffer):
            if self.done:
                self.remainder += line
            else:
                self._take(line)
        if self.done:
            self.remainder += bytes(self._buffer)
            self._buffer.clear()
        return self.done

    def _take(self, line: bytes) -> None:
        """Store one ``key: value`` line, or finish on the empty line."""
        text = _decode(line.rstrip(b"\n"))
        if not text:
            self.done = True
            return
        self.lines += 1
        key, sep, value = text.partition(":")
        if not sep or not key or " " in key:
            # The line itself is left out: it may hold a caller number, and
            # this message is logged.
            raise AGIHandshakeError(
                f"environment line {self.lines} is not 'key: value'"
            )
        self._values[key] = value[1:] if value.startswith(" ") else value

    def environment(self) -> AGIEnvironment:
        """Return the environment read so far (complete once :attr:`done`)."""
        args: dict[int, str] = {}
        for key, value in self._values.items():
            number = parse_int(key[len(_ARG_PREFIX) :])
            if key.startswith(_ARG_PREFIX) and number is not None and number > 0:
                args[number] = value
        return AGIEnvironment(values=dict(self._values), args=args)


class ReplyParser:
    """Turn the bytes Asterisk sends after the environment into messages.

    Yields :class:`Reply` for coded lines (1xx provisional, 200, 5xx), one
    :class:`Reply` for a whole ``520-`` ... ``520 End of proper usage.`` block
    (res_agi.c agi_handle_command, RESULT_SHOWUSAGE), :class:`HangupNotice`
    for ``HANGUP`` and :class:`BadLine` for anything else. Empty lines are
    logged and skipped: they are never replies.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._block: list[bytes] = []
        self._block_code = ""

    def feed(self, data: bytes) -> list[Message]:
        """Consume bytes and return the messages completed by them."""
        self._buffer += data
        messages: list[Message] = []
        for line in _split_lines(self._buffer):
            message = self._take(line)
            if message is not None:
                messages.append(message)
        if len(self._buffer) > MAX_LINE_BYTES:
            messages.append(BadLine(bytes(self._buffer), "line too long"))
            self._buffer.clear()
        return messages

    def close(self) -> list[Message]:
        """Report what is left at end of stream: a partial line or open block."""
        leftovers: list[Message] = []
        if self._block:
            leftovers.append(BadLine(b"".join(self._block), "unterminated block"))
        if self._buffer:
            leftovers.append(BadLine(bytes(self._buffer), "partial line at EOF"))
        self._block.clear()
        self._buffer.clear()
        return leftovers

    def _take(self, line: bytes) -> Message | None:
        """Turn one complete line into a message, or add it to an open block."""
        if self._block:
            return self._continue_block(line)
        text = _decode(line.rstrip(b"\n"))
        if not text:
            logger.warning("ignoring an empty line where a reply was expected")
            return None
        if text == "HANGUP":
            return HangupNotice(line)
        match = _CODE.fullmatch(text)
        if match is None:
            return BadLine(line, "no reply code")
        if match.group(2) == "-":
            self._block = [line]
            self._block_code = match.group(1)
            return None
        return parse_reply_line(int(match.group(1)), match.group(3), line)

    def _continue_block(self, line: bytes) -> Message | None:
        """Collect a multi-line reply until the line ``<code> ...`` closes it."""
        self._block.append(line)
        if not line.startswith(self._block_code.encode("ascii") + b" "):
            return None
        block, self._block = self._block, []
        first = _decode(block[0].rstrip(b"\n"))[4:]
        help_lines = [_decode(part.rstrip(b"\n")) for part in block[1:-1]]
        return Reply(
            code=int(self._block_code),
            text=first,
            usage="\n".join(help_lines),
            raw=b"".join(block),
        )


def parse_reply_line(code: int, rest: str, raw: bytes) -> Reply:
    """Parse what follows the code: ``result=V [(data)] [k=v ...] [text]``."""
    if not rest.startswith("result="):
        return Reply(code=code, text=rest.strip(), raw=raw)
    value, _, remainder = rest[len("result=") :].partition(" ")
    data, remainder = _split_data(remainder.lstrip(" "))
    fields, text = _split_fields(remainder)
    return Reply(
        code=code,
        result=value,
        data=data,
        endpos=parse_int(fields.get("endpos")),
        text=text,
        fields=fields,
        raw=raw,
    )


def _split_data(text: str) -> tuple[str | None, str]:
    """Split ``(data) tail`` at the last ``)`` followed only by ``k=v`` fields.

    A variable's value may itself hold parentheses (``result=1 (a (b))``),
    so the data ends at the last closing parenthesis, not the first.
    """
    if not text.startswith("("):
        return None, text
    for end in range(len(text) - 1, 0, -1):
        if text[end] == ")" and _FIELDS_TAIL.fullmatch(text[end + 1 :]):
            return text[1:end], text[end + 1 :]
    return None, text


def _split_fields(text: str) -> tuple[dict[str, str], str]:
    """Take leading ``key=value`` words (``endpos=48000``); the rest is text."""
    fields: dict[str, str] = {}
    words = text.split()
    while words and _FIELD.fullmatch(words[0]):
        key, _, value = words.pop(0).partition("=")
        fields[key] = value
    return fields, " ".join(words)
