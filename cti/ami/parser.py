"""Sans-IO AMI parser: bytes in, :class:`Banner` and :class:`Message` out.

Asterisk frames each message as ``Key: Value`` lines ended by CRLF and the
message by an empty line (main/manager.c astman_append, astman_flush). The
first line of a session is the banner (``Asterisk Call Manager/11.0.0``,
manager.c session_do). The parser never raises over content: a value that
is not UTF-8 falls back to a configured codec (F21), a line without ``:``
goes to ``extra`` (F31), and a message cut short by EOF is discarded (F30).
"""

from __future__ import annotations

import logging

from cti.ami.message import Banner, Header, Message

__all__ = ["BANNER_PREFIX", "AMIParser", "decode_value"]

logger = logging.getLogger("cti.ami.parser")

BANNER_PREFIX = b"Asterisk Call Manager/"

# Legacy Command replies (Asterisk 13 and older, field case F18): raw output
# lines, which may be empty or hold ':', up to this marker.
_FOLLOWS_FIRST_LINE = b"Response: Follows"
_END_COMMAND = b"--END COMMAND--"
_FOLLOWS_HEADERS = frozenset({"response", "privilege", "actionid", "message"})


def decode_value(raw: bytes, fallback: str) -> str:
    """Decode UTF-8, then ``fallback``, then UTF-8 with surrogateescape.

    The last step cannot fail, so one odd byte never costs a message; the
    raw bytes stay on the :class:`Header` for whoever knows better.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode(fallback)
    except (UnicodeDecodeError, LookupError):
        return raw.decode("utf-8", "surrogateescape")


class AMIParser:
    """Turn a stream of AMI bytes into messages, one :meth:`feed` at a time.

    ``fallback_encoding`` is tried for values that are not UTF-8; GB18030
    by default, the legacy encoding of Chinese caller names. Create one
    parser per connection: the banner is only recognised on the first line.
    """

    def __init__(self, *, fallback_encoding: str = "gb18030") -> None:
        self.fallback_encoding = fallback_encoding
        self._buffer = bytearray()
        self._scan = 0
        self._lines: list[bytes] = []
        self._at_start = True

    def feed(self, data: bytes) -> list[Banner | Message]:
        """Add bytes from the wire and return every message now complete."""
        self._buffer += data
        out: list[Banner | Message] = []
        while (end := self._buffer.find(b"\n", self._scan)) >= 0:
            line = bytes(self._buffer[self._scan : end]).removesuffix(b"\r")
            self._scan = end + 1
            item = self._take_line(line)
            if item is not None:
                out.append(item)
        return out

    def feed_eof(self) -> bytes:
        """End the stream; return (and drop) a partial trailing message (F30)."""
        partial = bytes(self._buffer)
        self._buffer.clear()
        self._scan = 0
        self._lines.clear()
        if partial.strip():
            logger.warning("discarded %d bytes of a message cut by EOF", len(partial))
        return partial

    def _take_line(self, line: bytes) -> Banner | Message | None:
        if self._at_start:
            self._at_start = False
            if line.startswith(BANNER_PREFIX):
                self._consume()
                version = line[len(BANNER_PREFIX) :].decode("ascii", "replace")
                return Banner(version=version.strip(), raw=line)
        if self._lines and self._lines[0] == _FOLLOWS_FIRST_LINE:
            return self._take_follows_line(line)
        if line:
            self._lines.append(line)
            return None
        if not self._lines:
            self._consume()
            return None
        return self._finish()

    def _take_follows_line(self, line: bytes) -> Message | None:
        if not line.endswith(_END_COMMAND):
            self._lines.append(line)
            return None
        rest = line[: -len(_END_COMMAND)]
        if rest:
            self._lines.append(rest)
        return self._finish(follows=True)

    def _finish(self, follows: bool = False) -> Message:
        raw = bytes(self._buffer[: self._scan])
        lines, self._lines = self._lines, []
        self._consume()
        if follows:
            return self._build_follows(lines, raw)
        return self._build(lines, raw)

    def _build(self, lines: list[bytes], raw: bytes) -> Message:
        headers: list[Header] = []
        extra: list[str] = []
        for line in lines:
            name, colon, value = line.partition(b":")
            if not colon:
                extra.append(self._decode(line))
                continue
            value = value.removeprefix(b" ")
            headers.append(
                Header(self._decode(name.strip()), self._decode(value), value)
            )
        return Message(headers=tuple(headers), extra=tuple(extra), raw=raw)

    def _build_follows(self, lines: list[bytes], raw: bytes) -> Message:
        split = _count_follows_headers(lines)
        message = self._build(lines[:split], raw)
        output = tuple(self._decode(line) for line in lines[split:])
        return Message(headers=message.headers, extra=output, raw=raw)

    def _decode(self, raw: bytes) -> str:
        return decode_value(raw, self.fallback_encoding)

    def _consume(self) -> None:
        del self._buffer[: self._scan]
        self._scan = 0


def _count_follows_headers(lines: list[bytes]) -> int:
    """Count the leading header lines of a legacy ``Response: Follows`` reply."""
    for position, line in enumerate(lines):
        name = line.partition(b":")[0].decode("ascii", "replace").lower()
        if name not in _FOLLOWS_HEADERS:
            return position
    return len(lines)
