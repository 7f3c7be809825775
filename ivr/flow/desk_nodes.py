"""Run the ticket status and fax nodes.

Ticket status: the caller keys a ticket number (as many digits as the desk's
numbers have, ``#`` ends); a number with a wrong length, prefix or check
digit is refused before any look-up. Only the number that left a ticket can
look it up: a ticket of another number, any ticket for a withheld caller ID,
and an unknown number all get the same words, so a caller learns nothing of
tickets that are not theirs, not even that they exist (norm art. 25). A
found ticket is read out: its number, its state in plain words, its reply
deadline as a date, and a recorded reply where staff left one.

Fax: the caller picks a document by key (each document's own prompt names
its key), then the calling line or another number, hears the number read
back and confirms; the stored request's ticket number follows, and honestly
whether the fax goes out by itself or waits for staff (and by when). With
no documents configured the caller hears that faxes are not offered here.
Faxes go to mainland fixed lines only (the desk's rule, see
:mod:`ivr.fax_numbers`): the calling line is offered only when it is one,
and a keyed number that is not one is refused in words and asked for
again, as is a silence, up to the node's retries. A calling number that
has asked for its faxes of the day hears so before choosing anything.
"""

from __future__ import annotations

import logging

from ivr.flow.desk_call import DeskCall, noted_number
from ivr.flow.failures import Failures
from ivr.flow.ticket_model import FaxNode, TicketStatusNode, state_prompt
from ivr.privacy import mask_number, national_number
from ivr.speech import speak_date, speak_digits
from ivr.tickets.desk import FaxDocument, FaxReceipt, TicketDesk, TicketStatus
from ivr.trace import Outcome, OutcomeKind

__all__ = ["MAX_FAX_DIGITS", "run_fax", "run_ticket_status"]

logger = logging.getLogger("ivr.flow.desk_nodes")

MAX_FAX_DIGITS = 20
"""Most keys read as one fax number: more than any fixed line has, so a
long entry (an international number) is read whole and refused, not cut
short with its last keys left over for the next question."""

_OWN_LINE, _OTHER_LINE = "1", "2"
_CONFIRM, _RETYPE = "1", "2"


async def run_ticket_status(call: DeskCall, node: TicketStatusNode) -> str:
    """Ask for a ticket number and read out that ticket (see the module doc)."""
    desk = call.desk
    if desk is None:
        await call.desk_failed("look up a ticket", "status-unavailable", None)
        return node.on_fail
    if national_number(call.call.caller) is None:
        # Only the number that left a ticket is told of it: say so at once
        # rather than let a withheld caller key a number that cannot match.
        call.step.result = "caller ID withheld"
        await call.play(["status-withheld"])
        return node.next
    failures = Failures()
    retry: tuple[str, ...] = ()
    while True:
        number = await call.collect(
            [*retry, *node.prompts, "status-ask"],
            # One more than a ticket number has, so the "#" that
            # status-ask asks for ends this read (see MAX_FAX_DIGITS).
            max_digits=desk.number_length + 1,
            timeout=node.timeout,
        )
        found = await _look_up(call, desk, number)
        if isinstance(found, TicketStatus):
            await _read_status(call, found)
            return node.next
        if found == "down":
            return node.on_fail
        keyed = number.strip("#")
        if failures.add(keyed).total > node.retries:
            await _give_up(call, bool(keyed))
            return node.on_fail
        retry = _status_retry(node, keyed, failures)


async def _look_up(call: DeskCall, desk: TicketDesk, number: str) -> TicketStatus | str:
    """The ticket, ``"none"`` (not keyed, not ours), or ``"down"`` (told)."""
    if not number.isdigit() or not desk.is_valid_number(number):
        return "none"
    try:
        found = await desk.status(number, caller=call.call.caller)
    except Exception as exc:
        # A desk failure must reach the caller as words, not silence.
        await call.desk_failed("look up a ticket", "status-unavailable", exc)
        return "down"
    return "none" if found is None else found


async def _give_up(call: DeskCall, keyed: bool) -> None:
    """The last words, by the kind of the last failure: "does not match"
    after a keyed number, "no number received" after a silence."""
    call.step.result = "no ticket found" if keyed else "no number keyed"
    await call.play(["status-not-found" if keyed else "status-no-number"])


def _status_retry(
    node: TicketStatusNode, keyed: str, failures: Failures
) -> tuple[str, ...]:
    """The line before asking again: the silence line of the count of
    silences so far, or "check the number" after a keyed one."""
    if keyed:
        return ("status-check-number",)
    return failures.line(keyed, node.no_input)


async def _read_status(call: DeskCall, status: TicketStatus) -> None:
    """Read out one ticket: number, state, deadline, and any recorded reply."""
    words = [
        "status-number",
        *speak_digits(status.number),
        state_prompt(status.state),
        "status-deadline",
        *speak_date(status.deadline.day),
    ]
    if status.replied_prompt:
        words += ["status-reply", status.replied_prompt]
    call.step.result = f"ticket found, {status.state}"
    await call.play(words)


async def run_fax(call: DeskCall, node: FaxNode) -> str | Outcome:
    """Take a fax request (see the module docstring)."""
    documents = await _documents(call)
    if not documents or not await _within_limit(call):
        return node.on_fail
    document = await _pick_document(call, node, documents)
    if document is None:
        return node.on_fail
    number = await _fax_number(call, node)
    if number is None:
        call.step.result = "no fax number"
        return node.on_fail
    receipt = await _request(call, document, number)
    if receipt is None:
        return node.on_fail
    await call.play(_receipt_words(receipt))
    if node.next:
        return node.next
    await call.play(node.closing_on(call.holiday))
    return Outcome(OutcomeKind.SELF_SERVICE, node.id, detail="fax requested")


async def _documents(call: DeskCall) -> list[FaxDocument]:
    """The desk's documents; none (the caller told) when it has none or fails."""
    if call.desk is None:
        await call.desk_failed("list fax documents", "fax-unavailable", None)
        return []
    try:
        documents = list(call.desk.fax_documents())
    except Exception as exc:
        await call.desk_failed("list fax documents", "fax-unavailable", exc)
        return []
    if not documents:
        logger.warning("call %s: no fax documents configured", call.call.uniqueid)
        call.step.result = "no fax documents"
        await call.play(["fax-not-offered"])
    return documents


async def _within_limit(call: DeskCall) -> bool:
    """True when the caller may ask for a fax today; else they are told."""
    assert call.desk is not None
    try:
        allowed = await call.desk.fax_allowed(call.call)
    except Exception as exc:
        await call.desk_failed("count the caller's faxes", "fax-unavailable", exc)
        return False
    if not allowed:
        logger.info("call %s: faxes of the day used up", call.call.uniqueid)
        call.step.result = "fax limit reached"
        await call.play(["fax-limit-reached"])
    return allowed


async def _pick_document(
    call: DeskCall, node: FaxNode, documents: list[FaxDocument]
) -> FaxDocument | None:
    by_key = {document.key: document for document in documents}
    prompts = [*node.prompts, *(d.prompt for d in documents if d.prompt)]
    key = await call.choose(node, prompts, "".join(by_key))
    return None if key is None else by_key[key]


async def _fax_number(call: DeskCall, node: FaxNode) -> str | None:
    """A fax number the caller confirmed, or ``None`` when they gave up."""
    assert call.desk is not None
    # The national form: a trunk's +86 or 0086 is no part of a fax number.
    caller = national_number(call.call.caller) or ""
    own = caller if call.desk.accepts_fax_number(caller) else None
    for _ in range(node.retries + 1):
        number = await _own_or_keyed(call, node, own)
        if number is None:
            return None
        confirm = ["fax-confirm", *speak_digits(number), "fax-confirm-keys"]
        noted = ["fax-confirm", noted_number(number), "fax-confirm-keys"]
        key = await call.choose(node, confirm, _CONFIRM + _RETYPE, noted=noted)
        if key == _CONFIRM:
            return number
        if key is None:
            return None
    return None


async def _own_or_keyed(call: DeskCall, node: FaxNode, own: str | None) -> str | None:
    """The calling line or a keyed number; ``None`` when the caller gave up."""
    if own is not None:
        key = await call.choose(node, ["fax-line-choice"], _OWN_LINE + _OTHER_LINE)
        if key is None:
            return None
        if key == _OWN_LINE:
            return own
    return await _keyed_number(call, node)


async def _keyed_number(call: DeskCall, node: FaxNode) -> str | None:
    """A keyed number a fax may go to, asked again after a refused number
    or a silence (each says which) up to the node's retries."""
    assert call.desk is not None
    retry: tuple[str, ...] = ()
    for _ in range(node.retries + 1):
        keyed = await call.collect(
            [*retry, "fax-number-ask"],
            max_digits=MAX_FAX_DIGITS,
            timeout=node.timeout,
            secret=True,
        )
        keyed = keyed.strip("#")
        if keyed and call.desk.accepts_fax_number(keyed):
            return keyed
        if keyed:
            logger.info(
                "call %s: fax number %s refused",
                call.call.uniqueid,
                mask_number(keyed),
            )
        retry = ("fax-number-refused",) if keyed else ("fax-number-none",)
    await call.play(retry)
    return None


async def _request(
    call: DeskCall, document: FaxDocument, number: str
) -> FaxReceipt | None:
    assert call.desk is not None
    try:
        receipt = await call.desk.request_fax(call.call, document.id, number)
    except Exception as exc:
        await call.desk_failed("store a fax request", "fax-unavailable", exc)
        return None
    call.step.result = f"fax {document.id} requested"
    return receipt


def _receipt_words(receipt: FaxReceipt) -> list[str]:
    """The ticket number, then who sends the fax: the system, or staff by a date."""
    words = ["fax-saved", *speak_digits(receipt.number)]
    if receipt.will_send:
        return [*words, "fax-will-send"]
    day = speak_date(receipt.deadline.day)
    return [*words, "fax-staff-send", *day, "fax-staff-send-after"]
