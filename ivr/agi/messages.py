"""Messages read from Asterisk on an AGI stream, and the call's environment.

These are plain values produced by :mod:`ivr.agi.parser`; they hold no I/O.
The accessors interpret results the way res/res_agi.c writes them, so callers
never run ``int()`` on unchecked text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ivr.channel import CallInfo

__all__ = [
    "AGIEnvironment",
    "BadLine",
    "HangupNotice",
    "Message",
    "Reply",
]

_INTEGER = re.compile(r"-?[0-9]+")
_DIGITS = re.compile(r"[0-9*#A-Da-d]*")


def parse_int(text: str | None) -> int | None:
    """Return ``text`` as an int when it is a plain decimal integer, else None."""
    if text is None or not _INTEGER.fullmatch(text):
        return None
    return int(text)


@dataclass(frozen=True, slots=True)
class Reply:
    """One coded reply line (or a multi-line ``520-`` block) from Asterisk.

    ``result`` is the raw text after ``result=`` (possibly ``""``) or ``None``
    when the line has none (``510``, ``511``, ``520``). ``data`` is the text in
    the parentheses that follow the result: a variable's value for GET
    VARIABLE, or a flag such as ``timeout``, ``dtmf`` or ``hangup``. ``text``
    is free text after the result (``Gosub complete``) or after the code when
    there is no result. ``usage`` holds the help text of a multi-line 520.
    """

    code: int
    result: str | None = None
    data: str | None = None
    endpos: int | None = None
    text: str = ""
    fields: Mapping[str, str] = field(default_factory=dict)
    usage: str = ""
    raw: bytes = b""

    @property
    def provisional(self) -> bool:
        """True for 1xx lines such as GOSUB's ``100 result=0 Trying...``."""
        return 100 <= self.code < 200

    @property
    def result_int(self) -> int | None:
        """The result as an integer, or None when it is empty or not a number."""
        return parse_int(self.result)

    @property
    def failed(self) -> bool:
        """True for ``result=-1``: the command failed or the caller hung up."""
        return self.result_int == -1

    @property
    def timed_out(self) -> bool:
        """True when Asterisk flagged the reply with ``(timeout)``."""
        return self.data == "timeout"

    def digit(self) -> str | None:
        """The key pressed, for replies whose result is an ASCII code.

        STREAM FILE, WAIT FOR DIGIT and RECORD FILE (``dtmf``) answer with the
        key's character code (res_agi.c handle_streamfile: ``result=%d`` of
        the DTMF char): 49 is ``"1"``, 35 ``"#"``, 42 ``"*"``. ``0`` means no
        key and ``-1`` failure or hang-up; both give None.
        """
        code = self.result_int
        if code is None or code <= 0 or code > 127:
            return None
        return chr(code)

    def get_data(self) -> tuple[str, bool]:
        """Return GET DATA's ``(digits, timed_out)``.

        res_agi.c handle_getdata writes ``result=%s (timeout)`` with the keys
        so far, possibly none: ``("", True)``, ``("12", True)``,
        ``("1234", False)``. Call :attr:`failed` first for ``result=-1``.
        """
        digits = self.result or ""
        if not _DIGITS.fullmatch(digits):
            digits = ""
        return digits, self.timed_out

    def value(self) -> str | None:
        """GET VARIABLE's value: the data when ``result=1``, else None (unset)."""
        if self.result_int != 1:
            return None
        return self.data if self.data is not None else ""


@dataclass(frozen=True, slots=True)
class HangupNotice:
    """The out-of-band ``HANGUP`` line FastAGI sends when the caller hangs up.

    res_agi.c run_agi sends it instead of SIGHUP to network scripts; it may
    arrive between a command and its reply, and is never a reply itself.
    """

    raw: bytes = b"HANGUP\n"


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line that is neither a coded reply nor a ``HANGUP`` notice."""

    raw: bytes
    reason: str


Message = Reply | HangupNotice | BadLine

_UNKNOWN_KEYS = ("agi_callerid", "agi_calleridname", "agi_dnid", "agi_rdnis")


@dataclass(frozen=True, slots=True)
class AGIEnvironment:
    """The ``agi_*`` variables Asterisk sends before the first command.

    ``values`` keeps every key as received (unknown keys included, empty
    values as ``""``); ``args`` indexes ``agi_arg_N`` by N. Asterisk writes
    the literal ``unknown`` for a missing caller ID, name, DNID or RDNIS
    (res_agi.c setup_env), which the accessors turn into None.
    """

    values: Mapping[str, str]
    args: Mapping[int, str] = field(default_factory=dict)

    def get(self, key: str, default: str = "") -> str:
        """Return one value by its full key (``agi_channel``), or ``default``."""
        return self.values.get(key, default)

    def known(self, key: str) -> str | None:
        """Return a value, mapping Asterisk's ``unknown`` placeholder to None."""
        value = self.values.get(key)
        if value is None or (key in _UNKNOWN_KEYS and value == "unknown"):
            return None
        return value

    @property
    def callerid(self) -> str | None:
        """The calling number, or None when Asterisk does not know it."""
        return self.known("agi_callerid") or None

    @property
    def calleridname(self) -> str | None:
        """The calling name, or None when Asterisk does not know it."""
        return self.known("agi_calleridname") or None

    @property
    def dnid(self) -> str | None:
        """The dialled number, or None when Asterisk does not know it."""
        return self.known("agi_dnid") or None

    @property
    def script(self) -> str:
        """The script to route on: ``agi_network_script``, else the request path.

        res_agi.c launch_netscript sends ``agi_network_script`` first for
        FastAGI; classic AGI has only ``agi_request`` (the script's file name).
        """
        script = self.values.get("agi_network_script")
        if script:
            return script
        request = self.values.get("agi_request", "")
        if "://" in request:
            return urlsplit(request).path.lstrip("/")
        return request

    def call_info(self) -> CallInfo:
        """Return the channel-level :class:`CallInfo` for this environment."""
        return CallInfo(
            uniqueid=self.get("agi_uniqueid"),
            channel=self.get("agi_channel"),
            caller=self.callerid,
            caller_name=self.calleridname,
            dnid=self.dnid,
            extension=self.get("agi_extension"),
            context=self.get("agi_context"),
            language=self.get("agi_language") or "zh",
            script=self.script,
            args=dict(self.args),
            env=dict(self.values),
        )
