"""Staff login: throttling, no user enumeration, scrypt off the event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

import cti.staff
from cti.login_guard import LoginGuard
from cti.staff import StaffDirectory
from ivr.records import migrate

NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
PASSWORD = "pw-li-12345"


class Clock:
    """A hand-moved clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_guard_locks_a_name_after_five_failures_and_doubles() -> None:
    """Five free failures; then 30 s, 60 s; a success clears the name."""
    clock = Clock()
    guard = LoginGuard(clock)
    for _ in range(4):
        guard.failed("li", "10.0.0.1")
    assert guard.wait("li", "10.0.0.2") == 0.0

    guard.failed("li", "10.0.0.1")
    first = guard.wait("li", "10.0.0.2")
    clock.now += 30
    guard.failed("li", "10.0.0.3")
    second = guard.wait("li", "10.0.0.4")
    guard.succeeded("li")

    assert (first, second) == (30.0, 60.0)
    assert guard.wait("li", "10.0.0.4") == 0.0
    assert guard.wait("wang", "10.0.0.9") == 0.0


def test_guard_locks_an_address_trying_many_names() -> None:
    """Twenty failures from one address, each a new name, lock the address."""
    clock = Clock()
    guard = LoginGuard(clock)
    for number in range(20):
        guard.failed(f"user{number}", "10.0.0.1")

    assert guard.wait("someone-new", "10.0.0.1") == 30.0
    assert guard.wait("someone-new", "10.0.0.2") == 0.0


def test_guard_forgets_failures_outside_the_window() -> None:
    """Failures older than the window (15 min) do not count."""
    clock = Clock()
    guard = LoginGuard(clock)
    for _ in range(4):
        guard.failed("li", "a")
    clock.now += 901
    guard.failed("li", "a")

    assert guard.wait("li", "a") == 0.0


@pytest.fixture
async def staff(tmp_path: Path) -> AsyncIterator[StaffDirectory]:
    """A staff directory with one agent, li."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'staff.sqlite3'}"
    await migrate(url)
    engine = create_async_engine(url)
    directory = StaffDirectory(engine)
    await directory.add("li", "agent", PASSWORD, NOW, agent_number="1001")
    yield directory
    await engine.dispose()


async def test_unknown_name_costs_one_scrypt_like_a_known_one(
    staff: StaffDirectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown name is checked against a dummy scrypt hash, not skipped."""
    checked: list[str] = []
    real = cti.staff.verify_password

    def spy(password: str, stored: str) -> bool:
        checked.append(stored.split("$")[0])
        return real(password, stored)

    monkeypatch.setattr(cti.staff, "verify_password", spy)

    unknown = await staff.log_in("nobody", PASSWORD, NOW)
    wrong = await staff.log_in("li", "wrong-password", NOW)

    assert unknown is None and wrong is None
    assert checked == ["scrypt", "scrypt"]


async def test_password_check_runs_in_a_worker_thread(
    staff: StaffDirectory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """scrypt runs off the loop: a task on the loop runs while it waits."""
    loop_thread = threading.get_ident()
    ran_in: list[int] = []
    other_task_ran = threading.Event()
    real = cti.staff.verify_password

    def blocking(password: str, stored: str) -> bool:
        ran_in.append(threading.get_ident())
        other_task_ran.wait(timeout=10)
        return real(password, stored)

    async def other() -> None:
        await asyncio.sleep(0)
        other_task_ran.set()

    monkeypatch.setattr(cti.staff, "verify_password", blocking)

    token, _ = await asyncio.gather(staff.log_in("li", PASSWORD, NOW), other())

    assert token is not None
    assert ran_in and ran_in[0] != loop_thread
    assert other_task_ran.is_set()
