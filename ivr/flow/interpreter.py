"""Run a checked flow on one call.

:class:`FlowRunner` walks the nodes of a :class:`Flow` on an
``ivr.channel.Channel``: one handler per node kind, each returning the next
node id or the call's :class:`Outcome`. On entering a node it sets the channel
variable ``IVR_NODE`` (the simulated caller prints the path from it) and
appends a :class:`Step` to the trace. At a clean end it sets ``IVR_OUTCOME``
and ``IVR_DONE=1`` and hangs up; the dialplan sends any call that comes back
without ``IVR_DONE`` to the general agent queue, so a crash here still reaches
a person. A caller hanging up anywhere ends the run with ``HANGUP`` at that
node; a missing recording is logged and the flow goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime

from ivr.channel import CallerHungUp, Channel, CollectResult
from ivr.clock import Clock
from ivr.flow.agent_call import (
    CONNECT_AGI_VARIABLE,
    SurveySink,
    ask_score,
    screen_pop_variables,
)
from ivr.flow.calendar import WorkCalendar
from ivr.flow.desk_call import COMPLAINT_AREA, DeskCall, call_context
from ivr.flow.failures import Failures
from ivr.flow.model import (
    REPEAT,
    AnnouncementNode,
    Flow,
    GoodbyeNode,
    GreetingNode,
    HoursNode,
    MenuNode,
    Node,
    QueueNode,
    SurveyNode,
)
from ivr.flow.query_model import QueryNode
from ivr.flow.query_nodes import QueryRun
from ivr.flow.ticket_model import ComplaintNode, MessageNode, TicketNode
from ivr.flow.ticket_nodes import run_ticket_node
from ivr.prompts import PromptCatalog
from ivr.queries import QueryCall
from ivr.tickets.desk import TicketDesk
from ivr.trace import CallTrace, Outcome, OutcomeKind, Step

__all__ = ["MAX_STEPS", "FlowRunner"]

logger = logging.getLogger("ivr.flow.interpreter")

MAX_STEPS = 500
"""Node visits after which a call is ended as an error (a loop without input)."""

_Result = str | Outcome

_CALL_ID: ContextVar[str] = ContextVar("ivr_flow_call_id", default="-")
"""The uniqueid of the call being run in this task, for log lines deep in a
node handler (house style: every line names its call and node)."""


class FlowRunner:
    """Runs one flow on any number of calls (one :meth:`run` per call)."""

    def __init__(
        self,
        flow: Flow,
        calendar: WorkCalendar,
        clock: Clock,
        catalog: PromptCatalog | None = None,
        surveys: SurveySink | None = None,
        desk: TicketDesk | None = None,
        queries: QueryCall | None = None,
    ) -> None:
        self.flow = flow
        self.calendar = calendar
        self.clock = clock
        self.catalog = catalog
        self.surveys = surveys
        self.desk = desk
        """The ticket desk of the message, complaint, status and fax nodes;
        without one those nodes tell the caller the service is unavailable."""
        self.queries = queries

    def _now(self) -> datetime:
        return self.clock.now(self.flow.settings.zone)

    async def run(self, channel: Channel, trace: CallTrace) -> Outcome:
        """Run the flow from its start node until the call ends."""
        trace.flow_version = self.flow.version
        token = _CALL_ID.set(trace.uniqueid)
        try:
            outcome = await self._run(channel, trace)
            await self._finish(channel, trace, _with_last_queue(outcome, trace))
        finally:
            _CALL_ID.reset(token)
        return trace.outcome or outcome

    async def _run(self, channel: Channel, trace: CallTrace) -> Outcome:
        node_id = self.flow.start
        try:
            await channel.answer()
            return await self._walk(channel, trace, node_id)
        except CallerHungUp:
            # Hanging up in the survey is the normal end of an agent call.
            served = bool(trace.steps) and trace.steps[-1].kind == "survey"
            kind = OutcomeKind.QUEUE if served else OutcomeKind.HANGUP
            outcome = Outcome(kind, node_id=_last_node(trace, node_id))
            logger.info(
                "call %s: caller hung up at %s", trace.uniqueid, outcome.node_id
            )
            _close_step(trace, self._now(), "hangup")
            return outcome

    async def _walk(self, channel: Channel, trace: CallTrace, node_id: str) -> Outcome:
        for _ in range(MAX_STEPS):
            node = self.flow.node(node_id)
            step = Step(node.id, node.kind, entered_at=self._now())
            trace.steps.append(step)
            await channel.set_variable("IVR_NODE", node.id)
            result = await self._enter(channel, node, step, trace)
            step.left_at = self._now()
            if isinstance(result, Outcome):
                return result
            node_id = result
        logger.error("call %s: more than %d steps", trace.uniqueid, MAX_STEPS)
        return Outcome(OutcomeKind.ERROR, node_id=node_id, detail="too many steps")

    async def _enter(
        self, channel: Channel, node: Node, step: Step, trace: CallTrace
    ) -> _Result:
        match node:
            case GreetingNode():
                return await self._greeting(channel, node, step)
            case AnnouncementNode():
                return await self._announcement(channel, node, step)
            case MenuNode():
                return await self._menu(channel, node, step)
            case HoursNode():
                return await self._hours(channel, node, step)
            case QueueNode():
                return await self._queue(channel, node, step, trace)
            case GoodbyeNode():
                return await self._goodbye(channel, node, step)
            case SurveyNode():
                return await self._survey(channel, node, step, trace)
            case TicketNode():
                call = self._desk_call(channel, node, step, trace)
                return await run_ticket_node(call, node)
            case QueryNode():
                return await self._query(channel, node, step, trace)
        raise TypeError(f"no handler for node kind {node.kind!r}")

    def _desk_call(
        self, channel: Channel, node: TicketNode, step: Step, trace: CallTrace
    ) -> DeskCall:
        area = node.area if isinstance(node, MessageNode) else ""
        if isinstance(node, ComplaintNode):
            area = area or COMPLAINT_AREA
        holiday = self.calendar.holiday_name(self._now().date())
        context = call_context(trace, channel, area)
        return DeskCall(
            channel, step, self.desk, context, holiday, self._report_missing
        )

    async def _finish(
        self, channel: Channel, trace: CallTrace, outcome: Outcome
    ) -> None:
        trace.outcome = outcome
        trace.ended_at = self._now()
        if outcome.kind is OutcomeKind.ERROR:
            return
        await channel.set_variable("IVR_OUTCOME", outcome.kind.value)
        await channel.set_variable("IVR_DONE", "1")
        await channel.hangup()

    async def _play(self, channel: Channel, step: Step, prompts: Sequence[str]) -> None:
        step.prompts.extend(prompts)
        result = await channel.play(prompts)
        self._report_missing(step, result.missing)

    def _report_missing(self, step: Step, missing: Sequence[str]) -> None:
        for prompt in missing:
            logger.warning(
                "call %s: node %s: prompt %r could not be played",
                _CALL_ID.get(),
                step.node_id,
                prompt,
            )

    async def _greeting(
        self, channel: Channel, node: GreetingNode, step: Step
    ) -> _Result:
        now = self._now()
        prompts = [node.by_part[self.flow.settings.part_of_day(now.time())]]
        holiday = self.calendar.holiday_name(now.date())
        if holiday is not None:
            prompts += _holiday_prompt(node, holiday)
            step.result = f"holiday {holiday}"
        await self._play(channel, step, prompts)
        return node.next

    async def _announcement(
        self, channel: Channel, node: AnnouncementNode, step: Step
    ) -> _Result:
        await self._play(channel, step, node.prompts)
        return node.next

    async def _menu(self, channel: Channel, node: MenuNode, step: Step) -> _Result:
        today = self._now().date()
        menu = _DayMenu(node.options_on(today), node.prompts_on(today))
        failures = Failures()
        retry: tuple[str, ...] = ()
        while True:
            collected = await self._collect(channel, node, step, menu, retry)
            key = _key_of(collected)
            target = menu.options.get(key) if key else None
            if target == REPEAT:
                retry = ()
                continue
            if target is not None:
                step.result = f"key {key}"
                return target
            retry, gone = _after_failure(node, key, failures.add(key))
            if gone is not None:
                step.result = "no input" if not key else "invalid input"
                return gone

    async def _collect(
        self,
        channel: Channel,
        node: MenuNode,
        step: Step,
        menu: _DayMenu,
        retry: Sequence[str],
    ) -> CollectResult:
        prompts = [*retry, *menu.prompts]
        step.prompts.extend(prompts)
        collected = await channel.collect(
            prompts,
            max_digits=node.max_digits,
            first_timeout=node.timeout,
            terminators="" if "#" in menu.options else "#",
        )
        step.keys += _key_of(collected)
        self._report_missing(step, collected.missing)
        return collected

    async def _hours(self, channel: Channel, node: HoursNode, step: Step) -> _Result:
        now = self._now()
        working = self.calendar.is_working_day(now.date())
        is_open = working and self.flow.settings.in_service_hours(now.time())
        step.result = "open" if is_open else "closed"
        return node.open if is_open else node.closed

    async def _queue(
        self, channel: Channel, node: QueueNode, step: Step, trace: CallTrace
    ) -> _Result:
        if node.prompts:
            await self._play(channel, step, node.prompts)
        language = channel.info.language
        for name, value in screen_pop_variables(trace, node, language).items():
            await channel.set_variable(name, value)
        connect_agi = await channel.get_variable(CONNECT_AGI_VARIABLE) or ""
        result = await channel.queue(node.queue, timeout=node.timeout, agi=connect_agi)
        status = result.status or ("answered" if result.answered else "no status")
        step.result = f"{node.queue} {status}"
        step.queue, step.queue_status = node.queue, result.status
        if result.answered and node.answered:
            return node.answered
        if result.answered:
            return Outcome(
                OutcomeKind.QUEUE, node.id, queue=node.queue, queue_status=result.status
            )
        return node.on_status.get(result.status, node.next)

    async def _goodbye(
        self, channel: Channel, node: GoodbyeNode, step: Step
    ) -> _Result:
        holiday = self.calendar.holiday_name(self._now().date())
        closing = node.closing_on(holiday)
        await self._play(channel, step, [*node.prompts, *closing])
        return Outcome(OutcomeKind(node.outcome), node.id)

    async def _survey(
        self, channel: Channel, node: SurveyNode, step: Step, trace: CallTrace
    ) -> _Result:
        score, missing = await ask_score(channel, node, step)
        self._report_missing(step, missing)
        step.result = "no score" if score is None else f"score {score}"
        if score is not None and self.surveys is not None:
            await self.surveys.record_survey(trace.uniqueid, score, self._now())
        holiday = self.calendar.holiday_name(self._now().date())
        thanks = node.thanks if score is not None else ()
        await self._play(channel, step, [*thanks, *node.closing_on(holiday)])
        # The caller was served by an agent: the call counts as a queue call,
        # with the queue and QUEUESTATUS filled in by _with_last_queue.
        return Outcome(OutcomeKind.QUEUE, node.id)

    async def _query(
        self, channel: Channel, node: QueryNode, step: Step, trace: CallTrace
    ) -> _Result:
        def report(missing: Sequence[str]) -> None:
            self._report_missing(step, missing)

        run = QueryRun(self.queries, channel, node, step, trace, self._now, report)
        return await run.run()


def _key_of(collected: CollectResult) -> str:
    """The key pressed; a bare ``#`` ends ``GET DATA`` with no digits.

    res_agi.c's GET DATA treats ``#`` as its terminator and returns an empty
    result, which differs from silence only in not having timed out.
    """
    if not collected.digits and not collected.timed_out:
        return "#"
    return collected.digits


@dataclass(frozen=True, slots=True)
class _DayMenu:
    """A menu as offered on the day of the call: campaign items in or out.

    Taken once when the caller enters the menu, so the keys accepted always
    match the prompts heard, even across midnight.
    """

    options: Mapping[str, str]
    prompts: tuple[str, ...]


def _after_failure(
    node: MenuNode, key: str, failures: Failures
) -> tuple[tuple[str, ...], str | None]:
    """The re-prompt to play, or the node to leave for after the last try.

    ``node.retries`` re-prompts are allowed in all, silences and wrong keys
    together; the failure after them leaves by the kind of that last failure.
    The re-prompt line is picked by the count of its own kind, so a silence
    after a wrong key hears the first silence line, not the second.
    """
    if failures.total > node.retries:
        return (), node.on_invalid if key else node.on_no_input
    return failures.line(key, node.invalid if key else node.no_input), None


def _holiday_prompt(node: GreetingNode, holiday: str) -> list[str]:
    prompt = node.holidays.get(holiday) or node.holidays.get("other")
    return [prompt] if prompt else []


def _with_last_queue(outcome: Outcome, trace: CallTrace) -> Outcome:
    """Name the last queue tried on an outcome that ended elsewhere.

    A caller whose queue timed out and who then heard a goodbye (or hung up)
    is reported with that queue and its QUEUESTATUS, so reports can count
    calls that reached no agent.
    """
    if outcome.queue:
        return outcome
    tried = [step for step in trace.steps if step.queue]
    if not tried:
        return outcome
    return replace(outcome, queue=tried[-1].queue, queue_status=tried[-1].queue_status)


def _last_node(trace: CallTrace, default: str) -> str:
    return trace.steps[-1].node_id if trace.steps else default


def _close_step(trace: CallTrace, now: datetime, result: str) -> None:
    if trace.steps and trace.steps[-1].left_at is None:
        trace.steps[-1].left_at = now
        trace.steps[-1].result = trace.steps[-1].result or result
