"""What staff do to tickets from the desktop, with who may do it.

Supervisors and admins see every ticket; an agent sees the tickets of the
areas in their skills and those assigned to them, and nothing else
(:class:`~ivr.tickets.errors.TicketAccessError`, 403). Opening one ticket
shows the full caller number, because staff call back on it: the access is
checked first, then the store logs the view in ``ticket_views``. A reply by
call-back rings the agent's phone and dials the caller (an asynchronous
Originate owned by the CTI service); its outcome is added to the ticket's
history, and only a call-back the citizen answered is the ticket's reply
(:mod:`cti.callbacks`: the agent answering is not enough); one call-back
per ticket at a time. A recorded reply
is a checked WAV stored beside the tickets' recordings; the caller hears it
when they ask about their ticket. Logs show caller numbers masked only.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cti import commands
from cti.ami import Action, AMIClient, ConnectionState
from cti.callbacks import place_call_back
from cti.errors import AMIUnavailableError, TicketActionError
from cti.reply_audio import check_wav, discard_reply, store_reply
from cti.staff import StaffMember
from ivr.privacy import is_callable_number, mask_number
from ivr.tickets.errors import (
    RecordingExpiredError,
    TicketAccessError,
    TicketStateError,
)
from ivr.tickets.lifecycle import check_action
from ivr.tickets.models import Ticket, TicketFilter, TicketPage, Viewer

if TYPE_CHECKING:
    from cti.service import CTIService
    from ivr.tickets.store import TicketStore

__all__ = ["RecordingFile", "RecordingSweep", "TicketActions", "viewer_of"]

logger = logging.getLogger("cti.ticket_actions")


@dataclass(frozen=True, slots=True)
class RecordingFile:
    """A recording to stream: its file and the ticket and part it belongs to."""

    path: Path
    ticket: str
    part: str


def viewer_of(member: StaffMember) -> Viewer:
    """The store's viewer for a staff member (for access and the views log)."""
    return Viewer(member.username, member.role)


class TicketActions:
    """Staff ticket actions on a running :class:`~cti.service.CTIService`."""

    def __init__(self, service: CTIService, store: TicketStore) -> None:
        self.service = service
        self.store = store
        self._calling: set[str] = set()
        """Tickets with a call-back under way (their results share a name)."""

    def check_access(self, member: StaffMember, ticket: Ticket) -> None:
        """403 unless the member supervises, has the area, or has the ticket."""
        if member.supervises or ticket.assigned_to == member.username:
            return
        if ticket.area and ticket.area in member.skills:
            return
        raise TicketAccessError(
            f"ticket {ticket.number} is in area {ticket.area!r}, "
            f"not among {member.username}'s skills"
        )

    async def open(self, member: StaffMember, number: str) -> Ticket:
        """Ticket ``number`` with the full caller number; the view is logged."""
        await self.visible(member, number)
        viewer, now = viewer_of(member), self.service.now()
        return await self.store.get(number, viewer, now, reveal_caller=True)

    async def listing(
        self, member: StaffMember, which: TicketFilter, page: int, size: int
    ) -> TicketPage:
        """A page of tickets; an agent is kept to their areas and tickets.

        An agent naming no area lists the tickets assigned to them; naming
        an area not in their skills, or someone else's tickets, is refused.
        """
        if not member.supervises:
            which = _agent_filter(member, which)
        return await self.store.list_tickets(which, self.service.now(), page, size)

    async def claim(self, member: StaffMember) -> Ticket | None:
        """The next ticket of the member's skills (any area for supervisors)."""
        areas = None if member.supervises else member.skills
        claimed = await self.store.claim_next(
            member.username, areas, self.service.now()
        )
        if claimed is not None:
            logger.info("%s claimed ticket %s", member.username, claimed.number)
        return claimed

    async def forward(
        self, member: StaffMember, number: str, department: str, days: int
    ) -> Ticket:
        """Hand the ticket to a department with its own deadline."""
        await self.held(member, number, "forward it")
        return await self.store.forward(
            number, department, days, member.username, self.service.now()
        )

    async def reassign(self, member: StaffMember, number: str, username: str) -> Ticket:
        """Give the ticket to another staff account (supervisors; the route
        checks); an unknown or disabled account is 404."""
        target = await self.service.staff.get(username)
        ticket = await self.store.reassign(
            number, target.username, member.username, self.service.now()
        )
        logger.info("%s gave ticket %s to %s", member.username, number, username)
        return ticket

    async def close(self, member: StaffMember, number: str, note: str) -> Ticket:
        """Close the ticket: its own agent or a supervisor, and a ticket not
        replied to (the caller would never hear back) only with a note
        saying why (answered in another call, a duplicate, a fax sent by
        hand), which goes to its history."""
        ticket = await self.held(member, number, "close it")
        check_action(number, ticket.state, "close")
        if ticket.state != "replied" and not note.strip():
            raise TicketActionError(
                f"ticket {number} is {ticket.state}, not replied: closing it "
                'needs a "note" saying why the caller needs no reply'
            )
        return await self.store.close(number, member.username, self.service.now(), note)

    async def reply_recorded(
        self, member: StaffMember, number: str, data: bytes
    ) -> Ticket:
        """Store a recorded answer and make it the ticket's reply.

        A ticket whose state allows no reply (closed, already replied) is
        refused (409) before its file is written; should the store refuse
        the reply all the same (closed meanwhile), the file is deleted again.
        """
        ticket = await self.held(member, number, "reply to it")
        check_action(number, ticket.state, "reply")
        if not _has_caller_number(ticket):
            # Only the number that left a ticket hears its reply: nobody
            # would ever hear this one.
            raise TicketActionError(
                f"ticket {number} was left with the caller ID withheld, so no "
                "caller can hear a recorded reply: dial the number said in the "
                'message by hand, then close it with a "note"'
            )
        audio = check_wav(data)
        folder = Path(self.service.options.tickets.recordings_dir) / "replies"
        prompt = await asyncio.to_thread(store_reply, folder, number, audio)
        try:
            replied = await self.store.reply(
                number, "recorded", prompt, member.username, self.service.now()
            )
        except TicketStateError:
            await asyncio.to_thread(discard_reply, prompt)
            raise
        logger.info(
            "%s recorded a %.1f s reply to ticket %s",
            member.username,
            audio.seconds,
            number,
        )
        return replied

    async def call_back(self, member: StaffMember, number: str) -> None:
        """Ring the member's phone, then the caller; the outcome comes later.

        Refused at once when the member has no phone, the ticket has no
        caller number, it is closed or a call-back of it is under way (409),
        or AMI is not ready. Every refusal that can be told without the
        full number comes before it is read, so a refused call-back logs no
        view of the caller. The Originate and the wait for the citizen's
        leg run in a task the CTI service owns.
        """
        if not member.interface:
            raise TicketActionError(f"{member.username} has no phone interface")
        held = await self.held(member, number, "call it back")
        _refuse_call_back(held, self._calling)
        client = self._ready_client()
        ticket = await self.store.get(
            number, viewer_of(member), self.service.now(), reveal_caller=True
        )
        caller = ticket.caller
        if not is_callable_number(caller):
            raise TicketActionError(f"ticket {number} has no number to call back")
        action = commands.callback(
            member.interface,
            caller,
            self.service.options.tickets.callback_context,
            number,
        )
        logger.info(
            "%s calls back ticket %s on %s",
            member.username,
            number,
            mask_number(caller),
        )
        self._calling.add(number)
        self.service.spawn(self._call_back(client, action, member, number), "callback")

    async def _call_back(
        self, client: AMIClient, action: Action, member: StaffMember, number: str
    ) -> None:
        """Place the call-back, record its outcome, tell the agent's desktop."""
        try:
            timeout = self.service.options.tickets.callback_result_timeout
            outcome = await place_call_back(client, action, number, timeout)
        finally:
            self._calling.discard(number)
        now = self.service.now()
        await self.store.note(number, member.username, "callback", outcome.detail, now)
        replied = outcome.answered and await self._reply_by_call(number, member, now)
        logger.info("call-back of ticket %s: %s", number, outcome.detail)
        message = {
            "type": "ticket_callback",
            "number": number,
            "outcome": outcome.detail,
            "replied": replied,
        }
        self.service.hub.to_agent(member.agent_number, message)

    async def _reply_by_call(
        self, number: str, member: StaffMember, now: datetime
    ) -> bool:
        """Make an answered call-back the ticket's reply. A follow-up call on
        a ticket already replied (or closed during the call) stays a note."""
        try:
            await self.store.reply(number, "callback", "", member.username, now)
        except TicketStateError as error:
            logger.info("call-back of ticket %s is a follow-up: %s", number, error)
            return False
        return True

    async def recording(
        self, member: StaffMember, number: str, part: str
    ) -> RecordingFile:
        """The file of a recorded part; 410 when past retention or deleted."""
        await self.visible(member, number)
        viewer, now = viewer_of(member), self.service.now()
        settings = self.service.options.tickets
        found = await self.store.recording(
            number, part, viewer, now, settings.retention_days
        )
        path = Path(f"{found.path}.{settings.recording_format}")
        if not await asyncio.to_thread(path.is_file):
            raise RecordingExpiredError(f"ticket {number}: the {part} file is gone")
        return RecordingFile(path, number, part)

    async def visible(self, member: StaffMember, number: str) -> Ticket:
        """Ticket ``number`` without the caller number, if the member may see it."""
        ticket = await self.store.get(number, viewer_of(member), self.service.now())
        self.check_access(member, ticket)
        return ticket

    async def held(self, member: StaffMember, number: str, action: str) -> Ticket:
        """Ticket ``number`` if the member may act on it: visible, and not
        held by another agent (supervisors act on any; a ticket nobody has
        claimed is open to every agent who sees it)."""
        ticket = await self.visible(member, number)
        holder = ticket.assigned_to
        if holder and holder != member.username and not member.supervises:
            raise TicketAccessError(
                f"ticket {number} is assigned to {holder}: only its agent "
                f"or a supervisor may {action}"
            )
        return ticket

    def _ready_client(self) -> AMIClient:
        client = self.service.client
        if client.state is not ConnectionState.READY:
            raise AMIUnavailableError(f"AMI is {client.state.value}; try again")
        return client


def _refuse_call_back(ticket: Ticket, calling: set[str]) -> None:
    """Refuse a call-back the ticket's visible fields already rule out: a
    closed ticket or one being called back (409), or a masked caller number
    that is not digits (a withheld caller ID); the full number is checked
    again once read."""
    if ticket.state == "closed":
        raise TicketStateError(ticket.number, ticket.state, "call back")
    if ticket.number in calling:
        raise TicketStateError(ticket.number, "being called back", "call back")
    if not _has_caller_number(ticket):
        raise TicketActionError(f"ticket {ticket.number} has no number to call back")


def _has_caller_number(ticket: Ticket) -> bool:
    """Whether the ticket's (masked) caller number is a number at all, not
    a withheld caller ID."""
    return is_callable_number(ticket.caller_masked.replace("*", ""))


def _agent_filter(member: StaffMember, which: TicketFilter) -> TicketFilter:
    """Keep an agent's listing to their skills' areas or their own tickets."""
    if which.assigned_to not in (None, member.username):
        raise TicketAccessError("agents list only their own tickets")
    if which.area is not None and which.area not in member.skills:
        raise TicketAccessError(f"area {which.area!r} is not among your skills")
    if which.area is None and which.assigned_to is None:
        return replace(which, assigned_to=member.username)
    return which


class RecordingSweep:
    """Deletes the files of ticket recordings past the retention period.

    The store still answers for those parts, but the API then finds no file
    and answers 410 Gone, as it does for any part past retention. Every run
    looks at all old parts, not only those since the last run: a ticket
    recovered from the spool may arrive with an old save time.
    """

    def __init__(
        self, store: TicketStore, retention_days: int, extension: str = "wav"
    ) -> None:
        self.store = store
        self.retention = timedelta(days=retention_days)
        self.extension = extension

    async def run_once(self, now: datetime) -> int:
        """Delete expired recording files; return how many were deleted."""
        paths = await self.store.expired_recordings(now - self.retention)
        deleted = await asyncio.to_thread(_delete, paths, self.extension)
        if deleted:
            logger.info("ticket retention: deleted %d recording file(s)", deleted)
        return deleted


def _delete(paths: list[str], extension: str) -> int:
    """Remove ``<path>.<extension>`` for each path; count those that existed."""
    deleted = 0
    for path in paths:
        target = Path(f"{path}.{extension}")
        if target.is_file():
            target.unlink()
            deleted += 1
    return deleted
