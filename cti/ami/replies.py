"""What an action returns: the reply, its list events, and typed outcomes.

A :class:`Reply` is the ``Response:`` message plus, for EventList actions
(QueueStatus, CoreShowChannels...), the events that carried our ActionID
up to the ``...Complete`` event (manager.c astman_send_listack and
astman_send_list_complete).
"""

from __future__ import annotations

from dataclasses import dataclass

from cti.ami.message import Message

__all__ = ["ORIGINATE_REASONS", "CommandResult", "OriginateResult", "Reply"]

# Reason codes of OriginateResponse (main/manager.c fast_originate, from the
# AST_CONTROL_* frame the dial ended on; field case F22).
ORIGINATE_REASONS = {
    0: "failed",
    1: "hangup",
    3: "ring timeout",
    4: "answered",
    5: "busy",
    8: "congestion",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply to one action, with the list events when it was a list."""

    response: Message
    events: tuple[Message, ...] = ()

    @property
    def message(self) -> str:
        """The reply's ``Message:`` text."""
        return self.response.get("Message")

    @property
    def items(self) -> tuple[Message, ...]:
        """The list events without the closing ``...Complete`` event."""
        return tuple(event for event in self.events if not event.list_complete)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A CLI command's outcome: Asterisk 14+ answers Error when it failed (F17)."""

    ok: bool
    output: str
    reply: Message


@dataclass(frozen=True, slots=True)
class OriginateResult:
    """The OriginateResponse event for an Async Originate (F22, F23)."""

    event: Message

    @property
    def ok(self) -> bool:
        """True when Asterisk reports ``Response: Success``."""
        return self.event.get("Response").lower() == "success"

    @property
    def reason_code(self) -> int | None:
        """The numeric Reason, or None when absent or not a number."""
        text = self.event.get("Reason")
        return int(text) if text.lstrip("-").isdigit() else None

    @property
    def reason(self) -> str:
        """The Reason in words; unknown codes are shown as numbers."""
        code = self.reason_code
        if code is None:
            return "unknown"
        return ORIGINATE_REASONS.get(code, f"reason {code}")

    @property
    def uniqueid(self) -> str | None:
        """The channel's Uniqueid; ``<null>``/``<unknown>`` read as None."""
        return self.event.optional("Uniqueid")
