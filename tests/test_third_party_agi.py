"""Why the AGI wire layer is our own code: pyst2 and panoramisk on field cases.

Each test feeds field-case bytes to pyst2 0.5.1 (``asterisk.agi.AGI``) or
panoramisk 1.4 (``panoramisk.utils.parse_agi_result``, ``fast_agi``) and
asserts the shortcoming found. If upstream fixes one, its test fails and the
choice in docs/agi-libraries.md should be revisited.
"""

from __future__ import annotations

import asyncio
import codecs
import io
import json
import signal
from collections.abc import Iterator
from typing import Any

import pytest
from asterisk.agi import AGI, AGIUnknownError, AGIUsageError
from panoramisk.fast_agi import Application, Request
from panoramisk.utils import parse_agi_result
from shared_material import shared_dir


def case_input(case_id: str) -> str:
    """A field case's wire input, as text."""
    cases = json.loads((shared_dir() / "field-cases" / "cases.json").read_text())
    (case,) = [case for case in cases if case["id"] == case_id]
    raw: bytes = codecs.escape_decode(case["wire_input"].encode("ascii"))[0]
    return raw.decode("utf-8")


@pytest.fixture
def pyst2_agi() -> Iterator[Any]:
    """Build pyst2 AGI objects on fake pipes; restore the SIGHUP handler."""
    previous = signal.getsignal(signal.SIGHUP)

    def build(replies: str, env: str = "agi_request: t.py\n\n") -> AGI:
        stdin = io.StringIO(env + replies)
        return AGI(stdin=stdin, stdout=io.StringIO(), stderr=io.StringIO())

    yield build
    signal.signal(signal.SIGHUP, previous)


def test_pyst2_get_data_drops_the_timeout_flag(pyst2_agi: Any) -> None:
    """F07: pyst2 returns only the digits; '12' then silence looks like '12#'."""
    agi = pyst2_agi(case_input("F07"))

    assert [agi.get_data("beep") for _ in range(3)] == ["", "12", "1234"]


@pytest.mark.parametrize("case_id", ["F09", "F04"])
def test_pyst2_crashes_on_empty_line_and_hangup_notice(
    pyst2_agi: Any, case_id: str
) -> None:
    """F09/F04: an empty line or HANGUP reaches int('') and raises ValueError."""
    lines = case_input(case_id).splitlines(keepends=True)
    agi = pyst2_agi("".join(lines[1:]) if case_id == "F04" else lines[0])

    with pytest.raises(ValueError, match="invalid literal for int"):
        agi.execute("GET VARIABLE", "CHANNEL")


def test_pyst2_rejects_provisional_100(pyst2_agi: Any) -> None:
    """F08: GOSUB's '100 Trying...' is an unknown code to pyst2."""
    agi = pyst2_agi(case_input("F08"))

    with pytest.raises(AGIUnknownError):
        agi.execute("GOSUB", "sub-menu", "s", "1")


def test_pyst2_one_line_520_swallows_the_next_reply(pyst2_agi: Any) -> None:
    """F01: the one-line 520 makes pyst2 read the next replies as help text."""
    one_line = "520 Invalid command syntax.  Proper usage not available.\n"
    agi = pyst2_agi(one_line + "200 result=0\n520 End of proper usage.\n")

    with pytest.raises(AGIUsageError) as caught:
        agi.execute("STREAM FILE")

    assert "200 result=0" in str(caught.value)


def test_pyst2_keeps_unknown_caller_and_lumps_missing_prompt(pyst2_agi: Any) -> None:
    """F12/F10: 'unknown' is kept as a number; result=-1 is always an error."""
    env = case_input("F12")
    agi = pyst2_agi("200 result=-1 endpos=0\n", env=env)

    with pytest.raises(Exception, match="Error executing application, or hangup"):
        agi.stream_file("no-such-prompt")

    assert agi.env["agi_callerid"] == "unknown"


def test_panoramisk_parse_loses_timeout_and_crashes_on_empty_line() -> None:
    """F07/F09: the timeout flag is lost and '' raises ValueError."""
    timeout = parse_agi_result("200 result= (timeout)")
    partial = parse_agi_result("200 result=12 (timeout)")

    with pytest.raises(ValueError, match="invalid literal for int"):
        parse_agi_result("")

    assert timeout["result"] == ("", "")
    assert partial["result"] == ("12", "timeout")


def test_panoramisk_drops_gosub_text_and_classifies_503_as_unknown() -> None:
    """F08: free text after the result is lost; 503 is 'AGIUnknownError'."""
    complete = parse_agi_result("200 result=0 Gosub complete (abnormal exit)")
    failure = parse_agi_result("503 result=-2 Memory allocation failure")

    assert complete["result"] == ("0", "") and complete["msg"] == ""
    assert failure["error"] == "AGIUnknownError"


def fake_request(data: str) -> Request:
    """A panoramisk Request whose reader already holds Asterisk's bytes."""
    reader = asyncio.StreamReader()
    reader.feed_data(data.encode())
    reader.feed_eof()
    writer = _NullWriter()
    return Request(app=None, headers={}, reader=reader, writer=writer)


class _NullWriter:
    """Accepts commands and drops them."""

    def write(self, data: bytes) -> None:
        """Drop the bytes."""

    async def drain(self) -> None:
        """Nothing to flush."""


async def test_panoramisk_hangup_notice_shifts_every_later_reply() -> None:
    """F04: HANGUP is taken as the reply; the real one answers the next command."""
    lines = case_input("F04").splitlines(keepends=True)
    request = fake_request("".join(lines[1:]) + "200 result=0\n")

    first = await request.send_command("GET VARIABLE CHANNEL")
    second = await request.send_command("ANSWER")

    assert first["error"] == "AGIResultHangup"
    assert second["result"] == ("1", "PJSIP/100-00000001")


async def test_panoramisk_multiline_520_desynchronises_the_stream() -> None:
    """F01: only one help line is read; the blank one then crashes int('')."""
    request = fake_request(case_input("F01") + "200 result=0\n")

    usage = await request.send_command("STREAM FILE")
    with pytest.raises(ValueError, match="invalid literal for int"):
        await request.send_command("ANSWER")

    assert usage["error"] == "AGIUsageError"


async def test_panoramisk_handshake_spins_at_end_of_stream() -> None:
    """F14: the environment read loops on EOF instead of giving up."""
    reads = 0

    class EndedReader:
        async def read(self, size: int) -> bytes:
            nonlocal reads
            reads += 1
            if reads > 1000:
                raise RuntimeError("still reading after EOF")
            return b"agi_network: yes\n" if reads == 1 else b""

    with pytest.raises(RuntimeError, match="still reading after EOF"):
        await Application().handler(EndedReader(), _NullWriter())

    assert reads == 1001
