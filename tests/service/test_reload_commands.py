"""Reload from the shell: SIGHUP to `ivr serve`, then `ivr versions`,
`ivr rollback` and `ivr reload`, as ops would use them."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SWAP = (
    '"1": social-insurance\n      "2": employment',
    '"1": employment\n      "2": social-insurance',
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working folder with its own flow, prompts and configuration."""
    shutil.copytree(
        ROOT / "prompts", tmp_path / "prompts", ignore=shutil.ignore_patterns("*.wav")
    )
    shutil.copy(ROOT / "menus.yaml", tmp_path / "menus.yaml")
    (tmp_path / "ivr.yaml").write_text(
        f"fastagi:\n  port: {_free_port()}\nhttp:\n  port: {_free_port()}\n"
        "privacy:\n  hash_key: reload-commands-test-key\n"
        "admin:\n  token: reload-commands-admin-token\n",
        encoding="utf-8",
    )
    return tmp_path


async def _ivr(workdir: Path, *args: str) -> tuple[int, str]:
    command = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivr.cli",
        *args,
        "--config",
        "ivr.yaml",
        cwd=workdir,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await command.communicate()
    return command.returncode or 0, output.decode()


async def _wait_for_log(stream: asyncio.StreamReader, needle: str) -> None:
    async with asyncio.timeout(60):
        while line := await stream.readline():
            if needle in line.decode():
                return
    raise AssertionError(f"the service never logged {needle!r}")


async def test_sighup_versions_rollback_and_reload(workdir: Path) -> None:
    """SIGHUP loads the edited flow; rollback restores it; a broken file is refused."""
    serve = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ivr.cli",
        "serve",
        "--config",
        "ivr.yaml",
        cwd=workdir,
        stderr=asyncio.subprocess.PIPE,
    )
    assert serve.stderr is not None
    menus = workdir / "menus.yaml"
    original = menus.read_text("utf-8")
    try:
        await _wait_for_log(serve.stderr, "serving flow")
        menus.write_text(original.replace(*SWAP), "utf-8")
        serve.send_signal(signal.SIGHUP)
        await _wait_for_log(serve.stderr, "reloaded (SIGHUP)")

        listed = await _ivr(workdir, "versions")
        rolled = await _ivr(workdir, "rollback")
        menus.write_text(
            original.replace("next: main-menu", "next: nowhere", 1), "utf-8"
        )
        refused = await _ivr(workdir, "reload")
    finally:
        serve.send_signal(signal.SIGTERM)
        await serve.wait()

    assert listed[0] == 0 and "SIGHUP" in listed[1] and "start" in listed[1]
    assert rolled[0] == 0 and rolled[1].startswith("now running ")
    assert refused[0] == 1 and "refused; still running" in refused[1]
    assert "nowhere" in refused[1]
