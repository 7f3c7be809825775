"""``ivr ami-emulator``: the stand-in manager a new user tries the CTI with."""

from __future__ import annotations

import argparse
import asyncio
import re

import pytest

from cti.ami.emulator_cli import queue_names, run_emulator
from ivr.tasks import cancel_and_wait


async def _printed_port(capsys: pytest.CaptureFixture[str]) -> int:
    """The port the emulator printed once it listens (polled, 10 ms steps)."""
    for _ in range(500):
        found = re.search(r":(\d+) ", capsys.readouterr().out)
        if found:
            return int(found[1])
        await asyncio.sleep(0.01)
    raise AssertionError("the emulator never said where it listens")


def test_queues_come_from_the_dialplan() -> None:
    """Every concrete queue of queues.conf, no template, no [general]."""
    names = queue_names()

    assert "q-general" in names and "q-complaints" in names
    assert "queue-defaults" not in names and "general" not in names


async def test_the_emulator_takes_the_cti_login(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It prints its port and answers a Login with the right secret."""
    args = argparse.Namespace(
        host="127.0.0.1", port=0, username="cti", secret="try-it-secret"
    )
    task = asyncio.create_task(run_emulator(args))
    try:
        async with asyncio.timeout(5):
            port = await _printed_port(capsys)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            banner = await reader.readline()
            writer.write(
                b"Action: Login\r\nUsername: cti\r\nSecret: try-it-secret\r\n\r\n"
            )
            reply = await reader.readuntil(b"\r\n\r\n")
        writer.close()
        await writer.wait_closed()
    finally:
        await cancel_and_wait(task)

    assert banner.startswith(b"Asterisk Call Manager/")
    assert b"Response: Success" in reply
