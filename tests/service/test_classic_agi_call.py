"""A classic AGI call: ``ivr agi`` as Asterisk runs it, hung up by SIGHUP.

The test plays Asterisk on the process's stdin and stdout, as res_agi.c
does for a script: the environment, then one reply per command. When the
caller hangs up Asterisk sends SIGHUP to the script and answers 511 to any
command not allowed on a dead channel; the script must still store the call.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

ENVIRONMENT = (
    "agi_request: ivr\n"
    "agi_channel: PJSIP/trunk-00000001\n"
    "agi_language: zh\n"
    "agi_type: PJSIP\n"
    "agi_uniqueid: 1796300000.42\n"
    "agi_version: 22.10.1\n"
    "agi_callerid: 13812345678\n"
    "agi_calleridname: unknown\n"
    "agi_context: ivr-inbound\n"
    "agi_extension: 12333\n"
    "agi_priority: 5\n"
    "agi_enhanced: 0.0\n"
    "agi_accountcode: \n"
    "agi_threadid: 140000000000001\n"
    "agi_arg_1: at=2026-10-08T09:30\n"
    "\n"
)

ALLOWED_WHEN_DEAD = ("GET VARIABLE", "GET FULL VARIABLE", "SET VARIABLE", "VERBOSE")


@pytest.fixture
def agi_config(tmp_path: Path) -> Path:
    """A configuration file with absolute paths, as a dialplan would use."""
    config = tmp_path / "ivr.yaml"
    config.write_text(
        f"database:\n  url: sqlite+aiosqlite:///{tmp_path}/ivr.sqlite3\n"
        f"flow:\n  path: {ROOT / 'menus.yaml'}\n"
        f"prompts:\n  dir: {ROOT / 'prompts'}\n"
        "privacy:\n  hash_key: classic-agi-test-key-0123\n",
        encoding="utf-8",
    )
    return config


def _reply(command: str, dead: bool) -> str:
    """What Asterisk answers a command on a live or a dead channel."""
    if dead and not command.startswith(ALLOWED_WHEN_DEAD):
        return "511 Command Not Permitted on a dead channel or intercept routine\n"
    if command.startswith("STREAM FILE"):
        return "200 result=0 endpos=8000\n"
    if command.startswith("GET VARIABLE"):
        return "200 result=0\n"
    if command.startswith("SET VARIABLE"):
        return "200 result=1\n"
    return "200 result=0\n"


async def test_sighup_during_the_menu_still_saves_the_record(
    agi_config: Path, tmp_path: Path
) -> None:
    """SIGHUP at the main menu: the script finishes and stores a hang-up there."""
    agi = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivr.cli",
        "agi",
        "--config",
        str(agi_config),
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert agi.stdin is not None and agi.stdout is not None
    agi.stdin.write(ENVIRONMENT.encode())
    commands, dead = [], False
    async with asyncio.timeout(30):
        while line := await agi.stdout.readline():
            command = line.decode().rstrip("\n")
            commands.append(command)
            if command.startswith("GET DATA") and not dead:
                agi.send_signal(signal.SIGHUP)
                dead = True
                agi.stdin.write(b"200 result=-1\n")
            else:
                agi.stdin.write(_reply(command, dead).encode())
            await agi.stdin.drain()
        _, stderr = await agi.communicate()

    assert agi.returncode == 0, stderr.decode()
    assert "IVR_NODE main-menu" in " ".join(commands)
    with sqlite3.connect(tmp_path / "ivr.sqlite3") as db:
        row = db.execute(
            "SELECT outcome_kind, outcome_node, caller_masked FROM calls "
            "WHERE uniqueid = '1796300000.42'"
        ).fetchone()
    assert row == ("hangup", "main-menu", "138******78")
    assert b"13812345678" not in stderr
