"""Fakes for the AMI client tests: a recording sleep and a ready-wait helper."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class FakeSleep:
    """Records requested delays and returns at once; blocks after ``limit``.

    Blocking (until cancelled) stands for a long real wait, so a test can
    count how many attempts were made before it: no tight loop.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.delays: list[float] = []
        self.limit = limit
        self.blocked = asyncio.Event()

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        if self.limit is not None and len(self.delays) >= self.limit:
            self.blocked.set()
            await asyncio.Event().wait()
        await asyncio.sleep(0)


async def until(predicate: Callable[[], bool], deadline: float = 5.0) -> None:
    """Yield to the loop until ``predicate`` holds (a guard, not a timing)."""
    async with asyncio.timeout(deadline):
        # The client's state has no event to wait on; yield until it changes.
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0)
