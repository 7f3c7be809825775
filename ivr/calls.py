"""One call, from the AGI session to its stored record.

:class:`CallHandler` is what the FastAGI server and the classic AGI runner
call for each session: it builds the call's trace (masked caller, keyed
hash, the flow version), runs the flow, and hands the record to the
background writer whatever happens: a normal end, a hang-up, a crash, or the
service stopping in the middle of the call.

One other kind of session comes in on the same port: Queue's AGI argument
(``IVR_CONNECT_AGI``, script :data:`AGENT_NUMBER_SCRIPT`), which Asterisk
runs on the caller's channel when an agent answers; it tells the caller the
agent's number and leaves the call to the queue (no record, no IVR_DONE).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from ivr.agi import AGIChannel, AGIEnvironment, AGISession
from ivr.channel import CallerHungUp, CallInfo, Channel
from ivr.clock import Clock, ShiftedClock
from ivr.flow import Flow, FlowRunner, SurveySink, WorkCalendar
from ivr.localised import LocalisedChannel
from ivr.privacy import hash_number, mask_number
from ivr.prompts import PromptCatalog
from ivr.queries import QueryDesk
from ivr.records import CallRecordWriter
from ivr.speech import speak_digits
from ivr.tickets import TicketDesk
from ivr.trace import CallTrace, Outcome, OutcomeKind

__all__ = ["AGENT_NUMBER_SCRIPT", "CallHandler", "LoadedFlow", "agent_number"]

logger = logging.getLogger("ivr.calls")

AGENT_NUMBER_SCRIPT = "agent-number"
"""The FastAGI script name (``agi://host:port/agent-number``) of the
agent-number announcement."""

AGENT_NUMBER_PROMPTS = ("agent-number-before", "agent-number-after")
"""您好， <the number, digit by digit> 号咨询员为您服务。 (Annex 1 一.(三))."""


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
        self.surveys: SurveySink | None = None
        """Where survey scores go besides the record (the CTI, when it runs)."""
        self.desk: TicketDesk | None = None
        """The ticket desk of the message, complaint, status and fax nodes.
        Unset, those nodes tell callers the service is unavailable and go
        to their ``on_fail`` node (see ``ivr.flow.desk_call``)."""
        self.queries: QueryDesk | None = None
        """The self-service query services (``None``: queries unavailable)."""

    async def handle_session(self, session: AGISession, env: AGIEnvironment) -> None:
        """Run one FastAGI or classic AGI session."""
        channel = AGIChannel(session, env)
        if channel.info.script == AGENT_NUMBER_SCRIPT:
            await self.announce_agent(channel)
            return
        await self.run(channel)

    async def announce_agent(self, channel: Channel) -> None:
        """Tell the caller the number of the agent who just answered.

        Runs on the caller's channel from Queue's AGI argument, after the
        agent answered and before the bridge (apps/app_queue.c try_calling,
        with MEMBERNAME set by ``setinterfacevar``), so the caller hears it
        and the agent hears the caller's side only once it is said.
        """
        member = await channel.get_variable("MEMBERNAME") or ""
        interface = await channel.get_variable("MEMBERINTERFACE") or ""
        number = agent_number(member) or agent_number(interface)
        if not number:
            logger.warning(
                "call %s: no agent number to announce", channel.info.uniqueid
            )
            return
        prompts = [AGENT_NUMBER_PROMPTS[0], *speak_digits(number)]
        localised = LocalisedChannel(channel, self.loaded.catalog)
        try:
            await localised.play([*prompts, AGENT_NUMBER_PROMPTS[1]])
        except CallerHungUp:
            logger.info(
                "call %s: caller gone before the agent number", channel.info.uniqueid
            )
            return
        logger.info("call %s: announced agent %s", channel.info.uniqueid, number)

    async def run(self, channel: Channel) -> CallTrace:
        """Run the flow on a channel and store the call's record."""
        loaded = self.loaded
        setup = self._setup(channel.info)
        trace = self._new_trace(channel.info, setup, loaded.flow)
        queries = self.queries.for_call(setup.caller) if self.queries else None
        runner = FlowRunner(
            loaded.flow,
            loaded.calendar,
            setup.clock,
            surveys=self.surveys,
            desk=self.desk,
            queries=queries,
        )
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


def agent_number(member: str) -> str:
    """The agent number in a queue member's name or interface: its last digits.

    The CTI adds members with the agent number as MemberName (``1001``);
    others are named like ``Agent 1001`` or ``PJSIP/agent1001``.
    """
    found = re.findall(r"\d+", member)
    return found[-1] if found else ""


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
