"""What the ticket nodes share: one node visit with its channel, desk and call.

:class:`DeskCall` plays and collects on the channel while keeping the
node's :class:`~ivr.trace.Step` up to date, asks for one key out of a few
with the flow's re-prompts (:meth:`DeskCall.choose`), and reads ticket
numbers and dates with :mod:`ivr.speech`. :func:`call_context` describes
the call to the desk (:class:`ivr.tickets.CallContext`).

A desk that raises is a remote service that failed (database down and
spool full, a bug): the node catches it here and the caller is told so in
words, never left in silence, then sent on (see :meth:`DeskCall.desk_failed`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ivr.channel import Channel, CollectResult
from ivr.flow.ticket_model import TicketNode
from ivr.privacy import mask_number
from ivr.tickets.desk import CallContext, TicketDesk
from ivr.trace import CallTrace, Step

__all__ = [
    "COMPLAINT_AREA",
    "DEFAULT_AREA",
    "DeskCall",
    "call_context",
    "key_of",
    "noted_number",
]

logger = logging.getLogger("ivr.flow.desk_call")

DEFAULT_AREA = "q-general"
"""The area of a ticket left where no area or queue is known: a queue name,
since an area is the queue whose agents (by their skills) answer the ticket."""
REPEAT_KEY = "#"
"""At a choice (review, line, confirm): hear the choices again."""

COMPLAINT_AREA = "q-complaints"
"""The area of a complaint whose node names none: the complaints queue."""


def key_of(collected: CollectResult) -> str:
    """The keys pressed; a bare ``#`` ends ``GET DATA`` with no digits.

    res_agi.c's GET DATA treats ``#`` as its terminator and returns an empty
    result, which differs from silence only in not having timed out.
    """
    if not collected.digits and not collected.timed_out:
        return "#"
    return collected.digits


def call_context(trace: CallTrace, channel: Channel, area: str) -> CallContext:
    """The call as the desk records it: who, where in the menu, which area.

    ``area`` empty means the last queue the caller tried (a message left
    after a long wait belongs to that queue's staff), else
    :data:`DEFAULT_AREA`.
    Areas are queue names: agents see and claim the tickets of their skills.
    """
    tried = [step.queue for step in trace.steps if step.queue]
    return CallContext(
        uniqueid=trace.uniqueid,
        caller=channel.info.caller,
        menu_path=tuple(trace.path),
        area=area or (tried[-1] if tried else DEFAULT_AREA),
        language=channel.info.language,
        flow_version=trace.flow_version,
    )


def noted_number(number: str) -> str:
    """How the call record notes a phone or fax number read out digit by
    digit: one masked entry instead of the digits' prompts."""
    return f"digits:{mask_number(number)}"


@dataclass(slots=True)
class DeskCall:
    """One visit to a ticket node: say things, ask for keys, use the desk.

    ``desk`` is ``None`` when the service has no ticket desk configured:
    the node then tells the caller the service is unavailable and goes to
    its ``on_fail`` node, as it does when the desk fails.
    """

    channel: Channel
    step: Step
    desk: TicketDesk | None
    call: CallContext
    holiday: str | None
    report_missing: Callable[[Step, Sequence[str]], None]

    async def play(self, prompts: Sequence[str]) -> None:
        """Play prompts (prompt ids or recording paths) and note them."""
        if not prompts:
            return
        self.step.prompts.extend(prompts)
        result = await self.channel.play(prompts)
        self.report_missing(self.step, result.missing)

    async def collect(
        self,
        prompts: Sequence[str],
        *,
        max_digits: int,
        timeout: float,
        terminators: str = "#",
        secret: bool = False,
        noted: Sequence[str] | None = None,
    ) -> str:
        """Keys after ``prompts``: ``""`` for silence, ``"#"`` for a bare ``#``.

        The call record notes ``noted`` for ``prompts`` when given (prompts
        that read out a number), and keys ``secret`` (a phone or fax
        number) in their masked form only.
        """
        self.step.prompts.extend(prompts if noted is None else noted)
        collected = await self.channel.collect(
            prompts,
            max_digits=max_digits,
            first_timeout=timeout,
            terminators=terminators,
        )
        key = key_of(collected)
        self.step.keys += mask_number(key) if secret and key != "#" else key
        self.report_missing(self.step, collected.missing)
        return key

    async def choose(
        self,
        node: TicketNode,
        prompts: Sequence[str],
        keys: str,
        *,
        noted: Sequence[str] | None = None,
    ) -> str | None:
        """One of ``keys``, re-prompting as a menu does; ``None`` on giving up.

        Silences and wrong keys count together against ``node.retries``;
        each re-prompt line is picked by the count of its own kind. ``#``
        repeats the choices, as in every menu (the second silence line says
        so), and counts as neither.
        """
        silences = wrong = 0
        retry: tuple[str, ...] = ()
        while True:
            key = await self.collect(
                [*retry, *prompts],
                max_digits=1,
                timeout=node.timeout,
                noted=None if noted is None else [*retry, *noted],
            )
            if key and key in keys:
                return key
            if key == REPEAT_KEY:
                retry = ()
                continue
            silences, wrong = (silences, wrong + 1) if key else (silences + 1, wrong)
            if silences + wrong > node.retries:
                return None
            lines = node.invalid if key else node.no_input
            count = wrong if key else silences
            retry = (lines[min(count, len(lines)) - 1],) if lines else ()

    async def desk_failed(
        self, action: str, prompt: str, exc: Exception | None
    ) -> None:
        """Log a missing or failed desk and tell the caller in words."""
        if exc is None:
            logger.warning(
                "call %s: node %s: no ticket desk configured, cannot %s",
                self.call.uniqueid,
                self.step.node_id,
                action,
            )
        else:
            logger.error(
                "call %s: node %s: the ticket desk failed to %s: %s",
                self.call.uniqueid,
                self.step.node_id,
                action,
                type(exc).__name__,
                exc_info=exc,
            )
        self.step.result = f"desk unavailable ({action})"
        await self.play([prompt])
