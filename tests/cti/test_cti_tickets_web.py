"""The staff ticket API: access within areas, views logged, claim, forward,
reply by recording, close, recordings and their retention (call-backs:
test_cti_callbacks)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.exc import OperationalError
from ticket_desk_rig import CALLER, CALLER_HASH, Desk, wav_bytes

from cti.tickets_web import TICKET_ROUTES
from cti.web_auth import Access
from ivr.privacy import mask_number
from ivr.tickets.models import Viewer

INSIDE = "1203100000018"
"""A message in q-social-insurance: among agent1001's skills."""
OUTSIDE = "1203100000026"
"""A message in the pension area: no agent has that skill."""


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """The CTI with tickets and two messages."""
    desk = await Desk.open(tmp_path)
    await desk.message(INSIDE)
    await desk.message(OUTSIDE, "pension")
    yield desk
    await desk.close()


def _path(route_path: str, number: str = OUTSIDE) -> str:
    return route_path.replace("{number}", number).replace("{part}", "message")


async def test_every_ticket_route_needs_a_login(desk: Desk) -> None:
    """401 without a token on each ticket route."""
    for route in TICKET_ROUTES:
        anonymous = await desk.client.request(route.method, _path(route.path))

        assert (route.path, anonymous.status) == (route.path, 401)


async def test_agents_get_403_outside_their_areas_and_nothing_is_logged(
    desk: Desk,
) -> None:
    """Every per-ticket route refuses agent1001 on the pension ticket; the
    supervisor's report is refused too; no view of the caller is logged."""
    agent = desk.auth("agent1001")
    bodies = {"forward": {"department": "pension", "working_days": 5}}

    for route in TICKET_ROUTES:
        if "{number}" not in route.path and route.access is not Access.SUPERVISOR:
            continue
        body = bodies.get(route.path.rsplit("/", 1)[-1], {"how": "callback"})
        json = body if route.method == "POST" else None
        got = await desk.client.request(
            route.method, _path(route.path), json=json, headers=agent
        )
        assert (route.path, got.status) == (route.path, 403)

    assert await desk.store.views(OUTSIDE) == []
    ticket = await desk.store.get(
        OUTSIDE, Viewer("sup", "supervisor"), desk.rig.cti.now()
    )
    assert ticket.state == "new"


async def test_opening_a_ticket_shows_the_caller_and_logs_the_view(desk: Desk) -> None:
    """The full number only on GET /cti/tickets/{number}; each view is logged."""
    sup = desk.auth("sup")

    listing = await (await desk.client.get("/cti/tickets", headers=sup)).json()
    opened = await desk.client.get(f"/cti/tickets/{INSIDE}", headers=sup)
    body = await opened.json()

    assert listing["total"] == 2 and CALLER not in str(listing)
    assert {t["caller_masked"] for t in listing["tickets"]} == {"138****8000"}
    assert opened.status == 200 and body["caller"] == CALLER
    assert body["recordings"] == [{"part": "message", "seconds": 2.0}]
    views = await desk.store.views(INSIDE)
    assert [(v["username"], v["role"], v["what"]) for v in views] == [
        ("sup", "supervisor", "caller")
    ]


async def test_a_fax_requests_number_shows_in_full_only_in_the_logged_detail(
    desk: Desk,
) -> None:
    """Staff see the keyed fax number on the ticket detail (logged as a caller
    view), masked in the listing."""
    sup = desk.auth("sup")
    fax = await desk.fax_request("1203100000034", "01088886666")

    listing = await (await desk.client.get("/cti/tickets?kind=fax", headers=sup)).json()
    body = await (await desk.client.get(f"/cti/tickets/{fax}", headers=sup)).json()

    assert "01088886666" not in str(listing)
    assert listing["tickets"][0]["fax"]["number"] == mask_number("01088886666")
    assert body["fax"]["number"] == "01088886666"
    assert body["fax"]["document"] == "pension-form"
    views = await desk.store.views(fax)
    assert [(v["username"], v["what"]) for v in views] == [("sup", "caller")]


async def test_an_agents_listing_is_kept_to_their_areas(desk: Desk) -> None:
    """By default their own tickets; an area of their skills; not another's."""
    agent = desk.auth("agent1001")

    own = await (await desk.client.get("/cti/tickets", headers=agent)).json()
    area = await desk.client.get(
        "/cti/tickets?area=q-social-insurance&state=new", headers=agent
    )
    pension = await desk.client.get("/cti/tickets?area=pension", headers=agent)
    others = await desk.client.get("/cti/tickets?assigned_to=sup", headers=agent)

    assert own["total"] == 0
    assert [t["number"] for t in (await area.json())["tickets"]] == [INSIDE]
    assert (pension.status, others.status) == (403, 403)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("state=lost", "state must be one of"),
        ("kind=letter", "kind must be one of"),
        ("overdue=yes", "overdue must be true or false"),
        ("from=2026-13-01", "from must be a day"),
        ("page=0", "page must be a whole number"),
        ("page_size=501", "page_size must be a whole number"),
    ],
)
async def test_bad_filters_are_400_with_the_reason(
    desk: Desk, query: str, words: str
) -> None:
    """Each bad query parameter is named in the error."""
    got = await desk.client.get(f"/cti/tickets?{query}", headers=desk.auth("sup"))

    assert got.status == 400 and words in (await got.json())["error"]


async def test_filters_select_by_day_and_overdue(desk: Desk) -> None:
    """from/to are local days (to inclusive); overdue=true lists late ones."""
    sup = desk.auth("sup")
    await desk.message("1203100000034", age=timedelta(days=10))
    today = desk.rig.cti.now().date().isoformat()

    todays = await desk.client.get(f"/cti/tickets?from={today}&to={today}", headers=sup)
    late = await desk.client.get("/cti/tickets?overdue=true", headers=sup)

    assert {t["number"] for t in (await todays.json())["tickets"]} == {INSIDE, OUTSIDE}
    assert [t["number"] for t in (await late.json())["tickets"]] == ["1203100000034"]


async def test_only_the_detail_lists_recordings(desk: Desk) -> None:
    """Listings and action replies do not load recordings, so they carry no
    "recordings" key rather than an empty list claiming there are none."""
    agent = desk.auth("agent1001")

    listing = await (
        await desk.client.get("/cti/tickets?area=q-social-insurance", headers=agent)
    ).json()
    claimed = await (await desk.client.post("/cti/tickets/claim", headers=agent)).json()
    detail = await (
        await desk.client.get(f"/cti/tickets/{INSIDE}", headers=agent)
    ).json()

    assert "recordings" not in listing["tickets"][0]
    assert claimed["number"] == INSIDE and "recordings" not in claimed
    assert detail["recordings"] == [{"part": "message", "seconds": 2.0}]


async def test_claim_forward_and_close(desk: Desk) -> None:
    """Claim gives the skill's ticket, then 204; forward and close change the
    state; closing twice is a conflict."""
    agent = desk.auth("agent1001")

    claimed = await desk.client.post("/cti/tickets/claim", headers=agent)
    none_left = await desk.client.post("/cti/tickets/claim", headers=agent)
    forwarded = await desk.client.post(
        f"/cti/tickets/{INSIDE}/forward",
        json={"department": "医保处", "working_days": 5},
        headers=agent,
    )
    bad = await desk.client.post(
        f"/cti/tickets/{INSIDE}/forward",
        json={"department": "x", "working_days": True},
        headers=agent,
    )
    closed = await desk.client.post(
        f"/cti/tickets/{INSIDE}/close", json={"note": "答复完毕"}, headers=agent
    )
    again = await desk.client.post(
        f"/cti/tickets/{INSIDE}/close", json={"note": "已电话答复"}, headers=agent
    )

    body = await claimed.json()
    assert (body["number"], body["state"], body["assigned_to"]) == (
        INSIDE,
        "assigned",
        "agent1001",
    )
    assert none_left.status == 204
    assert (await forwarded.json())["state"] == "forwarded"
    assert (await forwarded.json())["department"] == "医保处"
    assert bad.status == 400 and "working_days" in (await bad.json())["error"]
    assert (await closed.json())["state"] == "closed"
    assert again.status == 409
    actions = [e["action"] for e in await desk.store.events(INSIDE)]
    assert actions[-3:] == ["claim", "forward", "close"]


async def test_a_recorded_reply_becomes_the_prompt_the_caller_hears(
    desk: Desk,
) -> None:
    """A WAV upload is stored under replies/ and shown in the caller's status."""
    agent = desk.auth("agent1001")
    headers = {**agent, "Content-Type": "audio/wav"}

    got = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply", data=wav_bytes(3.0), headers=headers
    )

    assert got.status == 200 and (await got.json())["reply_kind"] == "recorded"
    status = await desk.store.status(INSIDE, caller_hash=CALLER_HASH)
    assert status is not None and status.state == "replied"
    assert status.replied_prompt == str(desk.messages / "replies" / f"{INSIDE}-reply-1")
    stored = Path(f"{status.replied_prompt}.wav")
    assert await asyncio.to_thread(stored.read_bytes) == wav_bytes(3.0)


async def test_a_recorded_reply_to_a_closed_ticket_leaves_no_file(
    desk: Desk,
) -> None:
    """409 for a closed ticket, and nothing is written under replies/."""
    agent = desk.auth("agent1001")
    headers = {**agent, "Content-Type": "audio/wav"}
    await desk.client.post("/cti/tickets/claim", headers=agent)
    await desk.client.post(
        f"/cti/tickets/{INSIDE}/close", json={"note": "已电话答复"}, headers=agent
    )

    got = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply", data=wav_bytes(3.0), headers=headers
    )

    assert got.status == 409
    replies = desk.messages / "replies"
    assert not replies.exists() or list(replies.iterdir()) == []


async def test_a_reply_the_store_refuses_is_deleted(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ticket closed between the check and the store (a race): the stored
    WAV is removed again and the answer is still 409."""
    agent = desk.auth("agent1001")
    headers = {**agent, "Content-Type": "audio/wav"}
    store = desk.store
    reply = store.reply

    async def closed_meanwhile(number: str, *args: Any) -> Any:
        await store.close(number, "sup", desk.rig.cti.now())
        return await reply(number, *args)

    monkeypatch.setattr(store, "reply", closed_meanwhile)
    got = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply", data=wav_bytes(3.0), headers=headers
    )

    assert got.status == 409
    assert list((desk.messages / "replies").iterdir()) == []


async def test_a_recorded_reply_may_come_as_a_form_and_bad_audio_is_400(
    desk: Desk,
) -> None:
    """Multipart how=recorded + audio works; a stereo file is refused."""
    agent = desk.auth("agent1001")
    form = aiohttp.FormData()
    form.add_field("how", "recorded")
    form.add_field("audio", wav_bytes(1.0, 16000), filename="reply.wav")
    bad = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply",
        data=b"RIFF-not-really",
        headers={**agent, "Content-Type": "audio/wav"},
    )

    good = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply", data=form, headers=agent
    )

    assert bad.status == 400 and "not a PCM WAV" in (await bad.json())["error"]
    assert good.status == 200 and (await good.json())["state"] == "replied"


async def test_recordings_are_served_logged_and_gone_after_retention(
    desk: Desk,
) -> None:
    """A fresh part streams (and is logged); one past 30 days is 410, and the
    retention sweep deletes its file."""
    sup = desk.auth("sup")
    old = await desk.message("1203100000042", age=timedelta(days=31))
    old_file = desk.messages / f"{old}-message.wav"

    fresh = await desk.client.get(
        f"/cti/tickets/{INSIDE}/recordings/message", headers=sup
    )
    expired = await desk.client.get(
        f"/cti/tickets/{old}/recordings/message", headers=sup
    )
    missing = await desk.client.get(
        f"/cti/tickets/{INSIDE}/recordings/name", headers=sup
    )
    assert old_file.exists()
    assert desk.rig.cti.ticket_sweep is not None
    deleted = await desk.rig.cti.ticket_sweep.run_once(desk.rig.cti.now())

    assert fresh.status == 200 and await fresh.read() == wav_bytes(2.0)
    assert fresh.headers["Content-Type"] == "audio/wav"
    assert expired.status == 410 and missing.status == 404
    assert deleted == 1 and not old_file.exists()
    assert (desk.messages / f"{INSIDE}-message.wav").exists()
    views = await desk.store.views(INSIDE)
    assert [(v["username"], v["what"]) for v in views] == [("sup", "recording:message")]


async def test_a_deleted_recording_file_is_410(desk: Desk) -> None:
    """Within retention but without its file (deleted by hand): 410 Gone."""
    (desk.messages / f"{INSIDE}-message.wav").unlink()

    got = await desk.client.get(
        f"/cti/tickets/{INSIDE}/recordings/message", headers=desk.auth("agent1001")
    )

    assert got.status == 410


async def test_a_supervisor_reassigns_a_ticket(desk: Desk) -> None:
    """A new ticket becomes agent1002's; an unknown account is 404; a closed
    ticket cannot be reassigned (409); the event names both hands."""
    sup = desk.auth("sup")
    url = f"/cti/tickets/{INSIDE}/assign"

    given = await desk.client.post(url, json={"username": "agent1002"}, headers=sup)
    unknown = await desk.client.post(url, json={"username": "nobody"}, headers=sup)
    empty = await desk.client.post(url, json={}, headers=sup)
    await desk.client.post(
        f"/cti/tickets/{INSIDE}/close", json={"note": "已电话答复"}, headers=sup
    )
    closed = await desk.client.post(url, json={"username": "agent1001"}, headers=sup)

    body = await given.json()
    assert (body["state"], body["assigned_to"]) == ("assigned", "agent1002")
    assert (unknown.status, empty.status, closed.status) == (404, 400, 409)
    events = await desk.store.events(INSIDE)
    assert ("reassign", "- -> agent1002") in [
        (e["action"], e["detail"]) for e in events
    ]


async def test_only_its_agent_closes_a_ticket_and_never_silently(
    desk: Desk,
) -> None:
    """A ticket not replied to closes only with a note saying why (400
    without), by its own agent or a supervisor (403 for a colleague of the
    same skill); once replied, its agent closes it without a note."""
    agent, colleague = desk.auth("agent1001"), desk.auth("agent1002")
    url = f"/cti/tickets/{INSIDE}/close"
    await desk.client.post("/cti/tickets/claim", headers=agent)

    bare = await desk.client.post(url, headers=agent)
    blank = await desk.client.post(url, json={"note": "  "}, headers=agent)
    other = await desk.client.post(url, json={"note": "重复"}, headers=colleague)
    await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply",
        data=wav_bytes(2.0),
        headers={**agent, "Content-Type": "audio/wav"},
    )
    closed = await desk.client.post(url, headers=agent)

    assert (bare.status, blank.status, other.status) == (400, 400, 403)
    assert "note" in (await bare.json())["error"]
    assert "agent1001" in (await other.json())["error"]
    assert (await closed.json())["state"] == "closed"


async def test_history_times_carry_their_zone(desk: Desk) -> None:
    """GET .../history lists the events oldest first, each time with its UTC
    offset, as every other time the API gives (SQLite stores them naive)."""
    agent = desk.auth("agent1001")
    await desk.client.post("/cti/tickets/claim", headers=agent)

    got = await desk.client.get(f"/cti/tickets/{INSIDE}/history", headers=agent)

    events = (await got.json())["events"]
    assert [e["action"] for e in events][-1] == "claim"
    assert events[-1]["actor"] == "agent1001"
    times = [datetime.fromisoformat(e["at"]) for e in events]
    assert all(t.utcoffset() == timedelta(0) for t in times)
    assert times == sorted(times)


async def test_forwarding_past_the_promised_reply_is_flagged(desk: Desk) -> None:
    """A department deadline after the caller's reply deadline is forwarded
    but flagged (department_late, and a warning in the reply); a ticket not
    forwarded is not late."""
    agent = desk.auth("agent1001")
    await desk.client.post("/cti/tickets/claim", headers=agent)
    before = await desk.client.get(f"/cti/tickets/{INSIDE}", headers=agent)

    got = await desk.client.post(
        f"/cti/tickets/{INSIDE}/forward",
        json={"department": "医保处", "working_days": 60},
        headers=agent,
    )

    body = await got.json()
    assert (await before.json())["department_late"] is False
    assert body["state"] == "forwarded" and body["department_late"] is True
    assert body["deadline"] in body["warning"]


async def test_a_withheld_callers_ticket_takes_no_recorded_reply(desk: Desk) -> None:
    """Nobody can hear a recorded reply to a ticket left with the caller ID
    withheld (status answers only the number that left it): the upload is
    refused (400) with what to do instead, nothing is written, and closing
    still needs a note."""
    number = await desk.message("1203100000059", withheld=True)
    agent = desk.auth("agent1001")
    await desk.client.post(
        f"/cti/tickets/{number}/assign",
        json={"username": "agent1001"},
        headers=desk.auth("sup"),
    )

    got = await desk.client.post(
        f"/cti/tickets/{number}/reply",
        data=wav_bytes(2.0),
        headers={**agent, "Content-Type": "audio/wav"},
    )
    bare = await desk.client.post(f"/cti/tickets/{number}/close", headers=agent)

    assert got.status == 400 and "note" in (await got.json())["error"]
    assert not (desk.messages / "replies").exists()
    assert bare.status == 400


async def test_a_colleague_cannot_act_on_a_claimed_ticket(desk: Desk) -> None:
    """Claimed by agent1001: agent1002 (same skill) may not forward it or
    record a reply (403); an unclaimed ticket is open to any agent who sees
    it, who can then also close it (no dead end without a supervisor)."""
    agent, colleague = desk.auth("agent1001"), desk.auth("agent1002")
    await desk.client.post("/cti/tickets/claim", headers=agent)
    spare = await desk.message("1203100000067")

    forwarded = await desk.client.post(
        f"/cti/tickets/{INSIDE}/forward",
        json={"department": "医保处", "working_days": 5},
        headers=colleague,
    )
    replied = await desk.client.post(
        f"/cti/tickets/{INSIDE}/reply",
        data=wav_bytes(2.0),
        headers={**colleague, "Content-Type": "audio/wav"},
    )
    await desk.client.post(
        f"/cti/tickets/{spare}/forward",
        json={"department": "医保处", "working_days": 2},
        headers=colleague,
    )
    closed = await desk.client.post(
        f"/cti/tickets/{spare}/close", json={"note": "部门已答复"}, headers=colleague
    )

    assert (forwarded.status, replied.status) == (403, 403)
    assert (await closed.json())["state"] == "closed"


async def test_a_busy_database_is_a_503_to_retry_not_a_server_fault(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite locked by a writer (or the database out of reach): the desktop
    gets 503 with Retry-After and a plain reason, not a 500 and a traceback."""

    async def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("locked"))

    monkeypatch.setattr(desk.store, "list_tickets", locked)

    got = await desk.client.get("/cti/tickets", headers=desk.auth("agent1001"))

    assert got.status == 503 and got.headers["Retry-After"] == "1"
    assert "try again" in (await got.json())["error"]
