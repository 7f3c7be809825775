"""Voicemail counts as Asterisk reports them, and a mailbox's state for desks.

Three messages carry counts, each its own way (asterisk f0c1c1a7b7):

- ``MessageWaiting`` (main/manager_mwi.c mwi_update_cb): ``New`` is the
  unread messages including urgent ones (app_voicemail.c queue_mwi_event
  publishes new + urgent), ``Old`` the read ones, ``Waiting`` whether
  ``ast_app_has_voicemail`` saw any;
- the ``MailboxCount`` reply (main/manager.c action_mailboxcount):
  ``UrgMessages`` (absent before Asterisk 1.8 added it, F42),
  ``NewMessages`` without the urgent ones (they sit in their own folder),
  ``OldMessages``;
- the ``MailboxStatus`` reply (action_mailboxstatus): ``Waiting`` only.

IMAP storage failing makes app_voicemail's ``__messagecount`` return -1,
passed through as a count (F40), while ``Waiting`` is still 1 because
``has_voicemail`` tests for non-zero. So any negative or unreadable count
means "unknown, storage error": never shown as -1 or 0, never lighting the
message-waiting lamp. All headers are kept, known or not (F42: a typed
reader without ``UrgMessages`` lost the urgent count).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from cti.ami.message import Message

__all__ = ["Counts", "MailboxState", "MailboxStatus", "counts_of"]

UNAVAILABLE = "unavailable"
"""What a desk shows for a count Asterisk could not give."""


class MailboxStatus(enum.Enum):
    """What is known of a mailbox."""

    UNCHECKED = "unchecked"
    """Not asked yet, or Asterisk has no voicemail module to ask."""
    OK = "ok"
    STORAGE_ERROR = "storage_error"
    """The counts came back negative or unreadable: voicemail storage failed."""
    NOT_CONFIGURED = "not_configured"
    """Not in VoicemailUsersList: a typo or a wrong context in the setup."""


@dataclass(frozen=True, slots=True)
class Counts:
    """Counts read from one message; ``None`` where Asterisk gave none.

    ``unread`` includes urgent messages, as MWI counts them. ``valid`` is
    False when any count given was negative or not a number.
    """

    unread: int | None
    old: int | None
    urgent: int | None
    valid: bool
    fields: dict[str, str]

    @property
    def waiting(self) -> bool:
        """True when valid counts show unread messages (the lamp lights)."""
        return self.valid and bool(self.unread or self.urgent)


def counts_of(message: Message) -> Counts:
    """The counts of a MessageWaiting event or a MailboxCount/Status reply."""
    fields = {header.name: header.value for header in message.headers}
    if message.is_event:
        numbers = [_number(message, "New"), _number(message, "Old")]
        unread, old = numbers
        return Counts(unread, old, None, _valid(numbers), fields)
    if "NewMessages" not in message:
        # MailboxStatus: Waiting says "some", never how many; it is 1 on a
        # storage failure too, so it is a hint to ask MailboxCount, no more.
        waiting = _number(message, "Waiting")
        return Counts(None, None, None, _valid([waiting]), fields)
    urgent = _number(message, "UrgMessages") if "UrgMessages" in message else None
    new, old = _number(message, "NewMessages"), _number(message, "OldMessages")
    numbers = [new, old, *([urgent] if "UrgMessages" in message else [])]
    unread = None if new is None else new + (urgent or 0)
    return Counts(unread, old, urgent, _valid(numbers), fields)


def _number(message: Message, name: str) -> int | None:
    """A count: None when absent, unreadable or negative (storage failed)."""
    text = message.get(name).strip()
    if not text.lstrip("-").isdigit():
        return None
    value = int(text)
    return value if value >= 0 else None


def _valid(numbers: list[int | None]) -> bool:
    return all(number is not None for number in numbers)


@dataclass(slots=True)
class MailboxState:
    """What a desk shows of one mailbox (``mailbox@context``)."""

    mailbox: str
    status: MailboxStatus = MailboxStatus.UNCHECKED
    unread: int | None = None
    old: int | None = None
    urgent: int | None = None
    listed: bool | None = None
    updated_at: float | None = None
    source: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def waiting(self) -> bool:
        """The message-waiting lamp: lit only on valid counts with unread ones."""
        return self.status is MailboxStatus.OK and bool(self.unread or self.urgent)

    def take(self, counts: Counts, source: str, now: float) -> None:
        """Apply counts read from ``source``; invalid ones blank every count."""
        self.fields, self.source, self.updated_at = counts.fields, source, now
        if not counts.valid:
            self.status = MailboxStatus.STORAGE_ERROR
            self.unread = self.old = self.urgent = None
            return
        self.unread = counts.unread if counts.unread is not None else self.unread
        self.old = counts.old if counts.old is not None else self.old
        self.urgent = counts.urgent if counts.urgent is not None else self.urgent
        if self.status is not MailboxStatus.NOT_CONFIGURED:
            self.status = MailboxStatus.OK

    def to_json(self) -> dict[str, Any]:
        """The state for the API and desktops; unknown counts say so."""
        known = self.status is MailboxStatus.OK
        return {
            "mailbox": self.mailbox,
            "status": self.status.value,
            "waiting": self.waiting,
            "new": self.unread if known else None,
            "old": self.old if known else None,
            "urgent": self.urgent if known else None,
            "display": self.display(),
            "listed": self.listed,
            "source": self.source,
            "fields": dict(self.fields),
        }

    def display(self) -> str:
        """One line for a person: the counts, or why there are none."""
        if self.status is MailboxStatus.STORAGE_ERROR:
            return f"{UNAVAILABLE} (voicemail storage error)"
        if self.status is MailboxStatus.NOT_CONFIGURED:
            return "not a voicemail box (check the mailbox and its context)"
        if self.status is MailboxStatus.UNCHECKED:
            return "not checked yet"
        urgent = f", {self.urgent} urgent" if self.urgent else ""
        return f"{self.unread} new{urgent}, {self.old} old"
