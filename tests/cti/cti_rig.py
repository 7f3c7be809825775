"""A CTI service wired to the emulated Asterisk, with a hand-moved clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cti import CTIOptions, CTIService, ServiceLevelPolicy
from cti.ami import AMIConfig
from cti.ami import emulator_events as scenes
from cti.ami.emulator import AMIEmulator
from cti.ami.emulator_model import EmulatedChannel, EmulatedQueue, QueueMember
from cti.ami.emulator_wire import EmulatedUser, Pairs
from cti.hub import Listener
from cti.ticket_options import TicketOptions
from ivr.flow import WorkCalendar
from ivr.records import migrate
from ivr.tickets.deadlines import DeadlinePolicy
from ivr.tickets.store import TicketStore

START = datetime(2026, 12, 4, 1, 0, tzinfo=UTC).timestamp()  # 09:00 in Shanghai
QUEUE = "q-social-insurance"
OVERFLOW = "q-general"
AGENTS = {"1001": "PJSIP/1001", "1002": "PJSIP/1002"}
POLICY = DeadlinePolicy(WorkCalendar(), {"message": 3, "complaint": 3, "fax": 3})
"""Ticket deadlines: three working days for every kind."""


class Clock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock on."""
        self.now += seconds


class CountingEmulator(AMIEmulator):
    """The emulator, counting the events it sends."""

    sent = 0

    def emit(self, name: str, pairs: Pairs, category: str = "call") -> None:
        """Send as Asterisk would, and count it."""
        self.sent += 1
        super().emit(name, pairs, category)


async def _no_wait(delay: float) -> None:
    await asyncio.sleep(0)


class Rig:
    """Emulator, database, CTI service and helpers to play calls."""

    def __init__(
        self,
        tmp_path: Path,
        secret: str = "s3cret",
        *,
        tickets: TicketOptions | None = None,
    ) -> None:
        self.clock = Clock()
        self.ticket_options = tickets
        self.tickets: TicketStore | None = None
        self.url = f"sqlite+aiosqlite:///{tmp_path / 'cti.sqlite3'}"
        self.recordings = tmp_path / "recordings"
        self.emu = CountingEmulator(
            {"cti": EmulatedUser("s3cret")}, sleep=_no_wait, clock=self.clock
        )
        self.secret = secret
        self.service: CTIService | None = None
        self.sleeps: list[float] = []
        self._base = 0

    async def start(self, *, ready: bool = True) -> CTIService:
        """Start the emulator and the CTI; wait until it has resynced."""
        for name in (QUEUE, OVERFLOW):
            self.emu.queues[name] = EmulatedQueue(name)
        await self.emu.start()
        await migrate(self.url)
        from sqlalchemy.ext.asyncio import create_async_engine

        self.engine = create_async_engine(self.url)
        options = CTIOptions(
            AMIConfig("cti", self.secret, port=self.emu.port, login_timeout=2.0),
            ServiceLevelPolicy(),
            wrapup=30.0,
            recordings_dir=str(self.recordings),
            retention_days=30,
            hash_key=b"k" * 32,
            tickets=self.ticket_options,
        )
        if self.ticket_options is not None:
            self.tickets = TicketStore(self.engine, POLICY)
        self.service = CTIService(
            options,
            self.engine,
            clock=self.clock,
            sleep=self._sleep,
            random=lambda: 1.0,
            tickets=self.tickets,
        )
        await self._add_staff()
        await self.service.start()
        if ready:
            await self.ready()
        return self.service

    async def _sleep(self, delay: float) -> None:
        if delay >= 3600:  # the retention and ticket jobs: tests run them by hand
            await asyncio.Event().wait()
        self.sleeps.append(delay)
        if len(self.sleeps) > 50:
            await asyncio.Event().wait()
        await asyncio.sleep(0)

    async def _add_staff(self) -> None:
        staff = self.cti.staff
        now = datetime.fromtimestamp(START, UTC)
        for number, interface in AGENTS.items():
            await staff.add(
                f"agent{number}",
                "agent",
                "pw-" + number + "-desk",
                now,
                agent_number=number,
                interface=interface,
                skills=[QUEUE, OVERFLOW],
            )
        await staff.add("sup", "supervisor", "pw-sup-desk", now, interface="PJSIP/9001")

    @property
    def cti(self) -> CTIService:
        """The running service."""
        assert self.service is not None
        return self.service

    async def ready(self) -> None:
        """Wait for the AMI client to be logged in and resynced."""
        async with asyncio.timeout(5):
            await self.cti.client.wait_ready()
        self._base = self.cti.events_handled - self.emu.sent

    async def settle(self) -> None:
        """Wait until the CTI has handled every event the emulator sent."""
        await self.emu.drain()
        await until(lambda: self.cti.events_handled - self._base >= self.emu.sent)

    async def stop(self) -> None:
        """Stop everything."""
        if self.service is not None:
            await self.service.stop()
            await self.engine.dispose()
        await self.emu.close()

    def member(
        self, agent: str, queue: str = QUEUE, *, paused: bool = False
    ) -> QueueMember:
        """Put ``agent`` in ``queue`` on the emulator (as QueueAdd would)."""
        interface = AGENTS[agent]
        member = QueueMember(
            agent, interface, interface, membership="dynamic", paused=paused
        )
        self.emu.queues[queue].members[interface] = member
        self.emu.emit("QueueMemberAdded", member.event_fields(queue), "agent")
        return member

    def caller(
        self,
        uniqueid: str,
        number: str = "13800138000",
        variables: dict[str, str] | None = None,
    ) -> EmulatedChannel:
        """A caller channel that has come through the IVR."""
        channel = EmulatedChannel(
            f"PJSIP/trunk-{uniqueid[-4:]}",
            uniqueid,
            caller_num=number,
            context="ivr-queue",
            exten="s",
            variables=dict(variables or {}),
        )
        scenes.new_channel(self.emu, channel)
        return channel

    def agent_leg(self, agent: str, uniqueid: str) -> EmulatedChannel:
        """The agent's phone channel for one offer."""
        channel = EmulatedChannel(f"{AGENTS[agent]}-{uniqueid[-4:]}", uniqueid + "1")
        scenes.new_channel(self.emu, channel)
        return channel

    def join(
        self, queue: str, caller: EmulatedChannel, position: int | None = None
    ) -> None:
        """QueueCallerJoin with the caller's IVR variables as ChanVariable."""
        waiting = self.emu.queues[queue].callers
        at = position or len(waiting) + 1
        waiting.insert(at - 1, caller)
        pairs = [*caller.fields(), *_variables(caller)]
        pairs += [("Queue", queue), ("Position", str(at)), ("Count", str(len(waiting)))]
        self.emu.emit("QueueCallerJoin", pairs, "agent")

    def called(
        self, queue: str, caller: EmulatedChannel, agent: str, leg: EmulatedChannel
    ) -> None:
        """AgentCalled with the caller's variables."""
        member = self.emu.queues[queue].members[AGENTS[agent]]
        pairs = [*caller.fields(), *_variables(caller), *leg.fields("Dest")]
        pairs += [
            ("Queue", queue),
            ("MemberName", member.name),
            ("Interface", member.interface),
        ]
        self.emu.emit("AgentCalled", pairs, "agent")


def _variables(channel: EmulatedChannel) -> Pairs:
    return [("ChanVariable", f"{k}={v}") for k, v in channel.variables.items()]


async def until(predicate: Callable[[], bool], deadline: float = 5.0) -> None:
    """Yield until ``predicate`` holds (a guard against hangs, not a timing)."""
    async with asyncio.timeout(deadline):
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0)


def drain(listener: Listener) -> list[dict[str, Any]]:
    """Every message waiting for a desktop or wallboard."""
    messages = []
    while not listener.queue.empty():
        messages.append(listener.queue.get_nowait())
    return messages
