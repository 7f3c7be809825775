"""The CTI with a ticket store, the /cti/ routes on a test client, and tickets."""

from __future__ import annotations

import io
import wave
from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from cti_rig import POLICY, QUEUE, Rig

from cti import add_cti_routes, authenticate, cti_errors
from cti.fax import FaxOptions
from cti.overdue import OverdueOptions
from cti.ticket_options import TicketOptions
from ivr.tickets.entries import TicketEntry
from ivr.tickets.store import TicketStore
from ivr.web import make_app

CALLER = "13800138000"
"""The caller of every test ticket: must never show in logs or events."""
CALLER_HASH = "keyed-hash-of-the-caller"
"""The stored keyed hash of CALLER: a status look-up with it is the caller's."""


def wav_bytes(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """Mono 16-bit silence as a WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\0\0" * int(seconds * rate))
    return buffer.getvalue()


def ticket_options(
    tmp_path: Path, fax_channel: str = "", callback_timeout: float = 5.0
) -> TicketOptions:
    """Ticket settings in ``tmp_path``; the periodic jobs wait an hour, so the
    tests run them by hand after their first round."""
    return TicketOptions(
        callback_result_timeout=callback_timeout,
        recordings_dir=str(tmp_path / "messages"),
        retention_days=30,
        overdue=OverdueOptions(interval=3600.0, reports_dir=str(tmp_path / "reports")),
        fax=FaxOptions(channel=fax_channel, interval=3600.0, result_timeout=5.0),
        fax_documents={"pension-form": "/var/lib/ivr/fax/pension-form.tif"},
    )


class Desk:
    """A started rig with tickets, a client and one token per staff member."""

    def __init__(self, rig: Rig, client: TestClient) -> None:
        self.rig = rig
        self.client = client
        self.tokens: dict[str, str] = {}

    @classmethod
    async def open(
        cls, tmp_path: Path, fax_channel: str = "", callback_timeout: float = 5.0
    ) -> Desk:
        """Start the CTI with tickets and log in agent1001, agent1002 and sup;
        call-back results are awaited ``callback_timeout`` seconds."""
        options = ticket_options(tmp_path, fax_channel, callback_timeout)
        rig = Rig(tmp_path, tickets=options)
        await rig.start()
        app = make_app(
            flow_provider=dict,
            health_provider=dict,
            middlewares=[authenticate, cti_errors],
        )
        add_cti_routes(app, rig.cti)
        client = TestClient(TestServer(app))
        await client.start_server()
        desk = cls(rig, client)
        for name, password in (
            ("agent1001", "pw-1001-desk"),
            ("agent1002", "pw-1002-desk"),
            ("sup", "pw-sup-desk"),
        ):
            await desk.log_in(name, password)
        return desk

    async def close(self) -> None:
        """Stop the client and the rig."""
        await self.client.close()
        await self.rig.stop()

    async def log_in(self, username: str, password: str) -> None:
        """Keep a bearer token for ``username``."""
        reply = await self.client.post(
            "/cti/login", json={"username": username, "password": password}
        )
        assert reply.status == 200
        self.tokens[username] = (await reply.json())["token"]

    def auth(self, username: str) -> dict[str, str]:
        """The Authorization header of ``username``."""
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    @property
    def store(self) -> TicketStore:
        """The ticket store."""
        assert self.rig.tickets is not None
        return self.rig.tickets

    @property
    def messages(self) -> Path:
        """The folder of recorded messages."""
        assert self.rig.ticket_options is not None
        return Path(self.rig.ticket_options.recordings_dir)

    async def message(
        self,
        number: str,
        area: str = QUEUE,
        *,
        age: timedelta = timedelta(hours=1),
        withheld: bool = False,
    ) -> str:
        """A completed voice message saved ``age`` ago, with its recording
        file; ``withheld``: left with the caller ID withheld."""
        saved = self.rig.cti.now() - age
        deadline = POLICY.deadline("message", saved)
        entry = TicketEntry(
            number=number,
            kind="message",
            saved_at=saved,
            deadline_at=deadline.at,
            deadline_days=deadline.working_days,
            deadline_provisional=deadline.provisional,
            uniqueid=f"1796312000.{number[-4:]}",
            caller="" if withheld else CALLER,
            caller_hash="" if withheld else CALLER_HASH,
            caller_masked="withheld" if withheld else "138****8000",
            menu_path=("welcome", "main"),
            area=area,
            language="zh",
        )
        path = self.messages / f"{number}-message"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".wav").write_bytes(wav_bytes(2.0))
        await self.store.complete(entry, [("message", str(path), 2.0)], saved)
        return number

    async def fax_request(self, number: str, fax_number: str = "01088886666") -> str:
        """A queued fax request for the pension form."""
        now = self.rig.cti.now()
        deadline = POLICY.deadline("fax", now)
        entry = TicketEntry(
            number=number,
            kind="fax",
            saved_at=now,
            deadline_at=deadline.at,
            deadline_days=deadline.working_days,
            deadline_provisional=deadline.provisional,
            caller=CALLER,
            caller_masked="138****8000",
            area="fax",
            language="zh",
            fax_document="pension-form",
            fax_number=fax_number,
            fax_state="queued",
        )
        await self.store.request(entry, now)
        return number
