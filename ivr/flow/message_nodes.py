"""Run the voice message and complaint nodes: record, review, send, read back.

The order of desk calls is the one :mod:`ivr.tickets.desk` fixes, so no
message is lost: :meth:`~ivr.tickets.TicketDesk.begin` before the first
beep, then each part is recorded into the path the pending ticket names and
reviewed (1 listen, 2 record again, 3 send or confirm), then
:meth:`~ivr.tickets.TicketDesk.complete`. A caller who hangs up keeps what
they said once the last part has a take of at least its ``min_seconds``
(saved; a shorter take after it does not replace it, since every take has
its own file); anything shorter is :meth:`~ivr.tickets.TicketDesk.discard`-ed.
After sending, the caller hears the ticket number digit by digit and the
reply deadline as a date (norm art. 26 and 35), may hear them once more,
and is told how to ask about the ticket.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from ivr.channel import CallerHungUp, RecordResult
from ivr.flow.desk_call import DeskCall
from ivr.flow.ticket_model import ComplaintNode, MessageNode, RecordingPart
from ivr.privacy import national_number
from ivr.speech import speak_date, speak_digits
from ivr.tickets.desk import PendingTicket, RecordedPart
from ivr.trace import Outcome, OutcomeKind

__all__ = ["MAX_READ_BACKS", "MAX_TAKES", "run_message"]

logger = logging.getLogger("ivr.flow.message_nodes")

MAX_TAKES = 3
"""Recordings of one part a caller may make (the first and two more)."""
MAX_READ_BACKS = 3
"""How often the ticket number may be heard (the first time and two repeats)."""

_REVIEW_KEYS = "123"
_LISTEN, _AGAIN, _SEND = "1", "2", "3"


@dataclass(slots=True)
class _Takes:
    """Each part's latest take, and its last one long enough to send.

    The first take of a part goes to the path the pending ticket names;
    each further take to its own file beside it (``...-message-2``), so a
    take cut short (a hang-up, a slip of the finger) never destroys the
    usable message recorded before it.
    """

    pending: PendingTicket
    parts: dict[str, RecordedPart] = field(default_factory=dict)
    usable: dict[str, RecordedPart] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def next_path(self, part: RecordingPart) -> str:
        """Where the part's next take is recorded (without extension)."""
        count = self.counts.get(part.part, 0) + 1
        self.counts[part.part] = count
        base = self.pending.recording[part.part]
        return base if count == 1 else f"{base}-{count}"

    def keep(self, part: RecordingPart, result: RecordResult, seconds: float) -> None:
        """Remember ``result`` as the part's latest take."""
        take = RecordedPart(part.part, result.path, seconds)
        self.parts[part.part] = take
        if seconds >= part.min_seconds:
            self.usable[part.part] = take

    def long_enough(self, part: RecordingPart) -> bool:
        """True when the part's latest take is worth keeping."""
        take = self.parts.get(part.part)
        return take is not None and take.seconds >= part.min_seconds

    def any_usable(self, part: RecordingPart) -> bool:
        """True when some take of the part was long enough to send."""
        return part.part in self.usable

    def recorded(self) -> list[RecordedPart]:
        """The parts to hand to the desk: each part's latest usable take."""
        return [self.usable.get(name, take) for name, take in self.parts.items()]


async def run_message(call: DeskCall, node: MessageNode) -> str | Outcome:
    """Run a message or complaint node (see the module docstring)."""
    await call.play(node.prompts)
    pending = await _begin(call, node)
    if pending is None:
        return node.on_fail
    if national_number(call.call.caller) is None:
        # Staff can only answer a withheld caller ID on a number said in
        # the message, and such a caller cannot look the ticket up later.
        await call.play(["message-withheld-number"])
    takes = _Takes(pending)
    try:
        sent = await _record_parts(call, node, takes)
    except CallerHungUp:
        if await _settle_on_hang_up(call, node, takes):
            return Outcome(OutcomeKind.MESSAGE, node.id, detail="saved on hang-up")
        raise
    if not sent:
        await _discard(call, takes, "too short")
        await call.play(["message-not-saved"])
        return node.on_fail
    await _complete(call, takes)
    try:
        return await _read_back(call, node, pending)
    except CallerHungUp:
        return Outcome(OutcomeKind.MESSAGE, node.id, detail="hung up after sending")


async def _begin(call: DeskCall, node: MessageNode) -> PendingTicket | None:
    """The pending ticket, or ``None`` (the caller told) when the desk fails."""
    if call.desk is None:
        await call.desk_failed("take a message", "message-unavailable", None)
        return None
    parts = [part.part for part in node.parts]
    try:
        return await call.desk.begin(node.kind, call.call, parts)
    except Exception as exc:
        # Any desk failure (database and spool both down, a bug) must reach
        # the caller as words, not silence or the dialplan's fallback.
        await call.desk_failed("take a message", "message-unavailable", exc)
        return None


async def _record_parts(call: DeskCall, node: MessageNode, takes: _Takes) -> bool:
    """Record and review every part; False when one has no usable take."""
    for part in node.parts:
        await call.play(part.prompts)
        if not await _record_part(call, node, part, takes):
            return False
    return True


async def _record_part(
    call: DeskCall, node: MessageNode, part: RecordingPart, takes: _Takes
) -> bool:
    """Record one part until the caller sends (or confirms) a usable take.

    A caller who stops answering the review, or asks for a take after
    :data:`MAX_TAKES`, has their latest take long enough to send sent.
    """
    await _record(call, node, part, takes)
    recordings = 1
    while True:
        key = await call.choose(node, [part.review], _REVIEW_KEYS)
        if key == _LISTEN:
            await call.play([takes.parts[part.part].path])
            continue
        usable = takes.long_enough(part)
        if key == _SEND and usable:
            return True
        if key is None or recordings >= MAX_TAKES:
            return takes.any_usable(part)
        too_short = [] if key == _AGAIN else ["message-too-short"]
        await call.play([*too_short, "record-again"])
        await _record(call, node, part, takes)
        recordings += 1


async def _record(
    call: DeskCall, node: MessageNode, part: RecordingPart, takes: _Takes
) -> None:
    """One take after a beep; a hang-up keeps the take, then raises."""
    started = time.monotonic()
    result = await call.channel.record(
        takes.next_path(part),
        fmt=takes.pending.recording_format,
        max_seconds=part.max_seconds,
        silence_seconds=node.silence_seconds,
        escape_digits="#",
        beep=True,
    )
    # Where Asterisk gives no length (no endpos), the time the recording
    # took is the best measure left; it includes the beep.
    seconds = result.duration
    if seconds is None:
        seconds = time.monotonic() - started
    takes.keep(part, result, seconds)
    call.step.result = f"recorded {part.part} {seconds:.1f} s ({result.ended_by})"
    if result.ended_by == "hangup":
        raise CallerHungUp(f"caller hung up while recording {part.part}")


async def _settle_on_hang_up(call: DeskCall, node: MessageNode, takes: _Takes) -> bool:
    """Save the message of a caller who hung up, if it is long enough."""
    last = node.parts[-1]
    if takes.any_usable(last):
        await _complete(call, takes)
        call.step.result = "saved on hang-up"
        return True
    await _discard(call, takes, "hung up before the minimum length")
    return False


async def _complete(call: DeskCall, takes: _Takes) -> None:
    """Finalise the ticket; a failure is logged and left to the reconciler.

    The pending entry and the recordings exist already, so the reconciler
    settles the ticket later and the number the caller hears stays true.
    """
    assert call.desk is not None
    try:
        await call.desk.complete(takes.pending, takes.recorded())
    except Exception as exc:
        logger.error(
            "call %s: ticket %s not completed (%s); left for the reconciler",
            call.call.uniqueid,
            takes.pending.number,
            type(exc).__name__,
            exc_info=exc,
        )
        return
    logger.info("call %s: ticket %s saved", call.call.uniqueid, takes.pending.number)


async def _discard(call: DeskCall, takes: _Takes, reason: str) -> None:
    """Drop the pending ticket; a failure is logged (the reconciler drops it)."""
    assert call.desk is not None
    try:
        await call.desk.discard(takes.pending, reason)
    except Exception as exc:
        logger.error(
            "call %s: ticket %s not discarded (%s); left for the reconciler",
            call.call.uniqueid,
            takes.pending.number,
            type(exc).__name__,
            exc_info=exc,
        )
        return
    logger.info(
        "call %s: ticket %s discarded: %s",
        call.call.uniqueid,
        takes.pending.number,
        reason,
    )


async def _read_back(
    call: DeskCall, node: MessageNode, pending: PendingTicket
) -> str | Outcome:
    """Say the number and deadline (again on request), then end or go on."""
    saved = "complaint-saved" if isinstance(node, ComplaintNode) else "message-saved"
    words = [
        saved,
        *speak_digits(pending.number),
        "deadline-before",
        *speak_date(pending.deadline.day),
        "deadline-after",
    ]
    call.step.result = f"sent {pending.kind} ticket"
    # The status look-up answers only the number that left the ticket.
    hint = [] if national_number(call.call.caller) is None else ["ticket-query-hint"]
    await call.play([*words, *hint])
    for _ in range(MAX_READ_BACKS - 1):
        key = await call.collect(["number-repeat"], max_digits=1, timeout=node.timeout)
        if key != "1":
            break
        await call.play(words)
    if node.next:
        return node.next
    await call.play(node.closing_on(call.holiday))
    return Outcome(OutcomeKind.MESSAGE, node.id)
