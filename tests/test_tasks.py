"""Tests for running and stopping owned tasks (``ivr.tasks``)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from ivr.tasks import cancel_and_wait, repeat_every

TEST_LOGGER = logging.getLogger("ivr.test_tasks")


async def test_cancelled_task_is_awaited_quietly() -> None:
    """A running task is cancelled and waited for; nothing escapes."""
    task = asyncio.create_task(asyncio.sleep(3600))

    await cancel_and_wait(task)

    assert task.cancelled()


async def test_failure_while_stopping_is_logged_when_asked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With a logger, a task that fails as it stops is logged, not raised."""

    async def fails_on_cancel() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("cleanup failed") from None

    task = asyncio.create_task(fails_on_cancel())
    await asyncio.sleep(0)

    await cancel_and_wait(task, logger=logging.getLogger("ivr.test"))

    assert "failed while stopping" in caplog.text


async def test_owner_cancellation_is_not_swallowed() -> None:
    """If the owner is cancelled while waiting, its cancellation propagates."""
    inner = asyncio.create_task(asyncio.sleep(3600))

    async def owner() -> None:
        await cancel_and_wait(inner)

    outer = asyncio.create_task(owner())
    await asyncio.sleep(0)
    outer.cancel()

    with pytest.raises(asyncio.CancelledError):
        await outer


async def test_repeat_every_survives_a_failed_round(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A round that raises is logged and the next round still comes."""
    rounds: list[int] = []
    pauses: list[float] = []

    async def step() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 2:
            raise RuntimeError("database restarting")
        if len(rounds) == 4:
            raise asyncio.CancelledError

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    with pytest.raises(asyncio.CancelledError):
        await repeat_every(
            30.0, step, what="the test round", logger=TEST_LOGGER, sleep=sleep
        )

    assert rounds == [0, 1, 2, 3]
    assert pauses == [30.0, 30.0, 30.0]
    assert "the test round failed; trying again in 30 s" in caplog.text
