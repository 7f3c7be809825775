"""Stopping tasks we own, the same way everywhere.

A task's owner cancels it and waits for it to finish; if the owner itself is
being cancelled meanwhile, that cancellation must not be swallowed.
"""

from __future__ import annotations

import asyncio
import logging

__all__ = ["cancel_and_wait"]


async def cancel_and_wait(
    task: asyncio.Task[None], *, logger: logging.Logger | None = None
) -> None:
    """Cancel ``task`` and wait for it; re-raise our own cancellation.

    With ``logger``, an exception the task raised while stopping is logged
    there; without, it propagates.
    """
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise
    except Exception:
        if logger is None:
            raise
        logger.exception("task %s failed while stopping", task.get_name())
