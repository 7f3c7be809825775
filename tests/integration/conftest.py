"""Fixtures for tests against a real Asterisk (marker ``asterisk``).

Every test gets its own Asterisk process with a temporary configuration
built from the project's ``asterisk-dialplan/`` (see ``asterisk_box.py``);
the process is stopped with ``core stop now`` afterwards. When no Asterisk
binary is found the tests are skipped, not failed.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from asterisk_box import AsteriskBox, StartAsterisk, find_asterisk


@pytest.fixture
def asterisk_binary() -> Path:
    """The Asterisk binary under test; skips the test when there is none."""
    binary = find_asterisk()
    if binary is None:
        pytest.skip("no asterisk binary (set IVR_ASTERISK_BIN or put it on PATH)")
    return binary


def pick_spare_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def spare_port() -> int:
    """A free TCP port for a FastAGI server (or for nobody, to test failure)."""
    return pick_spare_port()


@pytest.fixture
async def start_asterisk(
    asterisk_binary: Path, tmp_path: Path
) -> AsyncIterator[StartAsterisk]:
    """Return a coroutine that starts Asterisk with given dialplan globals.

    ``await start_asterisk(IVR_PORT="4573", SIM_SCRIPT="8:1|20:")`` writes
    the configuration, boots Asterisk and returns the running box;
    ``prompt_dir=`` installs the flow's prompts as ``sounds/zh``. Every
    box started through it is stopped when the test ends, pass or fail.
    """
    boxes: list[AsteriskBox] = []

    async def start(
        prompt_dir: Path | None = None, **dialplan_globals: str
    ) -> AsteriskBox:
        root = tmp_path / f"asterisk-{len(boxes)}"
        box = AsteriskBox(asterisk_binary, root, {"IVR_HOST": "127.0.0.1"})
        box.prompt_dir = prompt_dir
        box.dialplan_globals.update(dialplan_globals)
        boxes.append(box)
        box.write_config()
        await box.start()
        return box

    yield start
    for box in boxes:
        await box.stop()
