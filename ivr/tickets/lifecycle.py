"""Which action may move a ticket from which state, and to where.

One table, so the store, the API and the tests agree. ``pending`` exists
between a call's ``begin`` and ``complete``; ``discarded`` is a pending
entry dropped (nothing worth keeping, or lost: no recording after the
grace period) and is never shown to callers. A completion arriving after
all (a call that outlasted the grace period) revives a discarded ticket:
the caller was told its number. ``overdue`` is set by the
sweep and does not stop work: an overdue ticket may still be claimed,
forwarded, replied to and closed.
"""

from __future__ import annotations

from ivr.tickets.errors import TicketStateError

__all__ = [
    "ACTIONS",
    "CALLER_VISIBLE",
    "CLAIMABLE",
    "DISCARDED",
    "OPEN",
    "check_action",
]

DISCARDED = "discarded"
"""The state of a pending entry that was dropped; not one of ``desk.STATES``."""

OPEN = ("new", "assigned", "forwarded", "overdue")
"""States in which a reply is still owed (the overdue sweep looks at these)."""

CLAIMABLE = ("new", "overdue")
"""States an agent may claim from, when nobody has the ticket yet."""

CALLER_VISIBLE = ("new", "assigned", "forwarded", "replied", "closed", "overdue")
"""States a caller asking about their number may hear."""

ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "complete": (("pending", DISCARDED), "new"),
    "discard": (("pending",), DISCARDED),
    "claim": (CLAIMABLE, "assigned"),
    "forward": (OPEN, "forwarded"),
    "reply": (OPEN, "replied"),
    "close": ((*OPEN, "replied"), "closed"),
    "overdue": (("new", "assigned", "forwarded"), "overdue"),
}
"""Action -> (states it is allowed from, state it leads to)."""


def check_action(number: str, state: str, action: str) -> str:
    """The state ``action`` leads to from ``state``; raise if it is not allowed."""
    allowed, target = ACTIONS[action]
    if state not in allowed:
        raise TicketStateError(number, state, action)
    return target
