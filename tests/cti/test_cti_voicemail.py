"""Message waiting on Asterisk voicemail boxes: field cases F40 and F42.

The monitor is driven over the wire: the real AMI client against the
emulated Asterisk, which answers MailboxCount, MailboxStatus and
VoicemailUsersList and sends MessageWaiting as the C source writes them;
the field cases' bytes come from ``shared/field-cases/cases.json``.
"""

from __future__ import annotations

import asyncio
import codecs
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cti_rig import Rig, drain
from shared_material import shared_dir
from sqlalchemy.ext.asyncio import create_async_engine

from cti import CTIService, add_cti_routes, authenticate, cti_errors
from cti.ami import AMIClient, AMIConfig, AMIParser, Message, Subscription
from cti.ami.emulator import AMIEmulator
from cti.ami.emulator_voicemail import EmulatedMailbox, message_waiting
from cti.ami.emulator_wire import EmulatedUser
from cti.settings import cti_options
from cti.voicemail import (
    NOT_CONFIGURED_ALERT,
    RECOVERED_ALERT,
    STORAGE_ALERT,
    MailboxMonitor,
)
from cti.voicemail_counts import MailboxState, MailboxStatus, counts_of
from ivr.config import load_config
from ivr.web import make_app


def _case_bytes(case_id: str) -> bytes:
    """A voicemail field case's wire_input as the bytes Asterisk sent."""
    cases = json.loads((shared_dir() / "field-cases" / "cases.json").read_text())
    (case,) = [c for c in cases if c["id"] == case_id]
    assert case["protocol"] == "voicemail"
    data: bytes = codecs.escape_decode(case["wire_input"].encode("ascii"))[0]
    return data


def _parse(data: bytes) -> Message:
    (message,) = AMIParser().feed(data)
    assert isinstance(message, Message)
    return message


class GatedSleep:
    """The monitor's sleep: records each delay, returns when a test allows."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self._permits: asyncio.Queue[None] = asyncio.Queue()
        self.waiting = asyncio.Event()

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        self.waiting.set()
        await self._permits.get()
        self.waiting.clear()

    def allow(self) -> None:
        """Let one sleep end."""
        self._permits.put_nowait(None)


@dataclass
class Desk:
    """What the monitor told the CTI: alerts and state changes."""

    alerts: list[tuple[str, str, str]] = field(default_factory=list)
    changes: list[dict[str, object]] = field(default_factory=list)

    async def alert(self, kind: str, state: MailboxState) -> None:
        """Keep the alert with the mailbox and what it showed."""
        self.alerts.append((kind, state.mailbox, state.display()))

    def changed(self, state: MailboxState) -> None:
        """Keep the state as the desktop gets it."""
        self.changes.append(state.to_json())


@dataclass
class Line:
    """Emulated Asterisk, a logged-in client, its MWI events, the monitor."""

    emu: AMIEmulator
    client: AMIClient
    events: Subscription
    monitor: MailboxMonitor
    desk: Desk
    sleep: GatedSleep

    async def next_event(self) -> MailboxState | None:
        """Hand the next MessageWaiting event to the monitor."""
        async with asyncio.timeout(5):
            message = await self.events.get()
        return await self.monitor.on_event(message)


async def _no_wait(delay: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
async def line() -> AsyncIterator[Line]:
    """Mailboxes 100@default and 1001@default, the second with messages."""
    emu = AMIEmulator({"cti": EmulatedUser("s3cret")}, sleep=_no_wait)
    emu.mailboxes["100@default"] = EmulatedMailbox("100", fullname="Pensions desk")
    emu.mailboxes["1001@default"] = EmulatedMailbox("1001", new=1, urgent=2, old=4)
    await emu.start()
    client = AMIClient(
        AMIConfig("cti", "s3cret", port=emu.port, login_timeout=2.0),
        sleep=_no_wait,
        random=lambda: 1.0,
    )
    events = client.subscribe("MessageWaiting")
    client.start()
    async with asyncio.timeout(5):
        await client.wait_ready()
    desk, sleep = Desk(), GatedSleep()
    monitor = MailboxMonitor(
        client,
        alert=desk.alert,
        changed=desk.changed,
        clock=lambda: 1000.0,
        sleep=sleep,
        jitter=lambda: 1.0,
        retry_base=5.0,
        retry_cap=20.0,
    )
    yield Line(emu, client, events, monitor, desk, sleep)
    await monitor.stop()
    await client.stop()
    await emu.close()


def test_f40_wire_input_reads_as_unknown_not_minus_one() -> None:
    """F40: New: -1 with Waiting: 1 is invalid; the lamp stays off."""
    message = _parse(_case_bytes("F40"))

    counts = counts_of(message)
    state = MailboxState("100@default")
    state.take(counts, "MessageWaiting", 1.0)
    shown = state.to_json()

    assert message.get("Waiting") == "1" and message.get("New") == "-1"
    assert counts.valid is False and counts.waiting is False
    assert state.status is MailboxStatus.STORAGE_ERROR
    assert (shown["new"], shown["old"], shown["waiting"]) == (None, None, False)
    assert shown["display"].startswith("unavailable")
    assert "-1" not in shown["display"] and "0" not in shown["display"]


def test_f42_wire_input_keeps_every_field_and_the_urgent_count() -> None:
    """F42: UrgMessages is read, and unknown headers are kept as received."""
    data = _case_bytes("F42")
    extended = data.replace(b"UrgMessages: 0", b"UrgMessages: 2\r\nFolders: 3")

    plain = counts_of(_parse(data))
    urgent = counts_of(_parse(extended))

    assert (plain.unread, plain.old, plain.urgent, plain.valid) == (0, 0, 0, True)
    assert plain.fields["Mailbox"] == "9999@default"
    assert (urgent.unread, urgent.urgent) == (2, 2)
    assert urgent.fields["Folders"] == "3"
    assert urgent.waiting is True


async def test_f40_over_the_wire_alerts_and_requeries_with_backoff(
    line: Line,
) -> None:
    """F40 bytes from Asterisk: unavailable, an alert, MailboxCount retried."""
    line.emu.mailboxes["100@default"].storage_failed = True
    await line.monitor.load_directory()

    line.emu.emit_raw(_case_bytes("F40"))
    state = await line.next_event()
    await asyncio.wait_for(line.sleep.waiting.wait(), 5)
    line.sleep.allow()
    await asyncio.wait_for(_second_sleep(line.sleep), 5)

    assert state is not None and state.status is MailboxStatus.STORAGE_ERROR
    assert state.waiting is False
    assert line.desk.alerts == [
        (STORAGE_ALERT, "100@default", "unavailable (voicemail storage error)")
    ]
    counts = [r for r in line.emu.requests if r.action == "MailboxCount"]
    assert [r.get("Mailbox") for r in counts] == ["100@default"]
    assert line.sleep.delays == [5.0, 10.0]
    assert line.monitor.state("100").status is MailboxStatus.STORAGE_ERROR


async def _second_sleep(sleep: GatedSleep) -> None:
    while len(sleep.delays) < 2:  # noqa: ASYNC110
        await asyncio.sleep(0)


async def test_storage_error_recovers_on_a_valid_event(line: Line) -> None:
    """A valid MessageWaiting ends the episode: counts, lamp, one more alert."""
    box = line.emu.mailboxes["1001@default"]
    box.storage_failed = True
    line.monitor.watch("1001@default")
    await line.monitor.resync()
    during = line.monitor.state("1001").to_json()
    await asyncio.wait_for(line.sleep.waiting.wait(), 5)

    box.storage_failed = False
    message_waiting(line.emu, box)
    state = await line.next_event()
    retries_left = dict(line.monitor._retries)

    assert during["status"] == "storage_error" and during["listed"] is None
    assert state is not None and state.status is MailboxStatus.OK
    assert (state.unread, state.old, state.waiting) == (3, 4, True)
    assert [kind for kind, _, _ in line.desk.alerts] == [STORAGE_ALERT, RECOVERED_ALERT]
    assert retries_left == {}
    assert line.desk.changes[-1]["display"] == "3 new, 4 old"


async def test_mailbox_count_reads_urgent_and_vouches_for_nothing(
    line: Line,
) -> None:
    """Urgent counts surface; a zero-count Success for 9999 is a config error."""
    line.monitor.watch("9999@default")
    await line.monitor.resync()

    desk_phone = line.monitor.state("1001@default")
    typo = line.monitor.state("9999")
    counts = [r.get("Mailbox") for r in line.emu.requests if r.action == "MailboxCount"]

    assert line.monitor.directory == {"100@default", "1001@default"}
    assert desk_phone is not None and desk_phone.to_json()["urgent"] == 2
    assert desk_phone.to_json()["new"] == 3
    assert desk_phone.fields["UrgMessages"] == "2"
    assert "9999@default" in counts, "MailboxCount was asked and said Success"
    assert typo is not None and typo.status is MailboxStatus.NOT_CONFIGURED
    assert typo.waiting is False and typo.to_json()["new"] is None
    assert line.desk.alerts == [(NOT_CONFIGURED_ALERT, "9999@default", typo.display())]


async def test_an_event_for_an_unlisted_mailbox_reloads_the_directory(
    line: Line,
) -> None:
    """A box added after the listing is looked up again, not called a typo."""
    await line.monitor.load_directory()
    added = EmulatedMailbox("2001", context="depts", new=1)
    line.emu.mailboxes[added.name] = added

    message_waiting(line.emu, added)
    state = await line.next_event()

    lists = [r for r in line.emu.requests if r.action == "VoicemailUsersList"]
    assert len(lists) == 2
    assert state is not None and state.status is MailboxStatus.OK
    assert (state.listed, state.unread, state.waiting) == (True, 1, True)
    assert line.desk.alerts == []


async def test_mailbox_status_waiting_is_only_a_hint(line: Line) -> None:
    """MailboxStatus says Waiting: 1 on a storage failure; counts decide."""
    line.emu.mailboxes["100@default"].storage_failed = True
    await line.monitor.load_directory()

    state = await line.monitor.check("100")

    statuses = [r for r in line.emu.requests if r.action == "MailboxStatus"]
    counts = [r for r in line.emu.requests if r.action == "MailboxCount"]
    assert len(statuses) == 1 and len(counts) == 1
    assert state.status is MailboxStatus.STORAGE_ERROR and state.waiting is False


async def test_no_voicemail_users_is_a_plain_ack_and_an_empty_directory(
    line: Line,
) -> None:
    """app_voicemail acks without a list when no user is defined."""
    line.emu.mailboxes.clear()

    await line.monitor.load_directory()

    assert line.monitor.directory == frozenset()


async def test_cti_shows_mailboxes_to_staff_and_keeps_storage_alerts(
    tmp_path: Path,
) -> None:
    """The CTI's resync asks the boxes; alerts reach /cti/alerts and desks."""
    rig = Rig(tmp_path)
    rig.emu.mailboxes["1001@default"] = EmulatedMailbox("1001", new=2, urgent=1)
    rig.emu.mailboxes["100@default"] = EmulatedMailbox("100", storage_failed=True)
    cti = await rig.start()
    app = make_app(
        flow_provider=dict, health_provider=dict, middlewares=[authenticate, cti_errors]
    )
    add_cti_routes(app, cti)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        # Storage is down, so VoicemailUsersList leaves 100 out: only a
        # configured box (cti.mailboxes) is still followed.
        cti.mailboxes.watch("100@default")
        await cti.mailboxes.resync()
        desk = cti.hub.listen("1001")
        agent = await _login(client, "agent1001", "pw-1001-desk")
        supervisor = await _login(client, "sup", "pw-sup-desk")
        mine = await (await client.get("/cti/mailboxes/1001", headers=agent)).json()
        failing = await (await client.get("/cti/mailboxes/100", headers=agent)).json()
        unknown = await client.get("/cti/mailboxes/4242", headers=agent)
        anonymous = await client.get("/cti/mailboxes")
        alerts = await (await client.get("/cti/alerts", headers=supervisor)).json()
        rig.emu.mailboxes["1001@default"].new = 3
        message_waiting(rig.emu, rig.emu.mailboxes["1001@default"])
        await rig.settle()
        pushed = [m for m in drain(desk) if m["type"] == "mailbox"]
    finally:
        await client.close()
        await rig.stop()

    assert (mine["status"], mine["new"], mine["urgent"], mine["waiting"]) == (
        "ok",
        3,
        1,
        True,
    )
    assert failing["status"] == "storage_error" and failing["new"] is None
    assert failing["waiting"] is False
    assert (unknown.status, anonymous.status) == (404, 401)
    kinds = [(a["kind"], a["detail"]) for a in alerts["alerts"]]
    assert (
        STORAGE_ALERT,
        "100@default: unavailable (voicemail storage error)",
    ) in kinds
    assert [(m["mailbox"], m["new"]) for m in pushed] == [("1001@default", 4)]


async def _login(client: TestClient, username: str, password: str) -> dict[str, str]:
    reply = await client.post(
        "/cti/login", json={"username": username, "password": password}
    )
    return {"Authorization": f"Bearer {(await reply.json())['token']}"}


def test_configured_mailboxes_are_followed_from_the_start(tmp_path: Path) -> None:
    """cti.mailboxes (IVR_CTI_MAILBOXES) lists boxes watched before any list."""
    config = load_config(
        None,
        env={"IVR_CTI_MAILBOXES": "100@default, 2001@depts,"},
        overrides={"privacy.hash_key": "k" * 24, "admin.token": "t" * 24},
    )
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")

    cti = CTIService(cti_options(config), engine, clock=lambda: 0.0)

    assert sorted(cti.mailboxes.mailboxes) == ["100@default", "2001@depts"]
    assert cti.mailboxes.state("100").status is MailboxStatus.UNCHECKED
