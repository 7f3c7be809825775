"""The ticket nodes as frozen values: voice message, complaint, status, fax.

These nodes talk to the ticket desk (:class:`ivr.tickets.TicketDesk`): a
caller leaves a voice message or a complaint and is told its ticket number
and reply deadline (norm art. 26, 32, 35), asks about a ticket by its
number, or asks for a document by fax. The words of each step are fixed
prompt ids (:data:`TICKET_PROMPTS`), so every such node sounds the same;
``menus.yaml`` names only each node's own opening ``prompts``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.flow.model import HolidayPrompts, Node, closing_on

__all__ = [
    "TICKET_PROMPTS",
    "ComplaintNode",
    "FaxNode",
    "MessageNode",
    "RecordingPart",
    "TicketNode",
    "TicketStatusNode",
    "state_prompt",
]

STATE_PROMPTS = {
    state: f"status-state-{state}"
    for state in ("new", "assigned", "forwarded", "replied", "closed", "overdue")
}
"""The plain words for each ticket state a caller may hear."""

RECORDING_PROMPTS = (
    "record-again",
    "message-review",
    "complaint-name",
    "complaint-name-review",
    "complaint-matter",
    "message-too-short",
    "message-not-saved",
    "message-unavailable",
    "message-saved",
    "complaint-saved",
    "deadline-before",
    "deadline-after",
    "ticket-query-hint",
    "number-repeat",
    "message-withheld-number",
)
"""What the message and complaint nodes say around the recordings."""

STATUS_PROMPTS = (
    "status-ask",
    "status-check-number",
    "status-not-found",
    "status-no-number",
    "status-unavailable",
    "status-number",
    "status-deadline",
    "status-reply",
    "status-withheld",
    *STATE_PROMPTS.values(),
)
"""What the ticket status node says."""

FAX_PROMPTS = (
    "fax-line-choice",
    "fax-number-ask",
    "fax-number-refused",
    "fax-number-none",
    "fax-limit-reached",
    "fax-confirm",
    "fax-confirm-keys",
    "fax-saved",
    "fax-will-send",
    "fax-staff-send",
    "fax-staff-send-after",
    "fax-unavailable",
    "fax-not-offered",
)
"""What the fax node says (each document's own prompt comes from the desk)."""

TICKET_PROMPTS = (*RECORDING_PROMPTS, *STATUS_PROMPTS, *FAX_PROMPTS)
"""Every fixed prompt the ticket nodes play: ``ivr check`` wants them all in
the catalog when the flow has such a node, and the catalog keeps them even
though ``menus.yaml`` does not name them."""


def state_prompt(state: str) -> str:
    """The prompt saying ``state`` in plain words (``new`` for unknown states)."""
    return STATE_PROMPTS.get(state, STATE_PROMPTS["new"])


@dataclass(frozen=True, slots=True)
class RecordingPart:
    """One recording a node asks for: the whole message, or a name or matter.

    ``prompts`` are said before its beep, ``review`` is the 1 listen, 2
    record again, 3 send (or confirm) menu after it. A take shorter than
    ``min_seconds`` is not worth keeping; ``max_seconds`` ends the recording.
    """

    part: str
    prompts: tuple[str, ...]
    review: str
    max_seconds: float
    min_seconds: float


@dataclass(frozen=True, slots=True)
class TicketNode(Node):
    """What every ticket node has: how it asks for keys and where it goes.

    ``next`` follows success; ``on_fail`` follows a desk that cannot be
    reached or a caller who gives up (after ``retries`` re-prompts).
    """

    prompts: tuple[str, ...]
    timeout: float
    retries: int
    no_input: tuple[str, ...]
    invalid: tuple[str, ...]
    next: str
    on_fail: str


@dataclass(frozen=True, slots=True)
class MessageNode(TicketNode):
    """Record a voice message, register it as a ticket, read back its number.

    ``area`` is the queue whose agents answer it (their skills are queue
    names; empty: the last queue the caller tried, else ``q-general``).
    With ``next`` empty the call ends after the read-back with the closing
    (holiday wording on holidays).
    """

    area: str
    parts: tuple[RecordingPart, ...]
    silence_seconds: float
    closing: tuple[str, ...]
    holiday_closing: HolidayPrompts

    def closing_on(self, holiday: str | None) -> tuple[str, ...]:
        """The last words on a day that is ``holiday`` (``None``: a normal day)."""
        return closing_on(self.closing, self.holiday_closing, holiday)


@dataclass(frozen=True, slots=True)
class ComplaintNode(MessageNode):
    """A guided complaint: the caller's name, then the matter (norm art. 26).

    Registered as a ``complaint`` ticket with its own deadline; its area
    left empty is ``q-complaints``.
    """


@dataclass(frozen=True, slots=True)
class TicketStatusNode(TicketNode):
    """The caller keys a ticket number and hears that ticket's state only."""

    @property
    def kind(self) -> str:
        """``ticket_status``, as written in ``menus.yaml``."""
        return "ticket_status"


@dataclass(frozen=True, slots=True)
class FaxNode(TicketNode):
    """The caller picks a document and a fax number; the request is stored.

    With ``next`` empty the call ends after the confirmation with the
    closing, as a message node does.
    """

    closing: tuple[str, ...]
    holiday_closing: HolidayPrompts

    def closing_on(self, holiday: str | None) -> tuple[str, ...]:
        """The last words on a day that is ``holiday`` (``None``: a normal day)."""
        return closing_on(self.closing, self.holiday_closing, holiday)
