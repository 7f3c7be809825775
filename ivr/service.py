"""The running service: flow, FastAGI server, HTTP service and call records.

:class:`Service` wires the layers together; :func:`serve_forever` runs it
until SIGINT or SIGTERM and then drains calls in progress;
:func:`run_classic_call` runs one call for Asterisk's classic AGI. Every
reason not to start (a bad flow, an unreadable prompt catalog, a database
that cannot be migrated, a port in use) is a :class:`ServiceError` whose
message a person can act on.
"""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import os
import signal
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ivr.agi import FastAGIServer, run_classic_agi, start_fastagi_server
from ivr.calls import CallHandler, LoadedFlow
from ivr.clock import Clock, SystemClock
from ivr.config import Config
from ivr.flow import Flow, Problem, QueryNode
from ivr.flow.calendar import LiveCalendar
from ivr.queries import BackendConfigError, QueryServices
from ivr.records import CallRecordWriter, FlowVersionStore, MigrationError, migrate
from ivr.reload import FlowRefusedError, Reloader, ReloadResult, read_flow
from ivr.tasks import cancel_and_wait
from ivr.tickets.builder import TicketParts, build_ticket_desk
from ivr.tickets.errors import TicketConfigError
from ivr.web import AdminAPI, make_app

if TYPE_CHECKING:
    from cti import CTIService

__all__ = [
    "CTISurveys",
    "Service",
    "ServiceError",
    "run_classic_call",
    "serve_forever",
]

logger = logging.getLogger("ivr.service")


class ServiceError(Exception):
    """The service cannot start; the message says why, for a person to read."""


class Service:
    """The IVR service: one flow, one FastAGI server, one HTTP service."""

    def __init__(self, config: Config, *, clock: Clock | None = None) -> None:
        self.config = config
        self._clock: Clock = clock or SystemClock()
        self.records = CallRecordWriter(config.database.url)
        self.warnings: list[Problem] = []
        self._calls: CallHandler | None = None
        self._fastagi: FastAGIServer | None = None
        self._http: web.AppRunner | None = None
        self._draining = False
        self._tasks: set[asyncio.Task[ReloadResult]] = set()
        self.cti: CTIService | None = None
        self.tickets: TicketParts | None = None
        """The ticket desk, store and reconciler (messages, complaints, faxes)."""
        self._reconciling: asyncio.Task[None] | None = None
        self.queries = QueryServices(
            config.queries, config.privacy.hash_key, self.records.store.engine
        )

    @property
    def flow(self) -> Flow:
        """The flow new calls run on."""
        return self._handler().loaded.flow

    @property
    def fastagi_port(self) -> int:
        """The port the FastAGI server listens on (useful with port 0)."""
        if self._fastagi is None:
            raise ServiceError("the service is not started")
        return self._fastagi.port

    @property
    def http_port(self) -> int:
        """The port the HTTP service listens on (useful with port 0)."""
        for site in self._http.sites if self._http else ():
            server = getattr(site, "_server", None)
            if server is not None and server.sockets:
                port: int = server.sockets[0].getsockname()[1]
                return port
        raise ServiceError("the HTTP service is not listening")

    async def start(self) -> None:
        """Load and check the flow, migrate the database, then listen."""
        files = self.load()
        await _migrate(self.config.database.url)
        await self._reloader().record(files, "start")
        self.records.start()
        self._start_tickets()
        try:
            await self._start_queries()
            await self._start_cti()
            await self._listen()
            self._reconciling = asyncio.get_running_loop().create_task(
                self._reconcile_tickets()
            )
        except ServiceError:
            await self.stop()
            raise
        logger.info(
            "serving flow %s: FastAGI on %s:%d, HTTP on %s:%d",
            self.flow.version,
            self.config.fastagi.host,
            self.fastagi_port,
            self.config.http.host,
            self.http_port,
        )

    def load(self) -> dict[str, bytes]:
        """Load and check the configured flow; refuse with every error found.

        Returns the source files' bytes the flow was built from.
        """
        try:
            loaded, warnings, files = read_flow(self.config)
        except FlowRefusedError as exc:
            raise ServiceError(f"refusing to start: {exc}") from exc
        self._calls = CallHandler(
            loaded,
            self.records,
            clock=self._clock,
            hash_key=self.config.privacy.hash_key,
            allow_overrides=self.config.calls.allow_clock_override,
        )
        self._install(loaded, warnings)
        return files

    def _install(self, loaded: LoadedFlow, warnings: list[Problem]) -> None:
        """Make ``loaded`` the flow of new calls (running calls keep theirs)."""
        self._handler().loaded = loaded
        self.warnings = warnings
        for problem in warnings:
            logger.warning("%s", problem)
        self._check_queries(loaded.flow)

    def _check_queries(self, flow: Flow) -> None:
        """Warn about query nodes the running backends cannot answer.

        A name missing from the backends file refuses the flow already
        (``ivr.reload.read_flow``); what is left is a backend dropped here,
        e.g. one using the demo backend while ``queries.demo_backend`` is off.
        """
        desk = self._handler().queries
        if desk is None:
            return
        for node in flow.nodes.values():
            if isinstance(node, QueryNode):
                problem = desk.problem(node.backend, node.query)
                if problem is not None:
                    logger.warning(
                        "query node %s will answer unavailable: %s", node.id, problem
                    )

    async def reload(self, source: str) -> ReloadResult:
        """Reload the flow and prompts from disk (see :mod:`ivr.reload`)."""
        return await self._reloader().reload(source)

    async def rollback(self, to: str | None = None) -> ReloadResult:
        """Restore an earlier flow version (by default the previous one)."""
        return await self._reloader().rollback(to)

    async def versions(self) -> list[dict[str, Any]]:
        """The flow versions loaded, newest first."""
        history = await FlowVersionStore(self.records.store.engine).history()
        return [stored.summary() for stored in history]

    def request_reload(self, source: str) -> None:
        """Start a reload in the background (from a signal handler)."""
        if self._calls is None:
            logger.warning("%s before the flow was loaded: nothing to reload", source)
            return
        task = asyncio.get_running_loop().create_task(self.reload(source))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _admin_reload(self, source: str) -> dict[str, Any]:
        return (await self.reload(source)).to_json()

    async def _admin_rollback(self, to: str | None) -> dict[str, Any]:
        return (await self.rollback(to)).to_json()

    def _reloader(self) -> Reloader:
        return Reloader(
            self.config,
            FlowVersionStore(self.records.store.engine),
            lambda: self._handler().loaded,
            self._install,
        )

    async def stop(self) -> None:
        """Stop taking calls, drain those in progress, flush call records."""
        self._draining = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._reconciling is not None:
            await cancel_and_wait(self._reconciling)
        if self._fastagi is not None:
            await self._fastagi.close(self.config.calls.drain_seconds)
        if self._http is not None:
            await self._http.cleanup()
        surveys = self._calls.surveys if self._calls else None
        if isinstance(surveys, CTISurveys):
            await surveys.drain()
        if self.cti is not None:
            await self.cti.stop()
        await self.queries.stop()
        await self.records.close(self.config.calls.drain_seconds)

    async def _listen(self) -> None:
        fastagi, http = self.config.fastagi, self.config.http
        try:
            self._fastagi = await start_fastagi_server(
                self._handler().handle_session,
                fastagi.host,
                fastagi.port,
                handshake_timeout=self.config.calls.handshake_timeout,
                reply_timeout=self.config.calls.reply_timeout,
            )
        except OSError as exc:
            raise _cannot_listen("FastAGI", fastagi.host, fastagi.port, exc) from exc
        app = make_app(
            middlewares=_cti_middlewares() if self.cti else (),
            flow_provider=self._flow_view,
            health_provider=self._health,
            admin=AdminAPI(
                token=self.config.admin.token,
                reload=self._admin_reload,
                rollback=self._admin_rollback,
                versions=self.versions,
            ),
            viewer=self._is_viewer,
        )
        if self.cti is not None:
            from cti import add_cti_routes

            add_cti_routes(app, self.cti)
        self._http = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._http.setup()
        try:
            await web.TCPSite(self._http, http.host, http.port).start()
        except OSError as exc:
            raise _cannot_listen("HTTP", http.host, http.port, exc) from exc

    async def _start_queries(self) -> None:
        """Start the self-service query services (backends, limits, demo)."""
        try:
            desk = await self.queries.start()
        except BackendConfigError as exc:
            raise ServiceError(f"refusing to start: {exc}") from exc
        except OSError as exc:
            port = self.config.queries.demo_port
            where = ("the demo query backend", "127.0.0.1", port)
            raise _cannot_listen(*where, exc) from exc
        self._handler().queries = desk
        self._check_queries(self.flow)

    async def _start_cti(self) -> None:
        """Start the CTI adapter (agents, queues, wallboard) when AMI is on."""
        if not self.config.ami.enabled:
            return
        if not self.config.ami.secret:
            raise ServiceError(
                "refusing to start: ami.enabled is true but no AMI secret is set "
                "(set IVR_AMI_SECRET to the [cti] secret of manager.conf)"
            )
        from cti.knowledge import KnowledgeSource
        from cti.settings import cti_service

        store = self.tickets.store if self.tickets else None
        self.cti = cti_service(self.config, self.records.store.engine, tickets=store)
        self.cti.knowledge = KnowledgeSource(lambda: self._handler().loaded)
        await self.cti.start()
        self._handler().surveys = CTISurveys(self.cti)

    def _start_tickets(self, *, number_block: int = 50) -> None:
        """Give the flow its ticket desk, on the call records' database.

        Deadlines follow the calendar of the flow loaded now (reloads too).
        A folder the desk cannot write stops the start as a ServiceError.
        """
        try:
            self.tickets = build_ticket_desk(
                self.config,
                self.records.store.engine,
                LiveCalendar(lambda: self._handler().loaded.calendar),
                self._clock,
                alert=self._ops_alert,
                number_block=number_block,
            )
        except TicketConfigError as error:
            raise ServiceError(str(error)) from error
        self._handler().desk = self.tickets.desk

    async def _reconcile_tickets(self) -> None:
        """Settle pending entries and recordings now, then periodically."""
        if self.tickets is not None:
            await self.tickets.reconciler.run()

    async def _ops_alert(self, kind: str, detail: str) -> None:
        """A ticket fault for ops: logged, and on the wallboards with the CTI."""
        logger.warning("ops alert %s: %s", kind, detail)
        if self.cti is not None:
            await self.cti.raise_alert(kind, detail)

    async def _is_viewer(self, request: web.Request) -> bool:
        """Staff (a CTI session) or ops (the admin token) may see the details."""
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        token = token.strip()
        admin = self.config.admin.token
        if admin and hmac.compare_digest(token.encode(), admin):
            return True
        if self.cti is None:
            return False
        member = await self.cti.staff.authenticate(token, datetime.now(UTC))
        return member is not None

    def _handler(self) -> CallHandler:
        if self._calls is None:
            raise ServiceError("no flow is loaded")
        return self._calls

    def _flow_view(self) -> dict[str, Any]:
        loaded = self._handler().loaded
        view = loaded.flow.to_view()
        view["loaded_at"] = loaded.loaded_at.isoformat()
        return view

    def _health(self) -> dict[str, Any]:
        fastagi = self._fastagi
        desk = self.queries.desk
        return {
            "status": "draining" if self._draining else "ok",
            "flow_version": self.flow.version if self._calls else None,
            "open_calls": fastagi.open_calls if fastagi else 0,
            "handshake_failures": fastagi.handshake_failures if fastagi else 0,
            "records": self.records.status(),
            # The IVR keeps answering while AMI is down, so the status (read
            # by load balancers) stays ok; monitoring reads this block.
            "ami": self.cti.health() if self.cti is not None else None,
            # Also ok while Redis is down or a backend's circuit is open: the
            # queries then say "unavailable" politely; this block tells why.
            "queries": desk.health() if desk is not None else None,
            # Tickets waiting in the spool for the database, and the last
            # reconciliation pass (ok, postponed by a database fault, failed).
            "tickets": self.tickets.reconciler.health() if self.tickets else None,
            "warnings": [str(p) for p in self.warnings],
        }


class CTISurveys:
    """The survey sink of the flow when the CTI runs: scores join agent calls.

    The caller must not wait for the database (it would hold the thanks and
    goodbye): each score is stored by a background task this sink owns and
    :meth:`drain` awaits at shutdown. A score that cannot be stored is
    logged, never raised.
    """

    def __init__(self, cti: CTIService) -> None:
        self._cti = cti
        self._pending: set[asyncio.Task[None]] = set()

    async def record_survey(self, uniqueid: str, score: int, at: datetime) -> None:
        """Queue the score for the CTI's record of the call and its agent."""
        task = asyncio.get_running_loop().create_task(self._store(uniqueid, score, at))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def drain(self) -> None:
        """Wait for the scores still being stored."""
        await asyncio.gather(*self._pending, return_exceptions=True)

    async def _store(self, uniqueid: str, score: int, at: datetime) -> None:
        from cti import CTIError

        try:
            agent = await self._cti.calls.record_survey(uniqueid, score, at)
        except (CTIError, SQLAlchemyError) as exc:
            logger.warning("call %s: survey score not stored: %s", uniqueid, exc)
            return
        logger.info("call %s: survey score %d for agent %s", uniqueid, score, agent)


def _cti_middlewares() -> tuple[Any, ...]:
    from cti import authenticate, cti_errors

    return (authenticate, cti_errors)


def _private_sqlite_file(url: str) -> None:
    """Create a new SQLite database file readable by the service's user only.

    It holds staff password hashes and call records; the process umask would
    usually leave it readable by every local user.
    """
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database:
        return
    path = Path(parsed.database)
    if parsed.database != ":memory:" and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


async def _migrate(url: str) -> None:
    _private_sqlite_file(url)
    try:
        await migrate(url)
    except MigrationError as exc:
        raise ServiceError(f"refusing to start: {exc}") from exc


def _cannot_listen(what: str, host: str, port: int, exc: OSError) -> ServiceError:
    reason = exc.strerror or str(exc)
    return ServiceError(
        f"cannot listen for {what} on {host}:{port}: {reason} "
        "(is another copy of the service running? choose another port)"
    )


def _flow_refusal(path: Path, errors: Sequence[Problem]) -> str:
    lines = [f"refusing to start: {path} has {len(errors)} problem(s)"]
    lines += [f"  {problem}" for problem in errors]
    lines.append(f"Run `ivr check {path}` after fixing them.")
    return "\n".join(lines)


async def serve_forever(config: Config) -> None:
    """Run the service until SIGINT or SIGTERM, then drain and stop."""
    service = Service(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Handlers first: a SIGHUP sent as soon as "serving" is logged must
    # reload, not kill the process with the default action.
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    loop.add_signal_handler(signal.SIGHUP, service.request_reload, "SIGHUP")
    await service.start()
    # What start-up built (flow, catalogs, SQLAlchemy metadata) lives as long
    # as the process: moved out of the collector's reach, it no longer makes
    # full collections long enough to stall calls (bench: 60-96 ms pauses).
    gc.collect()
    gc.freeze()
    try:
        await stop.wait()
    finally:
        logger.info("stopping: draining calls in progress")
        await service.stop()


async def run_classic_call(config: Config) -> int:
    """Run one call over stdin/stdout as a classic AGI script."""
    service = Service(config)
    service.load()
    try:
        await _migrate(config.database.url)
    except ServiceError:
        # Asterisk may start many scripts at once on a new database; all but
        # one lose the race to create the tables. Upgrading is idempotent, so
        # a second try finds the schema the winner made.
        await _migrate(config.database.url)
    service.records.start()
    # One number at a time: the rest of a leased block dies with the process,
    # and a day's numbers would run out after a few hundred messages.
    service._start_tickets(number_block=1)
    try:
        # A process per call: its own backend clients (and demo backend, on
        # the embedded defaults) serve the query nodes of this one call.
        await service._start_queries()
        return await run_classic_agi(service._handler().handle_session)
    finally:
        await service.queries.stop()
        await service.records.close(config.calls.drain_seconds)
