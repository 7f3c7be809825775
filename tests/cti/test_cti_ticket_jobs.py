"""The CTI's ticket jobs on the real store: overdue sweep and report, faxes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from cti_rig import drain
from ticket_desk_rig import CALLER, Desk, ticket_options

from cti.ami.emulator_originate import FaxResult
from cti.fax import FaxOptions, FaxSender, StoreFaxQueue
from cti.overdue import OverdueWatch
from cti.settings import ticket_options as ticket_options_of
from ivr.config import Config, FaxDocumentSettings, TicketsSettings
from ivr.tickets.models import Viewer

LATE = "1203100000034"
FAX = "1203100000059"
FAX_CHANNEL = "PJSIP/01088886666@trunk"
SUP = Viewer("sup", "supervisor")


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """The CTI with tickets, fax sending configured, and a late message."""
    desk = await Desk.open(tmp_path, fax_channel="PJSIP/{number}@trunk")
    await desk.message(LATE, age=timedelta(days=10))
    yield desk
    await desk.close()


def _watch(desk: Desk, tmp_path: Path) -> OverdueWatch:
    options = ticket_options(tmp_path).overdue
    return OverdueWatch(desk.store, desk.rig.cti.hub, options, desk.rig.cti.now)


async def test_the_sweep_marks_late_tickets_and_tells_supervisors_only(
    desk: Desk, tmp_path: Path
) -> None:
    """One ticket_overdue message per newly overdue ticket, without the
    caller's number; agents' desktops hear nothing; a second sweep is quiet."""
    board, desktop = desk.rig.cti.hub.listen(None), desk.rig.cti.hub.listen("1001")
    watch = _watch(desk, tmp_path)

    first, second = await watch.sweep(), await watch.sweep()

    messages = [m for m in drain(board) if m["type"] == "ticket_overdue"]
    assert (first, second) == (1, 0)
    assert [m["number"] for m in messages] == [LATE]
    assert CALLER not in json.dumps(messages) and "138" not in json.dumps(messages)
    assert drain(desktop) == []
    ticket = await desk.store.get(LATE, SUP, desk.rig.cti.now())
    assert ticket.state == "overdue"


async def test_the_daily_report_file_and_the_api_agree(
    desk: Desk, tmp_path: Path
) -> None:
    """Yesterday's report lists the late ticket, in the file and over HTTP
    (CSV and JSON); agents may not read it."""
    sup, agent = desk.auth("sup"), desk.auth("agent1001")
    now = desk.rig.cti.now().astimezone(desk.rig.cti.options.tz)
    yesterday = (now.date() - timedelta(days=1)).isoformat()
    url = f"/cti/tickets/overdue/report?day={yesterday}"

    path = await _watch(desk, tmp_path).write_report(now.date() - timedelta(days=1))
    as_csv = await desk.client.get(url + "&format=csv", headers=sup)
    as_json = await (await desk.client.get(url, headers=sup)).json()
    refused = await desk.client.get(url, headers=agent)
    bad = await desk.client.get(url + "&format=xml", headers=sup)

    text = await asyncio.to_thread(path.read_text, "utf-8")
    assert text == await as_csv.text()
    assert text.splitlines()[0].startswith("number,kind,area,state")
    assert text.splitlines()[1].startswith(f"{LATE},message,q-social-insurance")
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    assert (as_json["day"], as_json["count"]) == (yesterday, 1)
    assert as_json["tickets"][0]["number"] == LATE
    assert CALLER not in text and (refused.status, bad.status) == (403, 400)


async def test_the_service_owns_its_ticket_tasks_and_stops_them(desk: Desk) -> None:
    """With a fax channel the service runs the overdue and fax tasks; stop
    cancels every one of them."""
    tasks = set(desk.rig.cti._tasks)

    names = {task.get_name() for task in tasks}
    await desk.rig.cti.stop()

    assert {"cti-overdue", "cti-fax", "cti-retention"} <= names
    assert all(task.done() for task in tasks) and not desk.rig.cti._tasks


async def test_without_a_fax_channel_no_fax_task_runs_and_requests_wait(
    tmp_path: Path,
) -> None:
    """Not configured: no cti-fax task, the request stays queued for staff."""
    desk = await Desk.open(tmp_path)
    try:
        await desk.fax_request(FAX)
        names = {task.get_name() for task in desk.rig.cti._tasks}
        ticket = await desk.store.get(FAX, SUP, desk.rig.cti.now())
    finally:
        await desk.close()

    assert "cti-overdue" in names and "cti-fax" not in names
    assert (ticket.state, ticket.fax_state, ticket.fax_attempts) == ("new", "queued", 0)


def _sender(desk: Desk) -> FaxSender:
    options = FaxOptions(channel="PJSIP/{number}@trunk", max_attempts=2)
    documents = {"pension-form": "/var/lib/ivr/fax/pension-form.tif"}
    queue = StoreFaxQueue(desk.store, documents)
    return FaxSender(desk.rig.cti.client, queue, options, desk.rig.cti.now)


async def test_a_sent_fax_is_the_tickets_reply(desk: Desk) -> None:
    """SUCCESS with 2 pages: fax_state sent, the ticket replied by fax."""
    await desk.fax_request(FAX)
    desk.rig.emu.fax_results[FAX_CHANNEL] = FaxResult(pages=2)

    await _sender(desk).send_due()

    (sent,) = [r for r in desk.rig.emu.requests if r.action == "Originate"]
    assert "FAX_FILE=/var/lib/ivr/fax/pension-form.tif" in sent.get_all("Variable")
    ticket = await desk.store.get(FAX, SUP, desk.rig.cti.now())
    assert (ticket.state, ticket.reply_kind) == ("replied", "fax")
    assert (ticket.fax_state, ticket.fax_attempts) == ("sent", 1)
    assert ticket.fax_result == "sent, 2 page(s)"


async def test_a_failing_fax_is_retried_then_left_to_staff(desk: Desk) -> None:
    """FAILED twice (limit 2): queued after the first, failed after the
    second with the reason; the ticket stays open for staff."""
    await desk.fax_request(FAX)
    desk.rig.emu.fax_results[FAX_CHANNEL] = FaxResult("FAILED", "T38_NEG_ERROR", 0)
    sender = _sender(desk)

    await sender.send_due()
    between = await desk.store.get(FAX, SUP, desk.rig.cti.now())
    await sender.send_due()
    after = await desk.store.get(FAX, SUP, desk.rig.cti.now())
    third = await sender.send_due()

    assert (between.fax_state, between.fax_attempts) == ("queued", 1)
    assert (after.fax_state, after.fax_attempts) == ("failed", 2)
    assert (after.state, after.fax_result, third) == ("new", "T38_NEG_ERROR", 0)


def test_faxes_are_sent_only_with_tickets_fax_sending() -> None:
    """The config's fax channel counts only when tickets.fax_sending is on;
    documents map by id to their TIFF; folder and retention come from tickets."""
    document = FaxDocumentSettings("1", "pension-form", "养老表", "/srv/fax/p.tif")
    tickets = TicketsSettings(
        recordings_dir="/var/spool/asterisk/ivr-messages",
        retention_days=90,
        fax_documents=(document,),
        fax_context="fax-out",
    )
    off = ticket_options_of(replace(Config(), tickets=tickets))
    on = ticket_options_of(
        replace(Config(), tickets=replace(tickets, fax_sending=True))
    )

    assert not off.fax.configured
    assert on.fax.channel == "PJSIP/{number}@trunk" and on.fax.context == "fax-out"
    assert on.fax_documents == {"pension-form": "/srv/fax/p.tif"}
    assert (on.recordings_dir, on.retention_days) == (
        "/var/spool/asterisk/ivr-messages",
        90,
    )
