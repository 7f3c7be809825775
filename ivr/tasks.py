"""Running and stopping tasks we own, the same way everywhere.

A task's owner cancels it and waits for it to finish; if the owner itself is
being cancelled meanwhile, that cancellation must not be swallowed. A
periodic background job (:func:`repeat_every`) outlives a passing fault.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["cancel_and_wait", "repeat_every"]


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


async def repeat_every(
    interval: float,
    step: Callable[[], Awaitable[object]],
    *,
    what: str,
    logger: logging.Logger,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Run ``step`` now and then every ``interval`` seconds, until cancelled.

    A background job (the fax run, the overdue sweep, retention) must
    outlive a passing fault such as a database restart: a failed round is
    logged with its traceback under ``what`` and the next one comes after
    the interval as usual. Cancellation stops it at once.
    """
    while True:
        try:
            await step()
        except Exception:
            logger.exception("%s failed; trying again in %g s", what, interval)
        await sleep(interval)
