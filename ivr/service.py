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
import logging
import signal
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from ivr.agi import FastAGIServer, run_classic_agi, start_fastagi_server
from ivr.calls import CallHandler, LoadedFlow
from ivr.clock import Clock, SystemClock
from ivr.config import Config
from ivr.flow import Flow, Problem, WorkCalendar, load_flow
from ivr.prompts import PromptCatalog, PromptError
from ivr.records import CallRecordWriter, MigrationError, migrate
from ivr.web import make_app

__all__ = [
    "Service",
    "ServiceError",
    "load_checked_flow",
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
        self.load()
        await _migrate(self.config.database.url)
        self.records.start()
        try:
            await self._listen()
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

    def load(self) -> None:
        """Load and check the configured flow; refuse with every error found."""
        loaded, self.warnings = load_checked_flow(self.config)
        for problem in self.warnings:
            logger.warning("%s", problem)
        self._calls = CallHandler(
            loaded,
            self.records,
            clock=self._clock,
            hash_key=self.config.privacy.hash_key,
            allow_overrides=self.config.calls.allow_clock_override,
        )

    async def stop(self) -> None:
        """Stop taking calls, drain those in progress, flush call records."""
        self._draining = True
        if self._fastagi is not None:
            await self._fastagi.close(self.config.calls.drain_seconds)
        if self._http is not None:
            await self._http.cleanup()
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
        app = make_app(flow_provider=self._flow_view, health_provider=self._health)
        self._http = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._http.setup()
        try:
            await web.TCPSite(self._http, http.host, http.port).start()
        except OSError as exc:
            raise _cannot_listen("HTTP", http.host, http.port, exc) from exc

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
        return {
            "status": "draining" if self._draining else "ok",
            "flow_version": self.flow.version if self._calls else None,
            "open_calls": fastagi.open_calls if fastagi else 0,
            "handshake_failures": fastagi.handshake_failures if fastagi else 0,
            "records": self.records.status(),
            "warnings": [str(p) for p in self.warnings],
        }


def load_checked_flow(config: Config) -> tuple[LoadedFlow, list[Problem]]:
    """Load the configured flow and prompts; return it with its warnings.

    Raises :class:`ServiceError` listing every error when it cannot be run.
    """
    flow_path = Path(config.flow.path)
    try:
        catalog = PromptCatalog.load(Path(config.prompts.dir))
    except PromptError as exc:
        raise ServiceError(f"refusing to start: {exc}") from exc
    flow, problems = load_flow(flow_path, catalog)
    errors = [p for p in problems if p.severity == "error"]
    if flow is None or errors:
        raise ServiceError(_flow_refusal(flow_path, errors))
    loaded = LoadedFlow(
        flow, WorkCalendar.for_flow(flow), datetime.now(flow.settings.zone)
    )
    return loaded, [p for p in problems if p.severity != "error"]


async def _migrate(url: str) -> None:
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
    await service.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        logger.info("stopping: draining calls in progress")
        await service.stop()


async def run_classic_call(config: Config) -> int:
    """Run one call over stdin/stdout as a classic AGI script."""
    service = Service(config)
    service.load()
    await _migrate(config.database.url)
    service.records.start()
    try:
        return await run_classic_agi(service._handler().handle_session)
    finally:
        await service.records.close(config.calls.drain_seconds)
