"""A scripted channel that records, and helpers for the ticket node tests.

:class:`RecordingChannel` answers each ``record`` with the next
:class:`Take` (how the recording ended and how long it was) and notes the
beep as ``<beep>`` among the prompts heard, so a test reads the caller's
whole dialogue in order. :func:`run_with_desk` runs the shipped flow with
an in-memory ticket desk on a fixed clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flow_fakes import ScriptedChannel

from ivr.channel import CallInfo, RecordResult
from ivr.clock import FixedClock
from ivr.flow import Flow, FlowRunner, WorkCalendar
from ivr.prompts import PromptCatalog
from ivr.tickets import (
    CallContext,
    FaxReceipt,
    PendingTicket,
    TicketDesk,
    TicketStatus,
)
from ivr.tickets.memory_desk import MemoryTicketDesk
from ivr.trace import CallTrace, Outcome

CALLER = "13912345678"
BEEP = "<beep>"


@dataclass(frozen=True)
class Take:
    """How one recording goes: its end and its seconds (``None``: unknown)."""

    ended_by: str = "dtmf"
    seconds: float | None = 6.0


@dataclass
class RecordingChannel(ScriptedChannel):
    """A scripted channel whose caller also speaks into recordings."""

    takes: list[Take] = field(default_factory=list)
    records: list[dict[str, object]] = field(default_factory=list)
    caller: str | None = CALLER

    @property
    def info(self) -> CallInfo:
        """A fixed identity with the caller's number."""
        return CallInfo(
            uniqueid="1700000000.1", channel="PJSIP/test-00000001", caller=self.caller
        )

    async def record(
        self,
        path: str,
        *,
        fmt: str = "wav",
        max_seconds: float,
        silence_seconds: float | None = None,
        escape_digits: str = "#",
        beep: bool = True,
    ) -> RecordResult:
        """Beep, then end as the next take says (a hang-up when none is left)."""
        self._check_alive()
        self.records.append(
            {"path": path, "fmt": fmt, "max": max_seconds, "silence": silence_seconds}
        )
        if beep:
            self.played.append(BEEP)
        take = self.takes.pop(0) if self.takes else Take("hangup", 0.0)
        if take.ended_by == "hangup":
            self.caller_gone = True
        digit = "#" if take.ended_by == "dtmf" else None
        return RecordResult(path, take.ended_by, digit, take.seconds)


def memory_desk(
    folder: Path,
    flow: Flow,
    when: datetime,
    *,
    fax_sending: bool = False,
    fax_area_codes: Sequence[str] = (),
    kind: type[MemoryTicketDesk] = MemoryTicketDesk,
) -> MemoryTicketDesk:
    """An in-memory desk on the flow's calendar, its clock fixed at ``when``."""
    calendar = WorkCalendar(flow.settings.overrides)
    return kind.in_folder(
        folder,
        calendar,
        FixedClock(when),
        fax_sending=fax_sending,
        fax_area_codes=fax_area_codes,
    )


async def run_with_desk(
    flow: Flow,
    catalog: PromptCatalog,
    channel: ScriptedChannel,
    when: datetime,
    desk: TicketDesk | None,
) -> tuple[Outcome, CallTrace]:
    """Run the shipped flow on ``channel`` at local time ``when`` with ``desk``."""
    calendar = WorkCalendar(flow.settings.overrides)
    runner = FlowRunner(flow, calendar, FixedClock(when), catalog, desk=desk)
    trace = CallTrace(uniqueid="1700000000.1", started_at=when)
    outcome = await runner.run(channel, trace)
    return outcome, trace


def contains(heard: Sequence[str], words: Sequence[str]) -> bool:
    """True when ``words`` were heard one after another, in this order."""
    size = len(words)
    return any(
        list(heard[i : i + size]) == list(words) for i in range(len(heard) - size + 1)
    )


class BrokenDesk(MemoryTicketDesk):
    """A desk whose database and spool are both gone: every call raises."""

    async def begin(
        self, kind: str, call: CallContext, parts: Sequence[str]
    ) -> PendingTicket:
        """Fail as a desk with nowhere to write does."""
        raise OSError("no space left on device")

    async def status(
        self, number: str, *, caller: str | None = None
    ) -> TicketStatus | None:
        """Fail as a desk without its database does."""
        raise OSError("database unreachable")

    async def request_fax(
        self, call: CallContext, document: str, fax_number: str
    ) -> FaxReceipt:
        """Fail as a desk without its database does."""
        raise OSError("database unreachable")
