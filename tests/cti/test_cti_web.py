"""The /cti/ HTTP and WebSocket API: auth from the route table, seat actions."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cti_rig import AGENTS, OVERFLOW, QUEUE, Rig

from cti import ROUTES, add_cti_routes, authenticate, cti_errors
from cti.ami import emulator_events as scenes
from cti.ami.emulator_model import EmulatedChannel
from cti.web_auth import Access
from ivr.web import make_app


class Api:
    """A test client with one token per staff member."""

    def __init__(self, rig: Rig, client: TestClient) -> None:
        self.rig = rig
        self.client = client
        self.tokens: dict[str, str] = {}

    async def log_in(self, username: str, password: str) -> None:
        reply = await self.client.post(
            "/cti/login", json={"username": username, "password": password}
        )
        assert reply.status == 200
        self.tokens[username] = (await reply.json())["token"]

    def auth(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[Api]:
    """The CTI routes on the service's app, with an agent and a supervisor."""
    rig = Rig(tmp_path)
    await rig.start()
    app = make_app(
        flow_provider=dict, health_provider=dict, middlewares=[authenticate, cti_errors]
    )
    add_cti_routes(app, rig.cti)
    client = TestClient(TestServer(app))
    await client.start_server()
    tester = Api(rig, client)
    await tester.log_in("agent1001", "pw-1001-desk")
    await tester.log_in("sup", "pw-sup-desk")
    yield tester
    await client.close()
    await rig.stop()


async def _connected(rig: Rig) -> EmulatedChannel:
    """A call from 1796312000.10 answered by 1001 (Leave, then AgentConnect)."""
    rig.member("1001")
    caller = rig.caller("1796312000.10")
    rig.join(QUEUE, caller)
    leg = rig.agent_leg("1001", "1796312000.10")
    rig.called(QUEUE, caller, "1001", leg)
    queue = rig.emu.queues[QUEUE]
    scenes.caller_leave(rig.emu, queue, caller)
    scenes.agent_connect(
        rig.emu, queue, caller, queue.members[AGENTS["1001"]], leg, hold=3, ring_time=2
    )
    await rig.settle()
    return leg


def _fill(path: str, agent: str) -> str:
    path = path.replace("{agent}", agent).replace("{uniqueid}", "1796312000.10")
    path = path.replace("{number}", "1203100000018").replace("{part}", "message")
    return re.sub(r"\{id\}", "1", path)


async def test_every_route_needs_a_login_and_keeps_agents_to_their_seat(
    api: Api,
) -> None:
    """From the route table: 401 without a token; 403 on another seat."""
    closed = [r for r in ROUTES if r.access is not Access.OPEN]
    assert {r.access for r in closed} == {Access.ANY, Access.SEAT, Access.SUPERVISOR}

    for route in closed:
        path = _fill(route.path, "1002")
        anonymous = await api.client.request(route.method, path)
        forged = await api.client.request(
            route.method, path, headers={"Authorization": "Bearer forged"}
        )
        assert (route.path, anonymous.status) == (route.path, 401)
        assert (route.path, forged.status) == (route.path, 401)
        assert (await anonymous.json())["status"] == 401
        if route.access is Access.ANY:
            continue
        other = await api.client.request(
            route.method, path, headers=api.auth("agent1001")
        )
        assert (route.path, other.status) == (route.path, 403)


async def test_agent_logs_in_paused_then_unpaused_and_classifies(api: Api) -> None:
    """QueueAdd with Paused: true (F37), then QueuePause false; a note stored."""
    me = api.auth("agent1001")

    joined = await api.client.post("/cti/agents/1001/login", json={}, headers=me)
    await api.rig.settle()
    state = await (await api.client.get("/cti/agents/1001/state", headers=me)).json()

    assert joined.status == 200
    adds = [r for r in api.rig.emu.requests if r.action == "QueueAdd"]
    assert [(r.get("Queue"), r.get("Paused")) for r in adds] == [
        (QUEUE, "true"),
        ("q-general", "true"),
    ]
    pause = [r for r in api.rig.emu.requests if r.action == "QueuePause"]
    assert pause[-1].get("Paused") == "false"
    assert state["status"] == "ready"

    rejected = await api.client.post(
        "/cti/agents/1001/not-ready", json={"reason": "lunch"}, headers=me
    )
    assert rejected.status == 409
    bad_hangup = await api.client.post("/cti/agents/1001/hangup", headers=me)
    assert bad_hangup.status == 409


async def test_hangup_touches_only_the_agents_own_channel(api: Api) -> None:
    """Hangup is sent for the seat's own channel; classification stored."""
    rig, me = api.rig, api.auth("agent1001")
    await api.client.post("/cti/agents/1001/login", json={}, headers=me)
    caller = rig.caller("1796312000.10")
    rig.join(QUEUE, caller)
    leg = rig.agent_leg("1001", "1796312000.10")
    rig.called(QUEUE, caller, "1001", leg)
    queue = rig.emu.queues[QUEUE]
    member = queue.members[AGENTS["1001"]]
    scenes.caller_leave(rig.emu, queue, caller)  # Leave first: app_queue.c try_calling
    scenes.agent_connect(rig.emu, queue, caller, member, leg, hold=3, ring_time=2)
    await rig.settle()

    hung = await api.client.post("/cti/agents/1001/hangup", headers=me)
    transfer = await api.client.post(
        "/cti/agents/1001/transfer", json={"exten": "1002"}, headers=me
    )
    note = await api.client.post(
        "/cti/agents/1001/calls/1796312000.10/classification",
        json={"business_area": "社会保险", "topic": "养老金领取", "note": "已解答"},
        headers=me,
    )

    assert (hung.status, transfer.status, note.status) == (200, 200, 200)
    [hangup] = [r for r in rig.emu.requests if r.action == "Hangup"]
    assert hangup.get("Channel") == leg.channel
    [redirect] = [r for r in rig.emu.requests if r.action == "Redirect"]
    assert (redirect.get("Channel"), redirect.get("Context")) == (
        caller.channel,
        "cti-transfer",
    )
    call = await rig.cti.calls.call("1796312000.10")
    assert (call["business_area"], call["topic"], call["note"]) == (
        "社会保险",
        "养老金领取",
        "已解答",
    )


async def test_supervisor_spies_with_chanspy_options(api: Api) -> None:
    """Listen, whisper (w) and barge (B) ring the supervisor's phone."""
    rig, sup = api.rig, api.auth("sup")
    leg = await _connected(rig)

    for mode in ("listen", "whisper", "barge"):
        reply = await api.client.post(
            "/cti/agents/1001/spy", json={"mode": mode}, headers=sup
        )
        assert reply.status == 200
    urgent = await api.client.post("/cti/agents/1001/urgent", headers=sup)

    originates = [r for r in rig.emu.requests if r.action == "Originate"]
    assert [
        (r.get("Channel"), r.get("Application"), r.get("Data")) for r in originates
    ] == [
        ("PJSIP/9001", "ChanSpy", f"{leg.channel},qE"),
        ("PJSIP/9001", "ChanSpy", f"{leg.channel},qEw"),
        ("PJSIP/9001", "ChanSpy", f"{leg.channel},qEB"),
        ("PJSIP/9001", "ChanSpy", f"{leg.channel},qEB"),
    ]
    assert urgent.status == 200
    call = await rig.cti.calls.call("1796312000.10")
    assert (call["urgent"], call["urgent_by"]) == (True, "sup")
    alerts = await (await api.client.get("/cti/alerts", headers=sup)).json()
    assert alerts["alerts"][0]["kind"] == "urgent"


async def test_recordings_are_indexed_streamed_checked_and_expire(api: Api) -> None:
    """Only <Uniqueid>.wav files; every view logged; retention deletes old ones."""
    rig, sup = api.rig, api.auth("sup")
    rig.recordings.mkdir()
    (rig.recordings / "1796312000.10.wav").write_bytes(b"RIFF-new")
    old = rig.recordings / "1796000000.1.wav"
    old.write_bytes(b"RIFF-old")
    (rig.recordings / "notes.txt").write_text("not a recording")
    (rig.recordings.parent / "secret.wav").write_bytes(b"outside")
    stale = (datetime.fromtimestamp(rig.clock(), UTC) - timedelta(days=40)).timestamp()
    os.utime(old, (stale, stale))

    listing = await (await api.client.get("/cti/recordings", headers=sup)).json()
    names = {r["filename"]: r["id"] for r in listing["recordings"]}
    audio = await api.client.get(
        f"/cti/recordings/{names['1796312000.10.wav']}/audio", headers=sup
    )
    traversal = await api.client.get(
        "/cti/recordings/..%2Fsecret.wav/audio", headers=sup
    )
    check = await api.client.post(
        f"/cti/recordings/{names['1796312000.10.wav']}/check",
        json={"score": 92, "comment": "规范用语"},
        headers=sup,
    )
    deleted = await rig.cti.recordings.enforce_retention(rig.cti.now())

    assert set(names) == {"1796312000.10.wav", "1796000000.1.wav"}
    assert (audio.status, await audio.read()) == (200, b"RIFF-new")
    assert traversal.status == 404
    assert (check.status, (await check.json())["checked_by"]) == (200, "sup")
    assert deleted == 1 and not old.exists()
    views = await rig.cti.recordings.views()
    assert [(v["username"], v["action"]) for v in views] == [
        ("sup", "list"),
        ("sup", "play"),
        ("sup", "check"),
    ]


async def test_desktop_websocket_gets_the_screen_pop(api: Api) -> None:
    """The agent's WebSocket: hello, then the offer with the masked number."""
    rig = api.rig
    rig.member("1001")
    token = api.tokens["agent1001"]
    socket = await api.client.ws_connect(
        f"/cti/agents/1001/desktop?access_token={token}"
    )
    hello = await socket.receive_json()
    caller = rig.caller("1796312000.10", variables={"IVR_PATH": "main>3"})
    rig.join(QUEUE, caller)
    rig.called(QUEUE, caller, "1001", rig.agent_leg("1001", "1796312000.10"))
    await rig.settle()

    messages = [await socket.receive_json() for _ in range(2)]
    await socket.close()

    assert hello["type"] == "hello" and hello["agent"] == "1001"
    offer = next(m for m in messages if m["type"] == "offer")
    assert (offer["caller"], offer["path"]) == ("138******00", "main>3")


async def test_survey_endpoint_stores_the_score(api: Api) -> None:
    """POST /cti/calls/{uniqueid}/survey rates the call's agent."""
    rig = api.rig
    await _connected(rig)

    bad = await api.client.post(
        "/cti/calls/1796312000.10/survey", json={"score": 9}, headers=api.auth("sup")
    )
    good = await api.client.post(
        "/cti/calls/1796312000.10/survey", json={"score": 4}, headers=api.auth("sup")
    )

    assert bad.status == 400
    assert await good.json() == {"agent": "1001", "score": 4}


async def test_survey_refuses_booleans_and_non_integers(api: Api) -> None:
    """JSON true is an int in Python; it, 4.0 and "4" are all refused."""
    rig = api.rig
    await _connected(rig)

    statuses = [
        (
            await api.client.post(
                "/cti/calls/1796312000.10/survey",
                json={"score": score},
                headers=api.auth("sup"),
            )
        ).status
        for score in (True, 4.0, "4", 0)
    ]
    call = await rig.cti.calls.call("1796312000.10")

    assert statuses == [400, 400, 400, 400]
    assert call["survey_score"] is None
    with pytest.raises(ValueError, match="1-5"):
        await rig.cti.calls.record_survey("1796312000.10", True, rig.cti.now())


async def test_errors_name_the_limit_and_the_foreign_queues(api: Api) -> None:
    """A too-long topic gives its limit; a login names the non-skill queues."""
    me = api.auth("agent1001")

    note = await api.client.post(
        "/cti/agents/1001/calls/1796312000.10/classification",
        json={"business_area": "社会保险", "topic": "长" * 129},
        headers=me,
    )
    joined = await api.client.post(
        "/cti/agents/1001/login", json={"queues": [QUEUE, "q-vip"]}, headers=me
    )

    assert note.status == 400
    assert (await note.json())["error"] == '"topic" is 129 characters; the limit is 128'
    assert joined.status == 409
    assert (await joined.json())["error"] == (
        f"not among agent 1001's skills: q-vip (skills: {QUEUE}, {OVERFLOW})"
    )


async def test_failed_logins_are_logged_and_throttled(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """Five failures lock the name for 30 s (429, Retry-After); no password logged."""
    caplog.set_level(logging.WARNING, logger="cti.web")

    def attempt(password: str) -> Any:
        return api.client.post(
            "/cti/login", json={"username": "agent1001", "password": password}
        )

    failures = [(await attempt(f"guess-{n}-xyz")).status for n in range(5)]
    locked = await attempt("pw-1001-desk")
    api.rig.clock.advance(30)
    later = await attempt("pw-1001-desk")

    assert failures == [401] * 5
    assert (locked.status, locked.headers.get("Retry-After")) == (429, "30")
    assert later.status == 200
    logged = caplog.text
    assert logged.count("failed login of 'agent1001' from 127.0.0.1") == 5
    assert "throttled" in logged
    assert "guess-" not in logged and "pw-1001-desk" not in logged
