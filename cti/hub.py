"""Fan-out of live messages to agent desktops and supervisor wallboards.

Each WebSocket gets its own bounded queue; a desktop that stops reading
loses its oldest messages rather than slowing the AMI event path (the same
rule as the AMI client's subscriptions, field case F30). Messages carry no
full caller number: the screen pop has the masked form only.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

__all__ = ["Hub", "Listener"]

logger = logging.getLogger("cti.hub")

Message = dict[str, Any]


class Listener:
    """One WebSocket's queue of messages."""

    def __init__(self, agent: str | None, maxsize: int = 200) -> None:
        self.agent = agent
        self.queue: asyncio.Queue[Message] = asyncio.Queue(maxsize)
        self.dropped = 0

    def offer(self, message: Message) -> None:
        """Queue ``message``; when full, drop the oldest one."""
        if self.queue.full():
            self.queue.get_nowait()
            self.dropped += 1
        self.queue.put_nowait(message)


class Hub:
    """Desktops (one agent each) and wallboards (every supervisor)."""

    def __init__(self) -> None:
        self._listeners: set[Listener] = set()

    def listen(self, agent: str | None) -> Listener:
        """Add a desktop for ``agent``, or a wallboard when ``agent`` is None."""
        listener = Listener(agent)
        self._listeners.add(listener)
        return listener

    def leave(self, listener: Listener) -> None:
        """Remove a listener (its WebSocket closed)."""
        self._listeners.discard(listener)

    def to_agent(self, agent: str, message: Message) -> None:
        """Send to the desktops of ``agent``."""
        for listener in self._listeners:
            if listener.agent == agent:
                listener.offer(message)

    def to_supervisors(self, message: Message) -> None:
        """Send to every wallboard."""
        for listener in self._listeners:
            if listener.agent is None:
                listener.offer(message)
