"""Where mailbox news goes: supervisors' alerts and wallboards, agents' desks.

:class:`~cti.voicemail.MailboxMonitor` only keeps state; this module gives
it the CTI's voices: alerts go to the wallboards and the alert table
(``GET /cti/alerts``) like the AMI and autopause ones, and every change of
a mailbox goes to the wallboards and to the desktop of the agent whose
phone it belongs to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from cti.hub import Hub
from cti.state import LiveState
from cti.store import CallStore
from cti.voicemail_counts import MailboxState

__all__ = ["MailboxNotices"]

logger = logging.getLogger("cti.voicemail_notices")


class MailboxNotices:
    """The monitor's ``alert`` and ``changed`` hooks for a running CTI."""

    def __init__(
        self,
        hub: Hub,
        calls: CallStore,
        state: LiveState,
        now: Callable[[], datetime],
    ) -> None:
        self._hub = hub
        self._calls = calls
        self._state = state
        self._now = now

    async def alert(self, kind: str, mailbox: MailboxState) -> None:
        """Tell supervisors and keep the alert; a database fault is logged."""
        detail = f"{mailbox.mailbox}: {mailbox.display()}"
        self._hub.to_supervisors({"type": "alert", "kind": kind, "detail": detail})
        try:
            await self._calls.alert(kind, self._now(), detail=detail)
        except SQLAlchemyError:
            logger.exception("could not store the %s alert", kind)

    def changed(self, mailbox: MailboxState) -> None:
        """Push a mailbox's state to wallboards and to its owner's desktop.

        The owner is the agent whose phone interface ends in the mailbox
        number (``PJSIP/1001`` for ``1001@default``), the usual pairing of
        ``mailboxes=`` on a desk phone's endpoint.
        """
        message = {"type": "mailbox", **mailbox.to_json()}
        self._hub.to_supervisors(message)
        number = mailbox.mailbox.partition("@")[0]
        for interface, agent in self._state.directory.items():
            if interface.rpartition("/")[2] == number:
                self._hub.to_agent(agent, message)
