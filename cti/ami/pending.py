"""Actions in flight, matched to replies and list events by ActionID.

Only events whose ActionID equals the request's belong to its list; all
others go on to subscribers, even when they arrive in the middle of the
list (field case F25). An Error reply without ActionID ("line too long",
"Too many lines", F33) fails the action in flight when it is the only one.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets

from cti.ami.errors import ActionFailedError, AuthenticationError
from cti.ami.message import Message
from cti.ami.replies import Reply

__all__ = ["ActionTable", "PendingAction"]

logger = logging.getLogger("cti.ami.pending")


class PendingAction:
    """One action waiting for its reply and, for a list, its events."""

    def __init__(self, action_id: str, name: str) -> None:
        self.action_id = action_id
        self.name = name
        self.future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self.response: Message | None = None
        self.events: list[Message] = []

    def take_response(self, message: Message) -> None:
        """Record the reply; finish unless it opens an EventList."""
        self.response = message
        if not message.succeeded:
            self.fail(self._failure(message))
        elif not message.list_start:
            self._finish()

    def take_event(self, message: Message) -> None:
        """Collect a list event; finish on the ``...Complete`` event."""
        self.events.append(message)
        if message.list_complete:
            self._finish()

    def fail(self, error: BaseException) -> None:
        """Fail the waiting caller, once."""
        if not self.future.done():
            self.future.set_exception(error)

    def _finish(self) -> None:
        if not self.future.done() and self.response is not None:
            self.future.set_result(Reply(self.response, tuple(self.events)))

    def _failure(self, message: Message) -> ActionFailedError:
        text = f"{self.name} failed: {message.get('Message') or 'no message'}"
        if self.name.lower() == "login":
            return AuthenticationError(text, message)
        return ActionFailedError(text, message)


class ActionTable:
    """The actions in flight on one client, and collision-proof ActionIDs.

    IDs are a random per-client prefix plus a counter (F25: time-based IDs
    collide under load, and a prefix keeps two clients of one user apart).
    """

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(4)
        self._counter = itertools.count(1)
        self._pending: dict[str, PendingAction] = {}
        self._event_waiters: dict[tuple[str, str], asyncio.Future[Message]] = {}

    def __len__(self) -> int:
        return len(self._pending)

    def open(self, name: str) -> PendingAction:
        """Register a new action and return it with a fresh ActionID."""
        pending = PendingAction(f"{self._prefix}-{next(self._counter)}", name)
        self._pending[pending.action_id] = pending
        return pending

    def close(self, pending: PendingAction) -> None:
        """Forget an action (answered, timed out or cancelled)."""
        self._pending.pop(pending.action_id, None)

    def expect_event(self, action_id: str, event: str) -> asyncio.Future[Message]:
        """Return a future for the event ``event`` tagged ``action_id``."""
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self._event_waiters[(action_id, event.lower())] = future
        return future

    def drop_event_waiter(self, action_id: str, event: str) -> None:
        """Forget a waiter from :meth:`expect_event`."""
        self._event_waiters.pop((action_id, event.lower()), None)

    def route(self, message: Message) -> bool:
        """Deliver a message to its action; True if it was consumed."""
        if message.is_response:
            self._route_response(message)
            return True
        if message.is_event:
            return self._route_event(message)
        return False

    def fail_all(self, error: BaseException) -> None:
        """Fail every action and event waiter in flight (EOF, Shutdown)."""
        pending, self._pending = self._pending, {}
        for action in pending.values():
            action.fail(error)
        waiters, self._event_waiters = self._event_waiters, {}
        for future in waiters.values():
            if not future.done():
                future.set_exception(error)

    def _route_response(self, message: Message) -> None:
        action_id = message.action_id
        pending = self._pending.get(action_id) if action_id else self._only_one()
        if pending is None:
            logger.warning("reply matches no action in flight: %r", message.raw[:200])
            return
        pending.take_response(message)
        if pending.future.done():
            self.close(pending)

    def _route_event(self, message: Message) -> bool:
        action_id = message.action_id
        if action_id is None:
            return False
        waiter = self._event_waiters.pop((action_id, message.name.lower()), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(message)
        pending = self._pending.get(action_id)
        if pending is None or pending.response is None:
            return False
        pending.take_event(message)
        if pending.future.done():
            self.close(pending)
        return True

    def _only_one(self) -> PendingAction | None:
        if len(self._pending) == 1:
            return next(iter(self._pending.values()))
        if self._pending:
            logger.warning(
                "reply without ActionID with %d actions in flight", len(self._pending)
            )
        return None
