"""Voicemail on the emulated Asterisk: mailboxes, their counts and MWI events.

Shaped as the C source writes them (asterisk f0c1c1a7b7):

- ``MailboxCount`` (main/manager.c action_mailboxcount): the counts of
  ``ast_app_inboxcount2``, whose result is ignored, so a mailbox that does
  not exist answers ``Success`` with zeros (field case F42);
  ``NewMessages`` excludes the urgent ones, which app_voicemail keeps in
  their own ``Urgent`` folder (inboxcount2).
- ``MailboxStatus`` (action_mailboxstatus): ``Waiting`` from
  ``ast_app_has_voicemail``.
- ``VoicemailUsersList`` (apps/app_voicemail.c manager_list_voicemail_users,
  append_vmu_info_astman): a plain ack when no user is defined, else an
  EventList of ``VoicemailUserEntry`` closed by
  ``VoicemailUserEntryComplete``; a user whose count fails (IMAP storage
  down) is left out of the list.
- ``MessageWaiting`` (main/manager_mwi.c mwi_update_cb): ``Waiting`` from
  ``ast_app_has_voicemail`` (non-zero, so 1, when the count is -1),
  ``New`` as published by queue_mwi_event (new + urgent) and ``Old``.

IMAP storage failing (F40) is ``storage_failed``: the message counts read
-1, as ``__messagecount`` returns on IMAP errors.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cti.ami.emulator_actions import response_list
from cti.ami.emulator_wire import (
    EmulatedSession,
    Pairs,
    Request,
    format_message,
    response,
)

if TYPE_CHECKING:
    from cti.ami.emulator import AMIEmulator

__all__ = ["ACTION_CLASSES", "EmulatedMailbox", "handlers", "message_waiting"]

Handler = Callable[[EmulatedSession, Request], Awaitable[bool]]

# EVENT_FLAG_CALL | EVENT_FLAG_REPORTING for all three (manager.c line 9813,
# app_voicemail.c load_module line 16312).
ACTION_CLASSES: dict[str, frozenset[str]] = {
    "mailboxcount": frozenset({"call", "reporting"}),
    "mailboxstatus": frozenset({"call", "reporting"}),
    "voicemailuserslist": frozenset({"call", "reporting"}),
}


@dataclass(slots=True)
class EmulatedMailbox:
    """One voicemail.conf user: ``mailbox@context`` and its folders."""

    mailbox: str
    context: str = "default"
    fullname: str = ""
    new: int = 0
    old: int = 0
    urgent: int = 0
    storage_failed: bool = False

    @property
    def name(self) -> str:
        """``mailbox@context``, as MWI and MailboxCount name it."""
        return f"{self.mailbox}@{self.context}"

    def counts(self) -> tuple[int, int, int]:
        """(urgent, new, old) as inboxcount2 reports them; -1 on storage errors."""
        if self.storage_failed:
            return -1, -1, -1
        return self.urgent, self.new, self.old

    def waiting(self) -> int:
        """``ast_app_has_voicemail``: non-zero counts, -1 included, are waiting."""
        urgent, new, _ = self.counts()
        return 1 if urgent or new else 0

    def entry_fields(self) -> Pairs:
        """The VoicemailUserEntry fields (append_vmu_info_astman), no IMAP ones."""
        urgent, new, old = self.counts()
        return [
            ("VMContext", self.context),
            ("VoiceMailbox", self.mailbox),
            ("Fullname", self.fullname),
            ("Email", ""),
            ("Pager", ""),
            ("ServerEmail", ""),
            ("FromString", ""),
            ("MailCommand", "/usr/sbin/sendmail -t"),
            ("Language", ""),
            ("TimeZone", ""),
            ("Callback", ""),
            ("Dialout", ""),
            ("UniqueID", ""),
            ("ExitContext", ""),
            ("SayDurationMinimum", "2"),
            ("SayEnvelope", "Yes"),
            ("SayCID", "No"),
            ("AttachMessage", "No"),
            ("AttachmentFormat", ""),
            ("DeleteMessage", "No"),
            ("VolumeGain", "0.00"),
            ("CanReview", "No"),
            ("CanMarkUrgent", "No"),
            ("CallOperator", "No"),
            ("MaxMessageCount", "100"),
            ("MaxMessageLength", "300"),
            # inboxcount() adds the urgent messages to the new ones.
            ("NewMessageCount", str(new + urgent)),
            ("OldMessageCount", str(old)),
        ]


def handlers(emulator: AMIEmulator) -> dict[str, Handler]:
    """The voicemail actions bound to ``emulator``, by lower-case name."""
    replies = _Replies(emulator)
    return {
        "mailboxcount": replies.mailboxcount,
        "mailboxstatus": replies.mailboxstatus,
        "voicemailuserslist": replies.voicemailuserslist,
    }


def message_waiting(emu: AMIEmulator, box: EmulatedMailbox) -> None:
    """Send MessageWaiting for ``box`` as mwi_update_cb does (no channel)."""
    urgent, new, old = box.counts()
    published_new = -1 if box.storage_failed else new + urgent
    pairs = [
        ("Mailbox", box.name),
        ("Waiting", str(box.waiting())),
        ("New", str(published_new)),
        ("Old", str(old)),
    ]
    emu.emit("MessageWaiting", pairs, "call")


class _Replies:
    def __init__(self, emulator: AMIEmulator) -> None:
        self.emu = emulator

    def _box(self, name: str) -> EmulatedMailbox | None:
        # MailboxCount takes ``mailbox`` alone as ``mailbox@default``.
        full = name if "@" in name else f"{name}@default"
        return self.emu.mailboxes.get(full)

    async def mailboxcount(self, session: EmulatedSession, request: Request) -> bool:
        name = request.get("Mailbox")
        if not name:
            session.send(response(request, "Error", "Mailbox not specified"))
            return True
        box = self._box(name)
        urgent, new, old = box.counts() if box else (0, 0, 0)
        pairs: Pairs = [("Response", "Success"), *request.id_pairs()]
        pairs += [
            ("Message", "Mailbox Message Count"),
            ("Mailbox", name),
            ("UrgMessages", str(urgent)),
            ("NewMessages", str(new)),
            ("OldMessages", str(old)),
        ]
        session.send(format_message(pairs))
        return True

    async def mailboxstatus(self, session: EmulatedSession, request: Request) -> bool:
        name = request.get("Mailbox")
        if not name:
            session.send(response(request, "Error", "Mailbox not specified"))
            return True
        box = self._box(name)
        pairs: Pairs = [("Response", "Success"), *request.id_pairs()]
        pairs += [
            ("Message", "Mailbox Status"),
            ("Mailbox", name),
            ("Waiting", str(box.waiting() if box else 0)),
        ]
        session.send(format_message(pairs))
        return True

    async def voicemailuserslist(
        self, session: EmulatedSession, request: Request
    ) -> bool:
        boxes = list(self.emu.mailboxes.values())
        if not boxes:
            message = "There are no voicemail users currently defined."
            session.send(response(request, "Success", message))
            return True
        session.send(response_list(request, "Voicemail user list will follow"))
        listed = [box for box in boxes if not box.storage_failed]
        for box in listed:
            pairs = [("Event", "VoicemailUserEntry"), *request.id_pairs()]
            session.send(format_message([*pairs, *box.entry_fields()]))
        closing = [("Event", "VoicemailUserEntryComplete"), *request.id_pairs()]
        closing += [("EventList", "Complete"), ("ListItems", str(len(listed)))]
        session.send(format_message(closing))
        return True
