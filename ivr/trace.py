"""What happened on one call: the path through the flow and how it ended.

The flow interpreter fills a :class:`CallTrace` as the call runs; the call
record writer (``ivr.records``) stores it, and the simulated caller prints the
same path. Nothing personal is kept here: the caller number is held only as
its masked form and keyed hash.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["CallTrace", "Outcome", "OutcomeKind", "Step"]


class OutcomeKind(StrEnum):
    """How a call ended, as reports count it."""

    SELF_SERVICE = "self_service"
    """The caller heard what they came for and the flow said goodbye."""
    QUEUE = "queue"
    """The call was handed to an agent queue (see ``Outcome.queue_status``)."""
    MESSAGE = "message"
    """The caller left a voice message or a complaint: a ticket to answer."""
    GOODBYE = "goodbye"
    """The flow ended the call politely without service (no input, after hours)."""
    HANGUP = "hangup"
    """The caller hung up inside the flow (see ``Outcome.node_id``)."""
    ERROR = "error"
    """The service failed; the caller was sent to the safe fallback."""


@dataclass(slots=True)
class Step:
    """One visit to one node."""

    node_id: str
    kind: str
    entered_at: datetime
    keys: str = ""
    prompts: list[str] = field(default_factory=list)
    result: str = ""
    left_at: datetime | None = None
    queue: str = ""
    """For a queue hand-off: the queue the call was offered to."""
    queue_status: str = ""
    """For a queue hand-off: Asterisk's QUEUESTATUS when Queue returned."""


@dataclass(slots=True)
class Outcome:
    """The end of a call."""

    kind: OutcomeKind
    node_id: str = ""
    queue: str = ""
    queue_status: str = ""
    detail: str = ""


@dataclass(slots=True)
class CallTrace:
    """The record of one call, built while it runs."""

    uniqueid: str
    started_at: datetime
    flow_version: str = ""
    caller_masked: str = ""
    caller_hash: str = ""
    channel: str = ""
    language: str = "zh"
    steps: list[Step] = field(default_factory=list)
    outcome: Outcome | None = None
    ended_at: datetime | None = None
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    """This AGI session's own key: one channel may run the IVR more than once."""

    @property
    def path(self) -> list[str]:
        """The node ids visited, in order."""
        return [step.node_id for step in self.steps]
