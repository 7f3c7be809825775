"""Fixtures for tests against a real Asterisk (marker ``asterisk``).

Every test gets its own Asterisk process with a temporary configuration
built from the project's ``asterisk-dialplan/`` (see ``asterisk_box.py``);
the process is stopped with ``core stop now`` afterwards. When no Asterisk
binary is found the tests are skipped, not failed.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from asterisk_box import REPO_ROOT, AsteriskBox, StartAsterisk, find_asterisk

from ivr.clock import FixedClock
from ivr.config import load_config

if TYPE_CHECKING:
    from ivr.service import Service

# A working Wednesday morning: the greeting is welcome-morning, no holiday
# greeting, so the caller's key times follow from the prompt lengths.
CALL_TIME = datetime(2025, 3, 12, 10, 0)


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


@pytest.fixture
def call_time() -> datetime:
    """The service's fixed clock; a test module overrides it for other hours."""
    return CALL_TIME


@pytest.fixture
async def service(
    tmp_path: Path, spare_port: int, call_time: datetime
) -> AsyncIterator[Service]:
    """The IVR service with the national flow, on ``spare_port``, at ``call_time``."""
    # Imported here so the dialplan tests above run even where the service
    # cannot be imported.
    from ivr.service import Service

    config = load_config(
        env={},
        overrides={
            "fastagi.port": spare_port,
            "http.port": pick_spare_port(),
            "database.url": f"sqlite+aiosqlite:///{tmp_path / 'ivr.sqlite3'}",
            "flow.path": str(REPO_ROOT / "menus.yaml"),
            "prompts.dir": str(REPO_ROOT / "prompts"),
            "privacy.hash_key_file": str(tmp_path / "hash-key"),
            "tickets.state_file": str(tmp_path / "ticket-sequence"),
            "tickets.spool_dir": str(tmp_path / "ticket-spool"),
            "tickets.recordings_dir": str(tmp_path / "messages"),
            "cti.overdue_reports_dir": str(tmp_path / "reports"),
        },
    )
    running = Service(config, clock=FixedClock(call_time))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
