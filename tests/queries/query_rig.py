"""Place calls through the shipped flow's query nodes, with real services.

:class:`QueryRig` builds a :class:`QueryDesk` over a backend server (the
demo app, or a failing one), real Redis and a SQLite records database,
runs the shipped ``menus.yaml`` on a scripted caller and stores the call
record, so the privacy scan has rows to read. Every reply the backend
server sends is kept in :data:`privacy_evidence.REPLIES`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from aiohttp.test_utils import TestServer
from flow_fakes import ScriptedChannel
from privacy_evidence import (
    REPLIES,
    remember_demo_answers,
    remember_keyed,
    remember_secret,
)
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from ivr.clock import FixedClock
from ivr.flow import Flow, FlowRunner, WorkCalendar
from ivr.privacy import hash_number, mask_number
from ivr.queries import (
    DEMO_PEOPLE,
    AttemptLimiter,
    AttemptLimits,
    BackendClient,
    LockoutBook,
    QueryDesk,
    load_backends,
    with_demo_url,
)
from ivr.queries.demo_backend import demo_app
from ivr.records import CallRecordWriter
from ivr.trace import CallTrace, Step

REPO = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Asia/Shanghai")
PERSON_A, PERSON_B = DEMO_PEOPLE
KEYED_A = PERSON_A.id_number.replace("X", "*")
"""测试用户甲's number as keyed: its check character X as ``*``."""
CERTIFICATE_A = "2024110100001"
WRONG_PINS = ("740213", "518362", "962047")
"""PINs no demo person has, each unlike any other number the tests use."""
remember_secret(PERSON_A.id_number, KEYED_A, PERSON_A.pin)
remember_secret(PERSON_B.id_number, PERSON_B.pin)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]


@web.middleware
async def keep_replies(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Keep each reply body for the privacy scan."""
    response = await handler(request)
    if isinstance(response, web.Response) and response.text is not None:
        REPLIES.append(response.text)
    return response


async def serve(app: web.Application) -> TestServer:
    """Start ``app`` on a free loopback port, keeping its replies."""
    app.middlewares.append(keep_replies)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def serve_demo(middleware: Middleware | None = None) -> TestServer:
    """The demo backend (behind ``middleware``) on a free loopback port."""
    app = demo_app()
    if middleware is not None:
        app.middlewares.append(middleware)
    return await serve(app)


async def watch_demo(delay: float = 0.0) -> tuple[TestServer, list[str]]:
    """The demo backend answering after ``delay`` seconds; the paths it is
    asked, in order (filled while it runs)."""
    asked: list[str] = []

    @web.middleware
    async def watch(request: web.Request, handler: Handler) -> web.StreamResponse:
        asked.append(request.path)
        await asyncio.sleep(delay)
        return await handler(request)

    return await serve_demo(watch), asked


def base_url(server: TestServer) -> str:
    """The server's URL without the trailing slash, as backends are configured."""
    return str(server.make_url("")).rstrip("/")


@dataclass
class QueryRig:
    """A desk over one backend server, and calls placed through the flow."""

    flow: Flow
    hash_key: bytes
    engine: AsyncEngine
    records_dir: Path
    redis: Redis | None
    backend_url: str
    limits: AttemptLimits = field(default_factory=AttemptLimits)
    backend: dict[str, object] = field(default_factory=dict)
    desk: QueryDesk | None = None
    calls: int = 0

    def build(self) -> QueryDesk:
        """The desk (built once): shipped backends file, pointed at the server."""
        if self.desk is None:
            shipped = load_backends(str(REPO / "config" / "backends.yaml"), env={})
            settings = with_demo_url(shipped, self.backend_url)["hrss"]
            settings = replace(settings, **self.backend)
            client = BackendClient(settings)
            book = LockoutBook(self.engine)
            limiter = AttemptLimiter(self.limits, self.redis, book)
            self.desk = QueryDesk({"hrss": client}, limiter, self.hash_key)
        return self.desk

    async def call(
        self,
        keys: list[str | None],
        caller: str | None = PERSON_A.phone,
        at: datetime | None = None,
    ) -> tuple[CallTrace, ScriptedChannel]:
        """Run one call with ``keys`` (at ``at``, else now); it ends when
        they run out. The numbers keyed, and the demo's answers as the
        flow reads them, are secrets for the privacy scan."""
        remember_keyed(keys)
        remember_demo_answers(self.flow)
        self.calls += 1
        now = at or datetime.now(ZONE)
        trace = CallTrace(
            uniqueid=f"1700000000.{self.calls}",
            started_at=now,
            caller_masked=mask_number(caller),
            caller_hash=hash_number(caller, self.hash_key),
        )
        channel = ScriptedChannel(list(keys))
        calendar = WorkCalendar(self.flow.settings.overrides)
        queries = self.build().for_call(caller)
        runner = FlowRunner(self.flow, calendar, FixedClock(now), queries=queries)
        await runner.run(channel, trace)
        await self._store(trace)
        return trace, channel

    async def close(self) -> None:
        """Close the backend's HTTP session."""
        if self.desk is not None:
            await self.desk.close()

    async def _store(self, trace: CallTrace) -> None:
        url = self.engine.url.render_as_string(hide_password=False)
        spool = self.records_dir / f"spool-{trace.session_id}.jsonl"
        writer = CallRecordWriter(url, spool_path=spool)
        writer.start()
        writer.record_started(trace)
        writer.record_finished(trace)
        await writer.close(5)


MakeRig = Callable[..., QueryRig]
"""The ``make_rig`` fixture: ``make_rig(backend_url, redis, **options)``."""


def heard(channel: ScriptedChannel, first: str = "query-intro") -> list[str]:
    """The prompts played from ``first`` on (the query and what follows)."""
    played = channel.played
    return played[played.index(first) :] if first in played else []


def query_step(trace: CallTrace, index: int = 0) -> Step:
    """The ``index``-th query step of the call."""
    return [step for step in trace.steps if step.kind == "query"][index]
