"""A caller asks for a document by fax: to the calling line or a keyed number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from flow_fakes import HANG_UP, SILENCE, at
from ticket_fakes import (
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
LANDLINE = "075588776655"
"""A calling line a fax can go to (Shenzhen 0755, eight digits); CALLER is
a mobile, which no fax reaches."""


@pytest.mark.parametrize("shown", ["+8675588776655", "008675588776655"])
async def test_a_fixed_line_in_international_form_is_offered_too(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog, shown: str
) -> None:
    """A trunk that sends the fixed line as +86 or 0086: the caller is still
    offered their own line, and the fax goes to its national form."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel([*TO_FAX, "1", "1", "1", HANG_UP], caller=shown)

    await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    (ticket,) = desk.tickets.values()
    assert channel.collects[3] == ["fax-line-choice"]
    assert ticket.fax_number == LANDLINE


async def test_fax_to_the_calling_line_waits_for_staff(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Document 1 to the calling line, confirmed; no fax sending configured:
    the caller hears the ticket number and the day staff will send it by."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel([*TO_FAX, "1", "1", "1", HANG_UP], caller=LANDLINE)

    outcome, trace = await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    (ticket,) = desk.tickets.values()
    assert (ticket.kind, ticket.document, ticket.fax_number) == (
        "fax",
        "pension-guide",
        LANDLINE,
    )
    assert channel.collects[2] == [
        "fax-intro",
        "fax-doc-pension-guide",
        "fax-doc-unemployment-guide",
    ]
    assert channel.collects[3] == ["fax-line-choice"]
    assert channel.collects[4] == [
        "fax-confirm",
        *speak_digits(LANDLINE),
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
    channel = RecordingChannel(
        [*TO_FAX, "2", "2", FAX_NUMBER, "1", HANG_UP], caller=LANDLINE
    )

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
    """No caller ID: straight to keying; a too-short number is refused in
    words and the number asked again (not the menu's "no choice" line nor
    the line choice); "2" at the read-back asks for it again too."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel(
        [*TO_FAX, "1", "123", "01069998888", "2", FAX_NUMBER, "1", HANG_UP],
        caller=None,
    )

    await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert "fax-line-choice" not in channel.played
    assert "invalid-1" not in channel.played
    assert channel.collects[3:5] == [
        ["fax-number-ask"],
        ["fax-number-refused", "fax-number-ask"],
    ]
    assert [t.fax_number for t in desk.tickets.values()] == [FAX_NUMBER]


@pytest.mark.parametrize(
    "number",
    [
        "00900123456789",  # international
        "12333",  # a service number
        "95588",  # a bank's service number
        "4008123456",  # a 400 number
        "8008123456",  # an 800 number
        "13912345678",  # a mobile: no fax answers it
        "01012333",  # a service number behind the area code
        "01095588123",  # 95xxx behind the area code
        "0111234567",  # 011 is no area code
        "075512345",  # too short for a fixed line
    ],
)
async def test_numbers_no_fax_goes_to_are_refused_and_asked_again(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog, number: str
) -> None:
    """Toll fraud: an international, service, premium or mobile number is
    refused with its own words and the number asked for again."""
    desk = memory_desk(tmp_path, flow, FRIDAY, fax_sending=True)
    channel = RecordingChannel(
        [*TO_FAX, "1", "2", number, FAX_NUMBER, "1", HANG_UP], caller=LANDLINE
    )

    await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert channel.collects[4:6] == [
        ["fax-number-ask"],
        ["fax-number-refused", "fax-number-ask"],
    ]
    assert [t.fax_number for t in desk.tickets.values()] == [FAX_NUMBER]


async def test_refused_numbers_up_to_the_retries_end_the_request(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """After the node's retries the caller hears why and goes back to the
    menu; no ticket is stored. A silence gets its own line."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel(
        [*TO_FAX, "1", SILENCE, "12333", "00852123456789", HANG_UP], caller=None
    )

    _, trace = await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert desk.tickets == {}
    assert channel.collects[4:6] == [
        ["fax-number-none", "fax-number-ask"],
        ["fax-number-refused", "fax-number-ask"],
    ]
    assert contains(channel.played, ["fax-number-refused", "menu-self-service"])
    assert trace.steps[-2].result == "no fax number"
    assert trace.path[-2:] == ["fax-request", "self-service"]


async def test_a_mobile_calling_line_is_not_offered(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A mobile caller is asked for a fax number at once: no fax reaches a
    mobile, so "send it to your calling number" is not offered."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    channel = RecordingChannel([*TO_FAX, "1", FAX_NUMBER, "1", HANG_UP])

    await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert "fax-line-choice" not in channel.played
    assert [t.fax_number for t in desk.tickets.values()] == [FAX_NUMBER]


async def test_only_the_configured_area_codes_are_taken(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """With fax area codes listed, a fixed line elsewhere is refused; the
    calling line of another area is not offered."""
    desk = memory_desk(tmp_path, flow, FRIDAY, fax_area_codes=("010",))
    channel = RecordingChannel(
        [*TO_FAX, "1", "02087654321", FAX_NUMBER, "1", HANG_UP], caller=LANDLINE
    )

    await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    assert "fax-line-choice" not in channel.played
    assert "fax-number-refused" in channel.played
    assert [t.fax_number for t in desk.tickets.values()] == [FAX_NUMBER]


async def test_a_caller_gets_three_faxes_a_day(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """The fourth request of one calling number on one day is refused
    politely before anything is chosen; another number still gets one."""
    desk = memory_desk(tmp_path, flow, FRIDAY)
    for _ in range(3):
        keys = [*TO_FAX, "1", "1", "1", HANG_UP]
        channel = RecordingChannel(keys, caller=LANDLINE)
        await run_with_desk(flow, catalog, channel, FRIDAY, desk)
    fourth = RecordingChannel([*TO_FAX, HANG_UP], caller=LANDLINE)
    other = RecordingChannel([*TO_FAX, "1", FAX_NUMBER, "1", HANG_UP])

    _, trace = await run_with_desk(flow, catalog, fourth, FRIDAY, desk)
    await run_with_desk(flow, catalog, other, FRIDAY, desk)

    assert len(desk.tickets) == 4
    assert "fax-limit-reached" in fourth.played
    assert "fax-intro" not in fourth.played
    assert trace.steps[-2].result == "fax limit reached"
    assert trace.path[-2:] == ["fax-request", "self-service"]
    assert "fax-limit-reached" not in other.played


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
    channel = RecordingChannel([*TO_FAX, "1", "1", "1", HANG_UP], caller=LANDLINE)

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
    channel = RecordingChannel(
        [*TO_FAX, "1", "1", "2", "2", FAX_NUMBER, "1", HANG_UP], caller=LANDLINE
    )

    _, trace = await run_with_desk(flow, catalog, channel, FRIDAY, desk)

    (step,) = [s for s in trace.steps if s.node_id == "fax-request"]
    assert FAX_NUMBER not in step.keys and LANDLINE not in step.keys
    assert mask_number(FAX_NUMBER) in step.keys
    noted = " ".join(step.prompts)
    assert f"digits:{mask_number(LANDLINE)}" in step.prompts
    assert f"digits:{mask_number(FAX_NUMBER)}" in step.prompts
    assert not contains(step.prompts, speak_digits(LANDLINE)[3:9])
    assert not contains(step.prompts, speak_digits(FAX_NUMBER)[3:9])
    assert "fax-confirm" in noted
    (ticket,) = desk.tickets.values()
    assert ticket.fax_number == FAX_NUMBER
