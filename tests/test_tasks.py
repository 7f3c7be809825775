"""Tests for stopping owned tasks (``ivr.tasks``)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from ivr.tasks import cancel_and_wait


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
