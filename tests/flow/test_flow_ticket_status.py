"""A caller asks about a ticket by its number: theirs, or nothing at all."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from flow_fakes import HANG_UP, SILENCE, at
from ticket_fakes import (
    CALLER,
    BrokenDesk,
    RecordingChannel,
    contains,
    memory_desk,
    run_with_desk,
)

from ivr.channel import CollectResult
from ivr.flow import Flow
from ivr.prompts import PromptCatalog
from ivr.speech import speak_date, speak_digits
from ivr.tickets import CallContext, TicketStatus, check_digit
from ivr.tickets.memory_desk import MemoryTicketDesk

WHEN = at(2026, 10, 13, 10, 0)
CONTEXT = CallContext("1699999999.9", CALLER, ("leave-message",), "q", "zh")
"""The call that left the ticket: from the number the test channels call from."""
TO_STATUS = ("7", "5")
"""Main menu 7 (self-service), then 1 (ask about a ticket)."""


async def _ticket(desk: MemoryTicketDesk, state: str = "new") -> str:
    """Leave a message as another call did; return its number."""
    pending = await desk.begin("message", CONTEXT, ["message"])
    await desk.complete(pending, [])
    if state != "new":
        desk.set_state(pending.number, state)
    return pending.number


class CountingDesk(MemoryTicketDesk):
    """A memory desk that counts look-ups (a refused number makes none)."""

    lookups = 0

    async def status(
        self, number: str, *, caller: str | None = None
    ) -> TicketStatus | None:
        """Count, then look up."""
        type(self).lookups += 1
        return await super().status(number, caller=caller)


@pytest.mark.parametrize(
    ("state", "words"),
    [("forwarded", "status-state-forwarded"), ("overdue", "status-state-overdue")],
)
async def test_own_ticket_is_read_out(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog, state: str, words: str
) -> None:
    """The number, the state in plain words and the reply date, then the menu."""
    desk = memory_desk(tmp_path, flow, WHEN)
    number = await _ticket(desk, state)
    channel = RecordingChannel([*TO_STATUS, number, HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, WHEN, desk)

    deadline = desk.tickets[number].deadline.day
    heard = [
        "status-number",
        *speak_digits(number),
        words,
        "status-deadline",
        *speak_date(deadline),
    ]
    assert contains(channel.played, heard)
    assert "status-reply" not in channel.played
    assert trace.path[-2:] == ["ticket-status", "self-service"]
    assert channel.collects[2] == ["status-ask"]


async def test_recorded_reply_is_played(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A replied ticket with a recorded answer plays that answer."""
    desk = memory_desk(tmp_path, flow, WHEN)
    number = await _ticket(desk)
    desk.set_state(number, "replied", "/var/spool/ivr/replies/answer-1")
    channel = RecordingChannel([*TO_STATUS, number, HANG_UP])

    await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert contains(
        channel.played,
        ["status-reply", "/var/spool/ivr/replies/answer-1"],
    )
    assert "status-state-replied" in channel.played


async def test_a_withheld_number_is_told_at_once_and_asked_nothing(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """No number shown: no ticket can be told, so the caller hears why
    before keying anything and goes back to the self-service menu."""
    desk = memory_desk(tmp_path, flow, WHEN)
    number = await _ticket(desk)
    channel = RecordingChannel([*TO_STATUS, number, HANG_UP], caller=None)

    _, trace = await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert "status-withheld" in channel.played
    assert "status-ask" not in channel.played
    assert trace.steps[-2].result == "caller ID withheld"
    assert trace.path[-1] == "self-service"


@pytest.mark.parametrize("caller", ["13700000001", "+8613700000001"])
async def test_another_numbers_ticket_sounds_like_an_unknown_one(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog, caller: str | None
) -> None:
    """Another number keying a real ticket hears exactly what a number that
    exists nowhere gets: no state, deadline or reply, not even that it
    exists (norm art. 25; ticket numbers are sequential)."""
    desk = memory_desk(tmp_path, flow, WHEN)
    number = await _ticket(desk)
    desk.set_state(number, "replied", "/var/spool/ivr/replies/answer-1")
    channel = RecordingChannel([*TO_STATUS, number, HANG_UP], caller=caller)
    body = number[:-5] + "9999"
    unknown = body + check_digit(body)
    nowhere = RecordingChannel([*TO_STATUS, unknown, HANG_UP], caller=caller)

    await run_with_desk(flow, catalog, channel, WHEN, desk)
    await run_with_desk(flow, catalog, nowhere, WHEN, desk)

    assert "/var/spool/ivr/replies/answer-1" not in channel.played
    assert not any(line.startswith("status-state-") for line in channel.played)
    assert "status-deadline" not in channel.played
    assert "status-check-number" in channel.played
    assert channel.played == nowhere.played


async def test_wrong_check_digit_asks_again_without_a_look_up(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """One digit wrong: "please check the number", no look-up, then found."""
    CountingDesk.lookups = 0
    desk = memory_desk(tmp_path, flow, WHEN, kind=CountingDesk)
    number = await _ticket(desk)
    typo = number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    channel = RecordingChannel([*TO_STATUS, typo, number, HANG_UP])

    await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert channel.collects[3] == ["status-check-number", "status-ask"]
    assert CountingDesk.lookups == 1
    assert "status-number" in channel.played


async def test_unknown_numbers_learn_nothing(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A well-formed number of no ticket, a pending one, a typo: the same
    words each time, then the norm's "does not match" line; nothing read."""
    desk = memory_desk(tmp_path, flow, WHEN)
    number = await _ticket(desk)
    pending = (await desk.begin("message", CONTEXT, ["message"])).number
    body = number[:-5] + "9999"
    unknown = body + check_digit(body)
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    channel = RecordingChannel([*TO_STATUS, unknown, pending, typo, HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert desk.is_valid_number(unknown) and not desk.is_valid_number(typo)
    assert [c[0] for c in channel.collects[2:5]] == [
        "status-ask",
        "status-check-number",
        "status-check-number",
    ]
    assert "status-not-found" in channel.played
    assert "status-number" not in channel.played
    assert not any(p.startswith("status-state") for p in channel.played)
    assert trace.path[-2:] == ["ticket-status", "self-service"]


async def test_silence_reprompts_then_gives_up(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """No number keyed: the silence lines, then "no number received" (not
    "does not match", since nothing was keyed), then on_fail."""
    desk = memory_desk(tmp_path, flow, WHEN)
    channel = RecordingChannel([*TO_STATUS, SILENCE, SILENCE, SILENCE, HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert [c[0] for c in channel.collects[2:5]] == [
        "status-ask",
        "no-input-1",
        "no-input-2",
    ]
    assert "status-no-number" in channel.played
    assert "status-not-found" not in channel.played
    assert trace.steps[-2].result == "no number keyed"


async def test_silences_after_a_wrong_number_are_counted_apart(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A wrong number, then silence: the first silence hears no-input-1 (its
    own count, as in menus); the call gives up on a silence, so it ends with
    "no number received", not "does not match"."""
    desk = memory_desk(tmp_path, flow, WHEN)
    number = await _ticket(desk)
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    channel = RecordingChannel([*TO_STATUS, typo, SILENCE, SILENCE, HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert [c[0] for c in channel.collects[2:5]] == [
        "status-ask",
        "status-check-number",
        "no-input-1",
    ]
    assert "status-no-number" in channel.played
    assert "status-not-found" not in channel.played
    assert trace.steps[-2].result == "no number keyed"


async def test_a_wrong_number_last_ends_with_does_not_match(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """Silences, then a wrong number as the last try: "does not match"."""
    desk = memory_desk(tmp_path, flow, WHEN)
    number = await _ticket(desk)
    typo = number[:-1] + str((int(number[-1]) + 1) % 10)
    channel = RecordingChannel([*TO_STATUS, SILENCE, SILENCE, typo, HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert "status-not-found" in channel.played
    assert "status-no-number" not in channel.played
    assert trace.steps[-2].result == "no ticket found"


async def test_desk_down_is_said(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """A look-up that fails is told as the norm's "system adjusting" line."""
    desk = memory_desk(tmp_path, flow, WHEN, kind=BrokenDesk)
    number = await _ticket(memory_desk(tmp_path / "other", flow, WHEN))
    channel = RecordingChannel([*TO_STATUS, number, HANG_UP])

    _, trace = await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert "status-unavailable" in channel.played
    assert trace.path[-2:] == ["ticket-status", "self-service"]


async def test_number_is_collected_to_the_desks_length(
    tmp_path: Path, flow: Flow, catalog: PromptCatalog
) -> None:
    """The collection allows one digit more than a ticket number has, so
    the `#` that status-ask asks for ends that read, not the next one."""
    desk = memory_desk(tmp_path, flow, WHEN)
    lengths: list[int] = []
    channel = RecordingChannel([*TO_STATUS, HANG_UP])
    original = channel.collect

    async def collect(
        prompts: Sequence[str], *, max_digits: int, first_timeout: float, **rest: Any
    ) -> CollectResult:
        lengths.append(max_digits)
        return await original(
            prompts, max_digits=max_digits, first_timeout=first_timeout, **rest
        )

    channel.collect = collect  # type: ignore[method-assign]

    await run_with_desk(flow, catalog, channel, WHEN, desk)

    assert lengths[-1] == desk.number_length + 1 == 15
