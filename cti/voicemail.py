"""Message waiting on agents' and departments' Asterisk voicemail boxes.

The hotline keeps its own voice messages (tickets); desk phones and
business departments may also have app_voicemail boxes, and the desktop
shows their message-waiting state. :class:`MailboxMonitor` follows
``MessageWaiting`` events and asks ``MailboxCount`` and ``MailboxStatus``,
with three rules from the field:

- a negative count (IMAP storage down, F40) is "unknown, storage error":
  shown as unavailable, never -1 or 0, the lamp not lit, an alert raised,
  and the mailbox asked again later with a growing delay until a valid
  count (a query or an event) ends the episode with a second alert;
- ``MailboxCount`` answers ``Success`` with zeros for a mailbox that does
  not exist (F42), so existence is judged only from ``VoicemailUsersList``
  (apps/app_voicemail.c manager_list_voicemail_users), cached and reloaded
  at every resync and when an event names a mailbox not in it; a mailbox
  missing there is a configuration error, alerted once;
- replies keep every header (``fields``), and ``UrgMessages`` is read.

app_voicemail leaves out of ``VoicemailUsersList`` a user whose count
fails (append_vmu_info_astman), so a mailbox is judged missing only when
its own count is valid. Counts: :mod:`cti.voicemail_counts`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Protocol

from cti.ami.actions import Action
from cti.ami.backoff import Backoff
from cti.ami.errors import AMIError
from cti.ami.message import Message
from cti.ami.replies import Reply
from cti.voicemail_counts import Counts, MailboxState, MailboxStatus, counts_of

__all__ = ["MailboxMonitor"]

logger = logging.getLogger("cti.voicemail")

Alert = Callable[[str, MailboxState], Awaitable[None]]
"""Raise an alert of a kind about a mailbox (the CTI stores and pushes it)."""

Changed = Callable[[MailboxState], None]
"""Told every time a mailbox's state changes (the CTI tells the desktops)."""

STORAGE_ALERT = "voicemail_storage"
RECOVERED_ALERT = "voicemail_storage_ok"
NOT_CONFIGURED_ALERT = "voicemail_mailbox"


class ActionSender(Protocol):
    """What the monitor needs of :class:`~cti.ami.AMIClient`."""

    async def send_action(
        self, action: Action, *, timeout: float | None = None
    ) -> Reply: ...


class MailboxMonitor:
    """The state of every mailbox watched, kept from events and queries."""

    def __init__(
        self,
        client: ActionSender,
        *,
        alert: Alert,
        changed: Changed,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] | None = None,
        retry_base: float = 5.0,
        retry_cap: float = 300.0,
    ) -> None:
        self._client = client
        self._alert = alert
        self._changed = changed
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter or random.random
        self._retry = (retry_base, retry_cap)
        self.directory: frozenset[str] | None = None
        """Mailboxes VoicemailUsersList named; None until it answered."""
        self.mailboxes: dict[str, MailboxState] = {}
        self._retries: dict[str, asyncio.Task[None]] = {}
        self._suspect = False
        """True once a storage error was seen since the directory was read:
        app_voicemail leaves failing users out, so it may lack real boxes."""

    def watch(self, *mailboxes: str) -> None:
        """Follow ``mailboxes`` too (``mailbox@context``; bare is ``@default``)."""
        for mailbox in mailboxes:
            self._state(mailbox)

    def state(self, mailbox: str) -> MailboxState | None:
        """The state of a watched mailbox, or None."""
        return self.mailboxes.get(_full(mailbox))

    async def resync(self) -> None:
        """Reload the directory, then ask every mailbox for its counts."""
        await self.load_directory()
        for mailbox in [*self.mailboxes]:
            await self._query_quietly(mailbox)

    async def load_directory(self) -> None:
        """Cache the mailboxes VoicemailUsersList names (an EventList)."""
        try:
            reply = await self._client.send_action(Action("VoicemailUsersList"))
        except AMIError as exc:
            logger.warning("VoicemailUsersList failed; mailboxes unchecked: %s", exc)
            return
        found = {_listed_name(item) for item in reply.items}
        self.directory = frozenset(name for name in found if name)
        self._suspect = any(
            state.status is MailboxStatus.STORAGE_ERROR
            for state in self.mailboxes.values()
        )
        self.watch(*self.directory)
        logger.info("voicemail directory: %d mailbox(es)", len(self.directory))

    async def query(self, mailbox: str) -> MailboxState:
        """Ask MailboxCount for ``mailbox`` and apply the answer."""
        name = _full(mailbox)
        action = Action.build("MailboxCount", Mailbox=name)
        reply = await self._client.send_action(action)
        return await self._apply(name, counts_of(reply.response), "MailboxCount")

    async def check(self, mailbox: str) -> MailboxState:
        """Ask MailboxStatus; a Waiting that disagrees means asking the counts.

        Waiting cannot show a storage failure (it is 1 then), so it only
        decides whether MailboxCount is worth sending.
        """
        name = _full(mailbox)
        reply = await self._client.send_action(
            Action.build("MailboxStatus", Mailbox=name)
        )
        state = self._state(name)
        hint = reply.response.get("Waiting").strip()
        if state.status is MailboxStatus.OK and hint == ("1" if state.waiting else "0"):
            return state
        return await self.query(name)

    async def on_event(self, message: Message) -> MailboxState | None:
        """Apply a MessageWaiting event; other events are ignored."""
        if message.name != "MessageWaiting" or not message.get("Mailbox"):
            return None
        name = _full(message.get("Mailbox"))
        return await self._apply(name, counts_of(message), "MessageWaiting")

    async def stop(self) -> None:
        """Cancel the retries of failing mailboxes."""
        tasks = [*self._retries.values()]
        self._retries.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _apply(self, name: str, counts: Counts, source: str) -> MailboxState:
        state = self._state(name)
        was = state.status
        state.take(counts, source, self._clock())
        if state.status is MailboxStatus.STORAGE_ERROR:
            await self._storage_failed(state, was)
        else:
            await self._judge_listing(state, was, source)
        self._changed(state)
        return state

    async def _storage_failed(self, state: MailboxState, was: MailboxStatus) -> None:
        self._suspect = True
        if was is not MailboxStatus.STORAGE_ERROR:
            logger.warning("mailbox %s: voicemail storage error", state.mailbox)
            await self._alert(STORAGE_ALERT, state)
        if state.mailbox not in self._retries:
            task = asyncio.create_task(
                self._retry_until_valid(state.mailbox), name="voicemail-retry"
            )
            self._retries[state.mailbox] = task

    async def _judge_listing(
        self, state: MailboxState, was: MailboxStatus, source: str
    ) -> None:
        # The cached list may be short: app_voicemail leaves out users whose
        # count failed, and an MWI event may name a box added since.
        fresh = source == "MessageWaiting" and was is not MailboxStatus.NOT_CONFIGURED
        state.listed = await self._listed(state.mailbox, self._suspect or fresh)
        if was is MailboxStatus.STORAGE_ERROR:
            logger.info("mailbox %s: counts readable again", state.mailbox)
            self._end_retry(state.mailbox)
            await self._alert(RECOVERED_ALERT, state)
        if state.listed is False:
            state.status = MailboxStatus.NOT_CONFIGURED
            if was is not MailboxStatus.NOT_CONFIGURED:
                logger.warning("mailbox %s is not a voicemail box", state.mailbox)
                await self._alert(NOT_CONFIGURED_ALERT, state)
        elif state.listed and state.status is MailboxStatus.NOT_CONFIGURED:
            state.status = MailboxStatus.OK

    async def _listed(self, mailbox: str, recheck: bool) -> bool | None:
        """Whether VoicemailUsersList names ``mailbox`` (None: unknown); with
        ``recheck`` a mailbox missing from the cached list is asked again."""
        if self.directory is not None and mailbox not in self.directory and recheck:
            await self.load_directory()
        return None if self.directory is None else mailbox in self.directory

    async def _retry_until_valid(self, mailbox: str) -> None:
        backoff = Backoff(*self._retry, self._jitter)
        try:
            while self.mailboxes[mailbox].status is MailboxStatus.STORAGE_ERROR:
                await self._sleep(backoff.next_delay())
                await self._query_quietly(mailbox)
        finally:
            if self._retries.get(mailbox) is asyncio.current_task():
                del self._retries[mailbox]

    def _end_retry(self, mailbox: str) -> None:
        task = self._retries.pop(mailbox, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _query_quietly(self, mailbox: str) -> None:
        try:
            await self.query(mailbox)
        except AMIError as exc:
            logger.warning("MailboxCount for %s failed: %s", mailbox, exc)

    def _state(self, mailbox: str) -> MailboxState:
        name = _full(mailbox)
        return self.mailboxes.setdefault(name, MailboxState(name))


def _full(mailbox: str) -> str:
    """``mailbox@context``; app_voicemail reads a bare box as ``@default``."""
    return mailbox if "@" in mailbox else f"{mailbox}@default"


def _listed_name(entry: Message) -> str:
    """``VoiceMailbox@VMContext`` of a VoicemailUserEntry event."""
    box, context = entry.get("VoiceMailbox"), entry.get("VMContext")
    return f"{box}@{context}" if box and context else box
