"""The voice message and complaint dialogues, as the caller hears them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flow_fakes import HANG_UP, SILENCE, at
from ticket_fakes import (
    BEEP,
    CALLER,
    BrokenDesk,
    RecordingChannel,
    Take,
    contains,
    memory_desk,
    run_with_desk,
)

from ivr.channel import QueueResult
from ivr.flow import Flow
from ivr.prompts import PromptCatalog
from ivr.speech import speak_date, speak_digits, text_date
from ivr.tickets import RecordedPart, has_valid_check_digit
from ivr.trace import OutcomeKind

AFTER_HOURS = at(2026, 9, 30, 20, 0)
"""A Wednesday evening before the National Day week: 3 working days later is
Saturday 10 October, a make-up working day (10-01 to 10-07 are off)."""
FRIDAY_EVENING = at(2026, 10, 16, 20, 0)
"""Five working days after this Friday is Friday 23 October (a weekend between)."""
WORKDAY_MORNING = at(2026, 10, 13, 10, 0)

TO_MESSAGE = ("0", "2")
"""Main menu 0 (agent), closed, then after-hours key 2 (leave a message)."""


def read_back(number: str, deadline: date, saved: str = "message-saved") -> list[str]:
    """What the caller hears once the message is sent."""
    return [
        saved,
        *speak_digits(number),
        "deadline-before",
        *speak_date(deadline),
        "deadline-after",
        "ticket-query-hint",
    ]


async def test_record_listen_record_again_send(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Record, listen (1), record again (2), send (3): the last take (in its
    own file) is sent, the number is read digit by digit and the date across
    the holiday."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel(
        [*TO_MESSAGE, "1", "2", "3", SILENCE], takes=[Take(), Take(seconds=8.0)]
    )

    outcome, trace = await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    (ticket,) = desk.tickets.values()
    path = ticket.recording["message"]
    assert trace.path[-3:] == ["agent-general", "after-hours", "leave-message"]
    assert [r["path"] for r in channel.records] == [path, f"{path}-2"]
    assert ticket.state == "new" and ticket.kind == "message"
    assert ticket.parts == (RecordedPart("message", f"{path}-2", 8.0),)
    assert ticket.deadline.day == date(2026, 10, 10)
    assert text_date(ticket.deadline.day) == "二〇二六年十月十日"
    assert len(ticket.number) == 14 and has_valid_check_digit(ticket.number)
    assert contains(channel.played, ["message-intro", BEEP, "message-review", path])
    assert contains(channel.played, ["message-review", "record-again", BEEP])
    assert contains(channel.played, read_back(ticket.number, date(2026, 10, 10)))
    assert channel.played[-2:] == ["number-repeat", "closing"]
    assert outcome.kind is OutcomeKind.MESSAGE
    assert channel.hung_up_by_flow


async def test_the_desk_hears_who_called_and_from_where(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """The ticket carries the caller's number, menu path, area and language."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel([*TO_MESSAGE, "3", SILENCE], takes=[Take()])

    await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    (ticket,) = desk.tickets.values()
    assert ticket.call.caller == CALLER
    assert ticket.call.uniqueid == "1700000000.1"
    assert ticket.call.menu_path[-2:] == ("after-hours", "leave-message")
    assert ticket.call.area == "q-general"
    assert ticket.call.language == "zh"
    assert ticket.call.flow_version == flow.version


async def test_number_can_be_heard_again(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Key 1 after the read-back says number and date once more."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel([*TO_MESSAGE, "3", "1", SILENCE], takes=[Take()])

    await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    (ticket,) = desk.tickets.values()
    words = read_back(ticket.number, date(2026, 10, 10))[:-1]
    after = channel.played[channel.played.index("number-repeat") + 1 :]
    assert after[: len(words)] == words
    assert channel.played.count("number-repeat") == 2


async def test_hang_up_while_recording_after_the_minimum_saves(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Five seconds said, then the caller hangs up: the message is kept."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel([*TO_MESSAGE], takes=[Take("hangup", 5.0)])

    outcome, _ = await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    (ticket,) = desk.tickets.values()
    assert ticket.state == "new"
    assert ticket.parts[0].seconds == 5.0
    assert outcome.kind is OutcomeKind.MESSAGE
    assert outcome.detail == "saved on hang-up"
    assert channel.played[-1] == BEEP


async def test_a_short_take_after_a_good_one_keeps_the_good_one(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Thirty seconds said, "record again", then a hang-up after one second:
    the first take is not overwritten (each take has its own file) and it is
    the message saved."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel(
        [*TO_MESSAGE, "2"], takes=[Take(seconds=30.0), Take("hangup", 1.0)]
    )

    outcome, _ = await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    (ticket,) = desk.tickets.values()
    first = ticket.recording["message"]
    assert [r["path"] for r in channel.records] == [first, f"{first}-2"]
    assert ticket.state == "new"
    assert ticket.parts == (RecordedPart("message", first, 30.0),)
    assert outcome.kind is OutcomeKind.MESSAGE
    assert outcome.detail == "saved on hang-up"


async def test_hang_up_before_the_minimum_discards(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A hang-up after one second leaves nothing: the pending ticket is dropped."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel([*TO_MESSAGE], takes=[Take("hangup", 1.0)])

    outcome, _ = await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    assert desk.tickets == {}
    assert list(desk.discarded.values()) == ["hung up before the minimum length"]
    assert outcome.kind is OutcomeKind.HANGUP
    assert outcome.node_id == "leave-message"


async def test_hang_up_while_reviewing_keeps_a_long_enough_take(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Recorded, then gone during "1 listen, 2 record again, 3 send": saved."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel([*TO_MESSAGE, HANG_UP], takes=[Take()])

    outcome, _ = await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    assert [t.state for t in desk.tickets.values()] == ["new"]
    assert outcome.kind is OutcomeKind.MESSAGE


async def test_silence_ends_the_recording(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A take ended by silence is reviewed and sent like one ended by #."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel(
        [*TO_MESSAGE, "3", SILENCE], takes=[Take("silence", 7.0)]
    )

    outcome, _ = await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    assert channel.records[0]["silence"] == 5.0
    assert channel.records[0]["max"] == 120.0
    assert [t.parts[0].seconds for t in desk.tickets.values()] == [7.0]
    assert outcome.kind is OutcomeKind.MESSAGE


async def test_too_short_to_send_asks_for_another_take(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Sending half a second of sound: told so, a new beep, then it is sent."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel(
        [*TO_MESSAGE, "3", "3", SILENCE], takes=[Take(seconds=0.5), Take(seconds=4)]
    )

    await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    assert contains(channel.played, ["message-too-short", "record-again", BEEP])
    assert [t.parts[0].seconds for t in desk.tickets.values()] == [4]


async def test_nothing_said_after_every_take_is_not_saved(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Three empty takes: the caller is told, nothing is kept, on_fail follows."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    empty = Take(seconds=0.0)
    channel = RecordingChannel(
        [*TO_MESSAGE, "3", "3", "3"], takes=[empty, empty, empty]
    )

    outcome, trace = await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    assert desk.tickets == {} and len(desk.discarded) == 1
    assert channel.played[-2:] == ["message-not-saved", "closing"]
    assert trace.path[-1] == "goodbye-message-failed"
    assert outcome.kind is OutcomeKind.GOODBYE


async def test_review_gives_up_after_the_retries_and_sends(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Silence and wrong keys at the review re-prompt, then the take is sent."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel([*TO_MESSAGE, SILENCE, "9", SILENCE], takes=[Take()])

    await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    reviews = [c for c in channel.collects if "message-review" in c]
    assert reviews == [
        ["message-review"],
        ["no-input-1", "message-review"],
        ["invalid-1", "message-review"],
    ]
    assert [t.state for t in desk.tickets.values()] == ["new"]


async def test_desk_down_is_said_and_the_call_goes_on(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A desk that fails before the beep: the caller hears why, then goodbye."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS, kind=BrokenDesk)
    channel = RecordingChannel([*TO_MESSAGE])

    outcome, trace = await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    assert channel.records == []
    assert contains(channel.played, ["message-intro", "message-unavailable"])
    assert channel.played[-2:] == ["message-unavailable", "closing"]
    assert trace.path[-1] == "goodbye-message-failed"
    assert outcome.kind is OutcomeKind.GOODBYE


async def test_no_desk_configured_is_said_too(
    flow: Flow, catalog: PromptCatalog
) -> None:
    """Without a desk the node says the service is unavailable: no silence."""
    channel = RecordingChannel([*TO_MESSAGE])

    _, trace = await run_with_desk(flow, catalog, channel, AFTER_HOURS, None)

    assert "message-unavailable" in channel.played
    assert trace.steps[-2].result == "desk unavailable (take a message)"
    assert trace.path[-1] == "goodbye-message-failed"


async def test_busy_queue_offers_a_message_for_its_area(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """An area queue that times out offers a message (key 2) for that queue."""
    desk = memory_desk(tmp_path, flow, WORKDAY_MORNING)
    channel = RecordingChannel(
        ["1", "0", "2", "3", SILENCE],
        takes=[Take()],
        queue_results=[QueueResult("q-social-insurance", "TIMEOUT")],
    )

    outcome, trace = await run_with_desk(flow, catalog, channel, WORKDAY_MORNING, desk)

    (ticket,) = desk.tickets.values()
    assert trace.path[-3:] == ["queue-social-insurance", "queue-busy", "leave-message"]
    assert ticket.call.area == "q-social-insurance"
    assert ticket.deadline.day == date(2026, 10, 16)
    assert outcome.kind is OutcomeKind.MESSAGE
    assert outcome.queue == "q-social-insurance"


async def test_failed_transfer_leads_straight_into_a_message(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """The general queue gives up: the norm's apology, then the beep."""
    desk = memory_desk(tmp_path, flow, WORKDAY_MORNING)
    channel = RecordingChannel(
        ["0", "3", SILENCE],
        takes=[Take()],
        queue_results=[QueueResult("q-general", "TIMEOUT")],
    )

    await run_with_desk(flow, catalog, channel, WORKDAY_MORNING, desk)

    assert contains(channel.played, ["message-intro-transfer-failed", BEEP])
    assert [t.call.area for t in desk.tickets.values()] == ["q-general"]


async def test_complaint_records_name_then_matter(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Complaints key 1: name (confirmed), matter (sent), a complaint ticket
    whose five working days run over a weekend."""
    desk = memory_desk(tmp_path, flow, FRIDAY_EVENING)
    channel = RecordingChannel(
        ["6", "1", "3", "3", SILENCE], takes=[Take(seconds=2.0), Take(seconds=40)]
    )

    outcome, _ = await run_with_desk(flow, catalog, channel, FRIDAY_EVENING, desk)

    (ticket,) = desk.tickets.values()
    name, matter = ticket.recording["name"], ticket.recording["matter"]
    assert ticket.kind == "complaint" and ticket.call.area == "q-complaints"
    assert [(p.part, p.path) for p in ticket.parts] == [
        ("name", name),
        ("matter", matter),
    ]
    assert [r["max"] for r in channel.records] == [15.0, 180.0]
    assert contains(
        channel.played,
        ["complaint-intro", "complaint-name", BEEP, "complaint-name-review"],
    )
    assert contains(channel.played, ["complaint-matter", BEEP, "message-review"])
    expected = read_back(ticket.number, date(2026, 10, 23), "complaint-saved")
    assert contains(channel.played, expected)
    assert outcome.kind is OutcomeKind.MESSAGE


async def test_complaint_hang_up_during_the_name_is_dropped(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Gone before the matter: nothing of the complaint is kept."""
    desk = memory_desk(tmp_path, flow, FRIDAY_EVENING)
    channel = RecordingChannel(["6", "1"], takes=[Take("hangup", 3.0)])

    outcome, _ = await run_with_desk(flow, catalog, channel, FRIDAY_EVENING, desk)

    assert desk.tickets == {} and len(desk.discarded) == 1
    assert outcome.kind is OutcomeKind.HANGUP


async def test_provisional_deadline_sounds_the_same(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A deadline in a year the calendar lacks is flagged for staff only:
    the caller hears the date like any other."""
    year_end = at(2026, 12, 30, 20, 0)
    desk = memory_desk(tmp_path, flow, year_end)
    channel = RecordingChannel([*TO_MESSAGE, "3", SILENCE], takes=[Take()])

    await run_with_desk(flow, catalog, channel, year_end, desk)

    (ticket,) = desk.tickets.values()
    assert ticket.deadline.provisional
    assert ticket.deadline.day.year == 2027
    assert contains(channel.played, read_back(ticket.number, ticket.deadline.day))


async def test_a_withheld_caller_is_asked_for_a_number_and_not_sent_to_status(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """With the caller ID withheld nobody can call back or look the ticket
    up: the caller is asked to say a contact number in the message and is
    not told to ask about it by phone; a shown number hears neither change."""
    played = []
    for caller in ("anonymous", CALLER):
        desk = memory_desk(tmp_path / caller, flow, AFTER_HOURS)
        channel = RecordingChannel([*TO_MESSAGE, "3", SILENCE], takes=[Take()])
        channel.caller = caller
        await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)
        (ticket,) = desk.tickets.values()
        played.append((channel.played, ticket.number))

    (withheld, number), (shown, _) = played
    assert contains(withheld, ["message-intro", "message-withheld-number", BEEP])
    assert contains(withheld, read_back(number, date(2026, 10, 10))[:-1])
    assert "ticket-query-hint" not in withheld
    assert "message-withheld-number" not in shown
    assert "ticket-query-hint" in shown


async def test_hash_at_the_review_repeats_the_choices(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """ "#" at the review (the second silence line says "重听请按井号键")
    repeats the choices and costs no retry: three presses, then send."""
    desk = memory_desk(tmp_path, flow, AFTER_HOURS)
    channel = RecordingChannel(
        [*TO_MESSAGE, "#", "#", "#", "3", SILENCE], takes=[Take()]
    )

    await run_with_desk(flow, catalog, channel, AFTER_HOURS, desk)

    reviews = [c for c in channel.collects if "message-review" in c]
    assert reviews == [["message-review"]] * 4
    assert not any(line.startswith("invalid-") for line in channel.played)
    assert [t.state for t in desk.tickets.values()] == ["new"]
