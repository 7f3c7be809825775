"""Ticket call-backs: ring the agent, dial the citizen, learn how it went.

A call-back is a dialplan Originate (:func:`cti.commands.callback`): the
agent's phone rings first, and only once it answers does the
``cti-callback`` context (asterisk-dialplan/extensions.conf) dial the
citizen. So OriginateResponse speaks of the agent's leg alone. The
citizen's leg is reported by the context's ``h`` extension, which runs
after hangup with Dial's variables set (apps/app_dial.c): ``UserEvent:
CallbackResult`` with ``Ticket``, ``DialStatus`` (DIALSTATUS: ANSWER, BUSY,
NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL, DONTCALL, TORTURE, INVALIDARGS;
empty when Dial never ran) and ``AnsweredTime`` (ANSWEREDTIME, seconds).
:func:`place_call_back` subscribes to UserEvent before originating, so the
result cannot slip past, then waits for this ticket's result. Only
DialStatus ANSWER means the citizen was reached.

The ``h`` extension runs when the call ends, so the wait covers the
citizen's ringing and the whole conversation; a result that does not come
within ``result_timeout`` (the AMI link was down when it was sent, or the
dialplan lacks the ``h`` extension) leaves the outcome unknown.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from cti.ami import Action, AMIClient, AMIError, Message, Subscription

__all__ = ["RESULT_EVENT", "CallbackOutcome", "outcome_of", "place_call_back"]

RESULT_EVENT = "CallbackResult"
"""The UserEvent name the cti-callback context's ``h`` extension sends."""

ANSWER = "ANSWER"
"""The DIALSTATUS of a dial the called party answered (apps/app_dial.c)."""


@dataclass(frozen=True, slots=True)
class CallbackOutcome:
    """How a call-back ended: whether the citizen answered, and in words.

    ``detail`` goes to the ticket's history and the agent's desktop; it
    never holds the citizen's number.
    """

    answered: bool
    detail: str


async def place_call_back(
    client: AMIClient, action: Action, ticket: str, result_timeout: float
) -> CallbackOutcome:
    """Originate the call-back ``action`` of ``ticket`` and wait for its result.

    The agent's leg failing (busy, no answer: OriginateResponse Reason) or
    an AMI error ends it at once; otherwise the ticket's CallbackResult
    decides, or ``result_timeout`` seconds pass without one.
    """
    subscription = client.subscribe("UserEvent", maxsize=100)
    try:
        return await _attempt(client, action, ticket, subscription, result_timeout)
    finally:
        client.unsubscribe(subscription)


async def _attempt(
    client: AMIClient,
    action: Action,
    ticket: str,
    subscription: Subscription,
    result_timeout: float,
) -> CallbackOutcome:
    try:
        dialled = await client.originate(action)
        if not dialled.ok:
            return CallbackOutcome(False, f"failed: agent phone {dialled.reason}")
        async with asyncio.timeout(result_timeout):
            return await _result(subscription, ticket)
    except AMIError as exc:
        # Before TimeoutError: ActionTimeoutError is both (cti.ami.errors).
        return CallbackOutcome(False, f"failed: {exc}")
    except TimeoutError:
        detail = f"failed: no result from Asterisk in {result_timeout:g} s"
        return CallbackOutcome(False, f"{detail}, outcome unknown")


async def _result(subscription: Subscription, ticket: str) -> CallbackOutcome:
    """Wait for this ticket's ``UserEvent: CallbackResult`` and read it."""
    while True:
        event = await subscription.get()
        if event.get("UserEvent") == RESULT_EVENT and event.get("Ticket") == ticket:
            return outcome_of(event)


def outcome_of(event: Message) -> CallbackOutcome:
    """The outcome a CallbackResult event reports, in the history's words.

    CANCEL means the calling side, the agent, hung up before the citizen
    answered; an empty DialStatus that Dial never ran (the agent hung up
    at once).
    """
    status = event.get("DialStatus")
    if status == ANSWER:
        seconds = event.get("AnsweredTime")
        return CallbackOutcome(
            True, f"answered ({seconds} s)" if seconds else "answered"
        )
    if status == "CANCEL":
        return CallbackOutcome(
            False, "failed: agent hung up before the citizen answered"
        )
    if not status:
        return CallbackOutcome(False, "failed: the citizen was not dialled")
    return CallbackOutcome(False, f"failed: citizen {status}")
