"""The running service: flow, FastAGI server, HTTP service and call records.

:class:`Service` wires the layers together; :func:`serve_forever` runs it
until SIGINT or SIGTERM and then drains calls in progress;
:func:`run_classic_call` runs one call for Asterisk's classic AGI.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from ivr.agi import (
    AGIChannel,
    AGIEnvironment,
    AGISession,
    FastAGIServer,
    run_classic_agi,
    start_fastagi_server,
)
from ivr.channel import CallInfo, Channel
from ivr.clock import Clock, FixedClock, SystemClock
from ivr.config import Config
from ivr.flow import Flow, FlowRunner, Problem, WorkCalendar, load_flow
from ivr.privacy import hash_number, mask_number
from ivr.prompts import PromptCatalog, PromptError
from ivr.records import CallRecordWriter, migrate
from ivr.trace import CallTrace, Outcome, OutcomeKind
from ivr.web import make_app

__all__ = ["Service", "ServiceError", "run_classic_call", "serve_forever"]

logger = logging.getLogger("ivr.service")


class ServiceError(Exception):
    """The service cannot start; the message says why, for a person to read."""


@dataclass(frozen=True, slots=True)
class CallOverrides:
    """A call's clock and caller, possibly set by AGI arguments for testing."""

    clock: Clock
    caller: str | None


class Service:
    """The IVR service: one flow, one FastAGI server, one HTTP service."""

    def __init__(self, config: Config, *, clock: Clock | None = None) -> None:
        self.config = config
        self._clock: Clock = clock or SystemClock()
        self._hash_key = config.privacy.hash_key
        self.records = CallRecordWriter(config.database.url)
        self.flow: Flow | None = None
        self.warnings: list[Problem] = []
        self._calendar: WorkCalendar | None = None
        self._tz = ZoneInfo("Asia/Shanghai")
        self._fastagi: FastAGIServer | None = None
        self._http: web.AppRunner | None = None
        self._loaded_at: datetime | None = None

    @property
    def fastagi_port(self) -> int:
        """The port the FastAGI server listens on (useful with port 0)."""
        assert self._fastagi is not None, "service not started"
        return self._fastagi.port

    @property
    def http_port(self) -> int:
        """The port the HTTP service listens on (useful with port 0)."""
        assert self._http is not None, "service not started"
        for site in self._http.sites:
            server = getattr(site, "_server", None)
            if server is not None and server.sockets:
                port: int = server.sockets[0].getsockname()[1]
                return port
        raise ServiceError("HTTP service has no listening socket")

    async def start(self) -> None:
        """Load and check the flow, migrate the database, then listen."""
        self._load_flow()
        await migrate(self.config.database.url)
        self.records.start()
        self._fastagi = await start_fastagi_server(
            self.handle_call,
            self.config.fastagi.host,
            self.config.fastagi.port,
            handshake_timeout=self.config.calls.handshake_timeout,
            reply_timeout=self.config.calls.reply_timeout,
        )
        await self._start_http()
        logger.info(
            "serving flow %s: FastAGI on %s:%d, HTTP on %s:%d",
            self.flow.version if self.flow else "?",
            self.config.fastagi.host,
            self.fastagi_port,
            self.config.http.host,
            self.http_port,
        )

    async def stop(self) -> None:
        """Stop taking calls, drain those in progress, flush call records."""
        if self._fastagi is not None:
            await self._fastagi.close(self.config.calls.drain_seconds)
        if self._http is not None:
            await self._http.cleanup()
        await self.records.close(self.config.calls.drain_seconds)

    def _load_flow(self) -> None:
        flow_path = Path(self.config.flow.path)
        try:
            catalog = PromptCatalog.load(Path(self.config.prompts.dir))
        except PromptError as exc:
            raise ServiceError(f"refusing to start: {exc}") from exc
        flow, problems = load_flow(flow_path, catalog)
        errors = [p for p in problems if p.severity == "error"]
        if flow is None or errors:
            raise ServiceError(_flow_refusal(flow_path, errors))
        self.warnings = [p for p in problems if p.severity != "error"]
        for problem in self.warnings:
            logger.warning("%s", problem)
        self.flow = flow
        self._tz = flow.settings.zone
        self._calendar = WorkCalendar.for_flow(flow)
        self._loaded_at = datetime.now(self._tz)

    async def _start_http(self) -> None:
        app = make_app(flow_provider=self._flow_view, health_provider=self._health)
        self._http = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await self._http.setup()
        site = web.TCPSite(self._http, self.config.http.host, self.config.http.port)
        await site.start()

    def _flow_view(self) -> dict[str, Any]:
        assert self.flow is not None
        view = self.flow.to_view()
        view["loaded_at"] = self._loaded_at.isoformat() if self._loaded_at else None
        return view

    def _health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "flow_version": self.flow.version if self.flow else None,
            "open_calls": self._fastagi.open_calls if self._fastagi else 0,
            "records": self.records.status(),
            "warnings": [str(p) for p in self.warnings],
        }

    async def handle_call(self, session: AGISession, env: AGIEnvironment) -> None:
        """Run the flow for one FastAGI or classic AGI session."""
        await self.run_call(AGIChannel(session, env))

    async def run_call(self, channel: Channel) -> CallTrace:
        """Run the flow on a channel and store the call's record."""
        assert self._calendar is not None and self.flow is not None
        overrides = self._call_overrides(channel.info)
        runner = FlowRunner(self.flow, self._calendar, overrides.clock)
        trace = self._new_trace(channel.info, overrides)
        self.records.record_started(trace)
        try:
            trace.outcome = await runner.run(channel, trace)
        except Exception:
            # The per-call top handler: the caller must never be left in
            # silence. IVR_DONE stays unset, so the dialplan apologises and
            # queues the caller for a general agent.
            logger.exception("call %s failed", channel.info.uniqueid)
            trace.outcome = Outcome(OutcomeKind.ERROR, detail="internal error")
            await _set_error_outcome(channel)
        finally:
            trace.ended_at = overrides.clock.now(self._tz)
            self.records.record_finished(trace)
        return trace

    def _new_trace(self, info: CallInfo, overrides: CallOverrides) -> CallTrace:
        assert self.flow is not None
        return CallTrace(
            uniqueid=info.uniqueid,
            started_at=overrides.clock.now(self._tz),
            flow_version=self.flow.version,
            caller_masked=mask_number(overrides.caller),
            caller_hash=hash_number(overrides.caller, self._hash_key),
            channel=info.channel,
            language=info.language,
        )

    def _call_overrides(self, info: CallInfo) -> CallOverrides:
        """Honour ``at=`` and ``caller=`` AGI arguments where config allows."""
        named = _named_args(info)
        if not self.config.calls.allow_clock_override or not named:
            return CallOverrides(self._clock, info.caller)
        clock = self._clock
        if "at" in named:
            try:
                clock = FixedClock(datetime.fromisoformat(named["at"]))
            except ValueError:
                logger.warning("ignoring bad at= argument %r", named["at"])
        return CallOverrides(clock, named.get("caller") or info.caller)


def _named_args(info: CallInfo) -> dict[str, str]:
    named = {}
    for value in info.args.values():
        key, sep, rest = value.partition("=")
        if sep and key in ("at", "caller"):
            named[key] = rest
    return named


async def _set_error_outcome(channel: Channel) -> None:
    try:
        await channel.set_variable("IVR_OUTCOME", "error")
    except Exception:
        logger.debug("could not set IVR_OUTCOME on a failed call", exc_info=True)


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
    service._load_flow()
    await migrate(config.database.url)
    service.records.start()
    try:
        return await run_classic_agi(service.handle_call)
    finally:
        await service.records.close(config.calls.drain_seconds)
