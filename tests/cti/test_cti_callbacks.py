"""Ticket call-backs against the emulated Asterisk: the agent's leg, then the
citizen's leg reported by the cti-callback context's ``h`` UserEvent; only a
citizen who answered makes the ticket replied."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from ticket_desk_rig import CALLER, Desk

from cti.ami.emulator import AMIEmulator
from cti.ami.emulator_model import EmulatedChannel
from cti.ami.emulator_originate import DialResult, cti_callback
from cti.ami.emulator_wire import Request
from cti.callbacks import RESULT_EVENT
from cti.hub import Listener
from ivr.privacy import mask_number
from ivr.tickets.models import Viewer

INSIDE = "1203100000018"
"""A message in q-social-insurance: among agent1001's skills."""
OTHER = "1203100000026"
"""Another ticket, whose result must not settle INSIDE's call-back."""
SUP = Viewer("sup", "supervisor")
EXTENSIONS = Path(__file__).resolve().parents[2] / "asterisk-dialplan/extensions.conf"


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """The CTI with tickets and one message in agent1001's area."""
    desk = await Desk.open(tmp_path)
    await desk.message(INSIDE)
    yield desk
    await desk.close()


async def _call_back(desk: Desk) -> Listener:
    """agent1001 claims the ticket and calls back; their desktop listens."""
    agent = desk.auth("agent1001")
    await desk.client.post("/cti/tickets/claim", headers=agent)
    desktop = desk.rig.cti.hub.listen("1001")

    got = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply", json={"how": "callback"}, headers=agent
    )

    assert got.status == 202
    return desktop


async def _told(desktop: Listener) -> dict[str, Any]:
    """The desktop's ticket_callback message: sent once the outcome is stored."""
    async with asyncio.timeout(10):
        while (message := await desktop.queue.get())["type"] != "ticket_callback":
            pass
    return message


async def _history(desk: Desk) -> list[tuple[str, str]]:
    return [(e["action"], str(e["detail"])) for e in await desk.store.events(INSIDE)]


async def test_a_refused_call_back_logs_no_view_of_the_caller(desk: Desk) -> None:
    """A call-back of a closed ticket is 409 before the full number is read:
    ticket_views keeps no 'caller' row for it, and no call is placed."""
    agent = desk.auth("agent1001")
    await desk.client.post("/cti/tickets/claim", headers=agent)
    await desk.client.post(
        f"/cti/tickets/{INSIDE}/close", json={"note": "已电话答复"}, headers=agent
    )

    got = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply", json={"how": "callback"}, headers=agent
    )

    assert got.status == 409
    assert await desk.store.views(INSIDE) == []
    assert [action for action, _ in await _history(desk)][-1] == "close"


async def test_a_citizen_who_answers_makes_the_call_back_the_reply(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """Originate from PJSIP/1001 into cti-callback with TICKET_NUMBER; the
    h extension's ANSWER (42 s) is noted and makes the reply; the desktop is
    told; logs show the number masked only."""
    caplog.set_level(logging.INFO)

    told = await _told(await _call_back(desk))

    (sent,) = [r for r in desk.rig.emu.requests if r.action == "Originate"]
    assert (sent.get("Channel"), sent.get("Context"), sent.get("Exten")) == (
        "PJSIP/1001",
        "cti-callback",
        CALLER,
    )
    assert sent.get("Variable") == f"TICKET_NUMBER={INSIDE}"
    assert sent.get("Async") == "true"
    assert (await _history(desk))[-2:] == [
        ("callback", "answered (42 s)"),
        ("reply", "callback"),
    ]
    ticket = await desk.store.get(INSIDE, SUP, desk.rig.cti.now())
    assert (ticket.state, ticket.reply_kind) == ("replied", "callback")
    assert told == {
        "type": "ticket_callback",
        "number": INSIDE,
        "outcome": "answered (42 s)",
        "replied": True,
    }
    assert CALLER not in caplog.text and mask_number(CALLER) in caplog.text


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        ("BUSY", "failed: citizen BUSY"),
        ("NOANSWER", "failed: citizen NOANSWER"),
        ("CHANUNAVAIL", "failed: citizen CHANUNAVAIL"),
        ("CANCEL", "failed: agent hung up before the citizen answered"),
    ],
)
async def test_a_citizen_not_reached_leaves_the_reply_owed(
    desk: Desk, caplog: pytest.LogCaptureFixture, status: str, detail: str
) -> None:
    """The agent answered (OriginateResponse Success) but Dial ended with
    ``status``: a history note, no reply, the desktop told so they can retry."""
    desk.rig.emu.callback_results["PJSIP/1001"] = DialResult(status)
    caplog.set_level(logging.INFO)

    told = await _told(await _call_back(desk))

    history = await _history(desk)
    assert history[-1] == ("callback", detail)
    assert "reply" not in [action for action, _ in history]
    ticket = await desk.store.get(INSIDE, SUP, desk.rig.cti.now())
    assert (ticket.state, ticket.reply_kind) == ("assigned", "")
    assert (told["outcome"], told["replied"]) == (detail, False)
    assert CALLER not in caplog.text


async def test_an_agent_phone_that_fails_is_reported_without_waiting(
    desk: Desk,
) -> None:
    """Busy agent phone (Reason 5): "failed: agent phone busy" at once; the
    context never ran, so no result is awaited and the ticket stays open."""
    desk.rig.emu.originate_reasons["PJSIP/1001"] = 5

    told = await _told(await _call_back(desk))

    assert told["outcome"] == "failed: agent phone busy"
    assert (await _history(desk))[-1] == ("callback", "failed: agent phone busy")
    ticket = await desk.store.get(INSIDE, SUP, desk.rig.cti.now())
    assert ticket.state == "assigned"


def _only_another_tickets_result(
    emu: AMIEmulator, channel: EmulatedChannel, request: Request
) -> None:
    """A cti-callback whose channel reports another ticket's result only."""
    channel.variables["TICKET_NUMBER"] = OTHER
    cti_callback(emu, channel, request)


async def test_no_result_in_time_leaves_the_reply_owed_and_one_call_at_a_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Only another ticket's ANSWER arrives: after the timeout the note says
    there was no result, nothing is replied, the desktop is told; while the
    call-back waits, a second one of the same ticket is refused (409)."""
    desk = await Desk.open(tmp_path, callback_timeout=0.5)
    try:
        await desk.message(INSIDE)
        desk.rig.emu.dialplan["cti-callback"] = _only_another_tickets_result
        caplog.set_level(logging.INFO)

        desktop = await _call_back(desk)
        again = await desk.client.post(
            f"/cti/tickets/{INSIDE}/reply",
            json={"how": "callback"},
            headers=desk.auth("agent1001"),
        )
        told = await _told(desktop)

        detail = "failed: no result from Asterisk in 0.5 s, outcome unknown"
        assert again.status == 409
        assert (told["outcome"], told["replied"]) == (detail, False)
        assert (await _history(desk))[-1] == ("callback", detail)
        ticket = await desk.store.get(INSIDE, SUP, desk.rig.cti.now())
        assert ticket.state == "assigned"
        assert CALLER not in caplog.text
    finally:
        await desk.close()


async def test_the_emulated_result_is_shaped_as_asterisk_sends_it(
    desk: Desk,
) -> None:
    """UserEvent with Privilege user,all, the channel snapshot, then
    UserEvent: CallbackResult, Ticket, DialStatus and an empty AnsweredTime
    (app_dial.c sets it only when answered)."""
    desk.rig.emu.callback_results["PJSIP/1001"] = DialResult("NOANSWER")
    events = desk.rig.cti.client.subscribe("UserEvent")

    await _told(await _call_back(desk))

    async with asyncio.timeout(5):
        event = await events.get()
    desk.rig.cti.client.unsubscribe(events)
    names = [header.name for header in event.headers]
    assert event.get("Privilege") == "user,all"
    assert event.get("Channel").startswith("PJSIP/1001-")
    assert names[-4:] == ["UserEvent", "Ticket", "DialStatus", "AnsweredTime"]
    assert (event.get("Ticket"), event.get("DialStatus")) == (INSIDE, "NOANSWER")
    assert event.get("AnsweredTime") == ""


def test_the_dialplan_reports_what_the_cti_reads() -> None:
    """[cti-callback]'s h extension sends CallbackResult with Ticket,
    DialStatus and AnsweredTime from TICKET_NUMBER, DIALSTATUS, ANSWEREDTIME."""
    text = EXTENSIONS.read_text("utf-8")
    section = text.split("[cti-callback]\n", 1)[1].split("\n[", 1)[0]

    found = re.search(r"^exten => h,1,UserEvent\((.*)\)$", section, re.MULTILINE)

    assert found is not None
    name, *body = found.group(1).split(",")
    pairs = (pair.split(":", 1) for pair in body)
    assert name == RESULT_EVENT
    assert {key.strip(): value.strip() for key, value in pairs} == {
        "Ticket": "${TICKET_NUMBER}",
        "DialStatus": "${DIALSTATUS}",
        "AnsweredTime": "${ANSWEREDTIME}",
    }


async def test_a_closed_ticket_is_not_called_back(desk: Desk) -> None:
    """A closed ticket answers 409 and nothing is dialled or noted."""
    agent = desk.auth("agent1001")
    await desk.client.post("/cti/tickets/claim", headers=agent)
    await desk.client.post(
        f"/cti/tickets/{INSIDE}/close", json={"note": "已电话答复"}, headers=agent
    )
    originates = desk.rig.emu.originated

    got = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply", json={"how": "callback"}, headers=agent
    )

    assert got.status == 409
    assert desk.rig.emu.originated == originates
    assert [a for a, _ in await _history(desk)].count("callback") == 0


async def test_a_follow_up_call_back_on_a_replied_ticket_is_a_note(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    """Calling the citizen again after the reply is allowed: the answered
    call is noted, the reply stays the first one, and the desktop is told
    (the task used to fail on the refused second reply and tell nobody)."""
    caplog.set_level(logging.INFO)
    first = await _told(await _call_back(desk))
    agent = desk.auth("agent1001")
    desktop = desk.rig.cti.hub.listen("1001")

    got = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply", json={"how": "callback"}, headers=agent
    )
    second = await _told(desktop)

    assert got.status == 202
    assert (first["replied"], second["replied"]) == (True, False)
    assert second["outcome"] == "answered (42 s)"
    history = await _history(desk)
    assert [action for action, _ in history].count("reply") == 1
    assert history[-1] == ("callback", "answered (42 s)")
    assert "task callback failed" not in caplog.text
