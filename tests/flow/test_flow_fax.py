"""A caller asks for a document by fax: to the calling line or a keyed number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from flow_fakes import HANG_UP, SILENCE, at
from ticket_fakes import (
    CALLER,
    BrokenDesk,
    RecordingChannel,
    contains,
    memory_desk,
    run_with_desk,
)

from ivr.flow import Flow
from ivr.privacy import mask_number
from ivr.prompts import PromptCatalog
from ivr.speech import speak_date, speak_digits
from ivr.tickets.desk import FaxDocument
from ivr.tickets.memory_desk import MemoryTicketDesk
from ivr.trace import OutcomeKind

FRIDAY = at(2026, 10, 16, 15, 0)
"""Two working days after this Friday is Tuesday 20 October."""
TO_FAX = ("7", "6")
"""Main menu 7 (self-service), then 2 (fax)."""
FAX_NUMBER = "01065551234"


async def test_fax_to_the_calling_line_waits_for_staff(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Document 1 to the calling line, confirmed; no fax sending configured:
    the caller hears the ticket number and the day staff will send it by."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel([*TO_FAX, "1", "1", "1", HANG_UP])

    outcome, trace = await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    (ticket,) = desk.tickets.values()
    assert (ticket.kind, ticket.document, ticket.fax_number) == (
        "fax",
        "pension-guide",
        CALLER,
    )
    assert channel.collects[2] == [
        "fax-intro",
        "fax-doc-pension-guide",
        "fax-doc-unemployment-guide",
    ]
    assert channel.collects[3] == ["fax-line-choice"]
    assert channel.collects[4] == [
        "fax-confirm",
        *speak_digits(CALLER),
        "fax-confirm-keys",
    ]
    heard = [
        "fax-saved",
        *speak_digits(ticket.number),
        "fax-staff-send",
        *speak_date(date(2026, 10, 20)),
        "fax-staff-send-after",
        "closing",
    ]
    assert channel.played[-len(heard) :] == heard
    assert outcome.kind is OutcomeKind.SELF_SERVICE
    assert trace.path[-1] == "fax-request"


async def test_fax_to_a_keyed_number_is_sent_automatically(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Another number keyed, read back and confirmed; sending is configured."""
    desk = memory_desk(tmp_path, flow, FRIDAY, fax_sending=True)
    channel = RecordingChannel([*TO_FAX, "2", "2", FAX_NUMBER, "1", HANG_UP])

    await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    (ticket,) = desk.tickets.values()
    assert (ticket.document, ticket.fax_number) == ("unemployment-guide", FAX_NUMBER)
    assert channel.collects[4] == ["fax-number-ask"]
    confirm = ["fax-confirm", *speak_digits(FAX_NUMBER), "fax-confirm-keys"]
    assert channel.collects[5] == confirm
    assert contains(channel.played, ["fax-will-send", "closing"])
    assert "fax-staff-send" not in channel.played


async def test_retyping_the_number_and_an_unknown_caller(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """No caller ID: straight to keying; a too-short number and "2" retype."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel(
        [*TO_FAX, "1", "123", "01099998888", "2", FAX_NUMBER, "1", HANG_UP],
        caller=None,
    )

    await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert "fax-line-choice" not in channel.played
    assert "invalid-1" in channel.played
    assert [t.fax_number for t in desk.tickets.values()] == [FAX_NUMBER]


async def test_no_document_chosen_goes_back(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Silence at the document list: re-prompts, then the self-service menu."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel([*TO_FAX, SILENCE, "9", SILENCE, HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert desk.tickets == {}
    assert trace.path[-2:] == ["fax-request", "self-service"]


class NoDocumentsDesk(MemoryTicketDesk):
    """A desk with no fax documents configured (the embedded default)."""

    def fax_documents(self) -> Sequence[FaxDocument]:
        """None offered."""
        return []


async def test_no_documents_configured_says_faxes_are_not_offered(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Without documents the caller hears that faxes are not offered here,
    not that the system is being adjusted, and goes to on_fail."""
    desk = memory_desk(tmp_path, flow, FRIDAY, kind=NoDocumentsDesk)
    channel = RecordingChannel([*TO_FAX, HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert "fax-not-offered" in channel.played
    assert "fax-unavailable" not in channel.played
    assert trace.steps[-2].result == "no fax documents"
    assert trace.path[-2:] == ["fax-request", "self-service"]


async def test_fax_desk_down_is_said(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A request the desk cannot store: told honestly, back to the menu."""
    desk = memory_desk(tmp_path, flow, FRIDAY, kind=BrokenDesk)
    channel = RecordingChannel([*TO_FAX, "1", "1", "1", HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert "fax-unavailable" in channel.played
    assert "fax-saved" not in channel.played
    assert trace.path[-2:] == ["fax-request", "self-service"]


async def test_the_call_record_keeps_fax_and_own_numbers_masked(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """The fax node's step notes a keyed fax number, and the read-back of
    the calling line or that number, masked only (call records are not
    the logged caller view the ticket detail is)."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel([*TO_FAX, "1", "1", "2", "2", FAX_NUMBER, "1", HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    (step,) = [s for s in trace.steps if s.node_id == "fax-request"]
    assert FAX_NUMBER not in step.keys and CALLER not in step.keys
    assert mask_number(FAX_NUMBER) in step.keys
    noted = " ".join(step.prompts)
    assert f"digits:{mask_number(CALLER)}" in step.prompts
    assert f"digits:{mask_number(FAX_NUMBER)}" in step.prompts
    assert not contains(step.prompts, speak_digits(CALLER)[3:9])
    assert not contains(step.prompts, speak_digits(FAX_NUMBER)[3:9])
    assert "fax-confirm" in noted
    (ticket,) = desk.tickets.values()
    assert ticket.fax_number == FAX_NUMBER
