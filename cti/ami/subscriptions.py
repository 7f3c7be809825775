"""Event subscribers, each with its own bounded queue.

The reader hands events over with ``put_nowait`` and never waits for a
consumer: a stalled read makes Asterisk's write time out and drop the
session (main/manager.c send_string, writetimeout; field case F30). A full
queue loses the event instead, counts it, and asks the client to resync.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable

from cti.ami.message import Message

__all__ = ["EventBus", "Subscription"]

logger = logging.getLogger("cti.ami.subscriptions")


class Subscription:
    """A bounded stream of events, optionally only some event names.

    Iterate with ``async for`` or call :meth:`get`. ``lost`` counts events
    dropped because the queue was full; the owner's state is stale then,
    and the client's resync hook runs.
    """

    def __init__(self, names: Iterable[str], maxsize: int) -> None:
        self.names = frozenset(name.lower() for name in names)
        self.lost = 0
        self.dropping = False
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize)

    def wants(self, message: Message) -> bool:
        """True when this subscription takes events named like ``message``."""
        return not self.names or message.name.lower() in self.names

    def offer(self, message: Message) -> bool:
        """Queue the event without waiting; False when it had to be dropped."""
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self.lost += 1
            self.dropping = True
            return False
        self.dropping = False
        return True

    async def get(self) -> Message:
        """Wait for the next event."""
        return await self._queue.get()

    def qsize(self) -> int:
        """Events waiting to be consumed."""
        return self._queue.qsize()

    async def __aiter__(self) -> AsyncIterator[Message]:
        while True:
            yield await self._queue.get()


class EventBus:
    """Fan events out to subscriptions; kept by the client across reconnects."""

    def __init__(self, on_overflow: Callable[[], None]) -> None:
        self._subscriptions: list[Subscription] = []
        self._on_overflow = on_overflow

    def subscribe(self, names: Iterable[str], maxsize: int) -> Subscription:
        """Add and return a subscription."""
        subscription = Subscription(names, maxsize)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Remove a subscription; unknown ones are ignored."""
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)

    def publish(self, message: Message) -> None:
        """Offer the event to every interested subscription."""
        overflowed = False
        for subscription in self._subscriptions:
            if not subscription.wants(message):
                continue
            was_dropping = subscription.dropping
            if not subscription.offer(message):
                overflowed = True
                if not was_dropping:
                    logger.warning(
                        "event queue full: dropping events from %s on", message.name
                    )
        if overflowed:
            self._on_overflow()
