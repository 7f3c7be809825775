"""Classic AGI in a real subprocess: stdin/stdout pipes and SIGHUP."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCRIPT = """
import asyncio, sys
from pathlib import Path
from ivr.agi import commands
from ivr.agi.classic import run_classic_agi
from ivr.channel import CallerHungUp

async def handler(session, env):
    try:
        await session.execute(commands.answer())
        print("stray output that must not reach Asterisk")
        await session.wait_hung_up()
        await session.execute(commands.stream_file("beep"))
    except CallerHungUp:
        Path(sys.argv[1]).write_text("hung up")
    finally:
        await session.execute(commands.set_variable("IVR_RECORD", "saved"))
        Path(sys.argv[1]).write_text(Path(sys.argv[1]).read_text() + ", saved")

sys.exit(asyncio.run(run_classic_agi(handler)))
"""

ENVIRONMENT = b"agi_request: ivr.py\nagi_uniqueid: 1.2\nagi_callerid: unknown\n\n"


async def test_sighup_runs_cleanup_and_keeps_stdout_clean(tmp_path: Path) -> None:
    """SIGHUP marks the call hung up; the handler still saves its record."""
    marker = tmp_path / "marker"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SCRIPT,
        str(marker),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdin and process.stdout and process.stderr
    process.stdin.write(ENVIRONMENT)
    answer = await process.stdout.readline()
    process.stdin.write(b"200 result=0\n")
    await process.stdin.drain()
    process.send_signal(signal.SIGHUP)
    cleanup = await process.stdout.readline()
    process.stdin.write(b"200 result=1\n")
    process.stdin.close()
    rest = await process.stdout.read()
    stderr = await process.stderr.read()
    status = await process.wait()

    assert answer == b"ANSWER\n"
    assert cleanup == b"SET VARIABLE IVR_RECORD saved\n"
    assert rest == b""
    assert status == 0, stderr
    assert marker.read_text() == "hung up, saved"
    assert b"stray output" in stderr
