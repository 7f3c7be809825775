"""One call, from the AGI session to its stored record.

:class:`CallHandler` is what the FastAGI server and the classic AGI runner
call for each session: it builds the call's trace (masked caller, keyed
hash, the flow version), runs the flow, and hands the record to the
background writer whatever happens: a normal end, a hang-up, a crash, or the
service stopping in the middle of the call.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime

from ivr.agi import AGIChannel, AGIEnvironment, AGISession
from ivr.channel import CallInfo, Channel
from ivr.clock import Clock, ShiftedClock
from ivr.flow import Flow, FlowRunner, WorkCalendar
from ivr.localised import LocalisedChannel
from ivr.privacy import hash_number, mask_number
from ivr.prompts import PromptCatalog
from ivr.records import CallRecordWriter
from ivr.trace import CallTrace, Outcome, OutcomeKind

__all__ = ["CallHandler", "LoadedFlow"]

logger = logging.getLogger("ivr.calls")


@dataclass(frozen=True, slots=True)
class LoadedFlow:
    """A checked flow with what running it needs; calls keep the one they began on."""

    flow: Flow
    calendar: WorkCalendar
    loaded_at: datetime
    catalog: PromptCatalog


@dataclass(frozen=True, slots=True)
class _CallSetup:
    """A call's clock and caller, possibly set by AGI arguments for testing."""

    clock: Clock
    caller: str | None


class CallHandler:
    """Runs calls on the current flow and stores a record of each."""

    def __init__(
        self,
        loaded: LoadedFlow,
        records: CallRecordWriter,
        *,
        clock: Clock,
        hash_key: bytes,
        allow_overrides: bool,
    ) -> None:
        self.loaded = loaded
        self._records = records
        self._clock = clock
        self._hash_key = hash_key
        self._allow_overrides = allow_overrides

    async def handle_session(self, session: AGISession, env: AGIEnvironment) -> None:
        """Run one FastAGI or classic AGI session."""
        await self.run(AGIChannel(session, env))

    async def run(self, channel: Channel) -> CallTrace:
        """Run the flow on a channel and store the call's record."""
        loaded = self.loaded
        setup = self._setup(channel.info)
        trace = self._new_trace(channel.info, setup, loaded.flow)
        runner = FlowRunner(loaded.flow, loaded.calendar, setup.clock)
        self._records.record_started(trace)
        localised = LocalisedChannel(channel, loaded.catalog)
        try:
            trace.outcome = await runner.run(localised, trace)
        except asyncio.CancelledError:
            trace.outcome = _error(trace, "cut off: the service stopped")
            raise
        except Exception as exc:
            # The per-call top handler: the caller must never be left in
            # silence. IVR_DONE stays unset, so the dialplan apologises and
            # queues the caller for a general agent.
            trace.outcome = _error(trace, type(exc).__name__)
            logger.exception(
                "call %s failed at %s", trace.uniqueid, trace.outcome.node_id
            )
            await _mark_error(channel)
        finally:
            trace.ended_at = setup.clock.now(loaded.flow.settings.zone)
            self._records.record_finished(trace)
        return trace

    def _new_trace(self, info: CallInfo, setup: _CallSetup, flow: Flow) -> CallTrace:
        return CallTrace(
            uniqueid=info.uniqueid,
            started_at=setup.clock.now(flow.settings.zone),
            flow_version=flow.version,
            caller_masked=mask_number(setup.caller),
            caller_hash=hash_number(setup.caller, self._hash_key),
            channel=info.channel,
            language=info.language,
        )

    def _setup(self, info: CallInfo) -> _CallSetup:
        """Honour ``at=`` and ``caller=`` AGI arguments where config allows."""
        named = _named_args(info)
        if not self._allow_overrides or not named:
            return _CallSetup(self._clock, info.caller)
        clock = self._clock
        if "at" in named:
            try:
                clock = ShiftedClock(datetime.fromisoformat(named["at"]))
            except ValueError:
                logger.warning("call %s: ignoring bad at= argument", info.uniqueid)
        return _CallSetup(clock, named.get("caller") or info.caller)


def _named_args(info: CallInfo) -> dict[str, str]:
    """The ``at=`` and ``caller=`` arguments (``ivr call --at/--caller``)."""
    named = {}
    for value in info.args.values():
        key, sep, rest = value.partition("=")
        if sep and key in ("at", "caller"):
            named[key] = rest
    return named


def _error(trace: CallTrace, detail: str) -> Outcome:
    """An error outcome at the node the call had reached."""
    node = trace.steps[-1].node_id if trace.steps else ""
    return Outcome(OutcomeKind.ERROR, node_id=node, detail=detail)


async def _mark_error(channel: Channel) -> None:
    """Tell the dialplan the call failed (IVR_DONE stays unset)."""
    try:
        await channel.set_variable("IVR_OUTCOME", "error")
    except Exception:
        logger.debug("could not set IVR_OUTCOME on a failed call", exc_info=True)
