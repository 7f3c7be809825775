"""Fixtures for end-to-end calls: the real service on spare ports.

Each test gets the whole service (flow, FastAGI server, HTTP service, call
records in a fresh SQLite file) and places calls through it with the
simulated caller over real TCP, as ``ivr call`` does.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from service_calls import AMI_SECRET, MakeConfig

from cti.ami.emulator import AMIEmulator
from cti.ami.emulator_wire import EmulatedUser
from ivr.config import Config, load_config
from ivr.service import Service

ROOT = Path(__file__).resolve().parents[2]
# pytest puts tests/ on sys.path (rootdir conftest); there tests/cti, which
# has no __init__.py, would be imported as a namespace package in place of
# the cti package the service wires its survey sink to. The root goes first.
if str(ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
async def asterisk() -> AsyncIterator[AMIEmulator]:
    """An emulated Asterisk manager with the cti user of manager.conf."""
    emulator = AMIEmulator(
        {"cti": EmulatedUser(AMI_SECRET)}, sleep=lambda _: asyncio.sleep(0)
    )
    await emulator.start()
    yield emulator
    await emulator.close()


@pytest.fixture
def make_config(tmp_path: Path) -> MakeConfig:
    """Build a configuration on spare ports with its own database."""

    def build(**overrides: object) -> Config:
        values: dict[str, object] = {
            "fastagi.port": 0,
            "http.port": 0,
            "database.url": f"sqlite+aiosqlite:///{tmp_path}/ivr.sqlite3",
            "flow.path": str(ROOT / "menus.yaml"),
            "prompts.dir": str(ROOT / "prompts"),
            "privacy.hash_key": "test-hash-key-0123456789",
            "admin.token": "test-admin-token-0123456789",
            "calls.drain_seconds": 5,
            "tickets.state_file": str(tmp_path / "ticket-sequence"),
            "tickets.spool_dir": str(tmp_path / "ticket-spool"),
            "tickets.recordings_dir": str(tmp_path / "messages"),
            "cti.overdue_reports_dir": str(tmp_path / "reports"),
        }
        values.update(overrides)
        return load_config(None, env={}, overrides=values)

    return build


@pytest.fixture
async def service(make_config: MakeConfig) -> AsyncIterator[Service]:
    """The running service with clock override allowed (embedded defaults)."""
    running = Service(make_config())
    await running.start()
    yield running
    await running.stop()
