"""Dialplan applications that ``EXEC`` can run on the emulated channel.

Only the applications a FastAGI IVR uses are here: Playback, Queue, Wait,
NoOp, Set, Answer and Hangup. Any other name is a missing application
(``pbx_findapp()`` fails, handle_exec() answers ``result=-2``). Queue follows
queue_exec() in apps/app_queue.c for the channel variables it leaves behind.
"""

from __future__ import annotations

from .behaviour import QueueOutcome, QueueRequest
from .channel_model import STATE_UP
from .context import CallContext, scan_int

__all__ = ["Applications"]

_JOIN_FAILURES = {
    "JOINEMPTY": "no agent logged in",
    "JOINUNAVAIL": "no agent available",
    "FULL": "the queue is full",
}
_NO_AUDIO_NEEDED = frozenset({"noop", "set"})
_DEFAULT_QUEUE_WAIT = 60.0


class Applications:
    """The applications known to the emulated Asterisk."""

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx

    async def run(self, app: str, data: str, *, dead: bool) -> int:
        """Run ``app`` with ``data``; return what pbx_exec() would."""
        name = app.lower()
        runner = {
            "playback": self._playback,
            "queue": self._queue,
            "wait": self._wait,
            "noop": self._noop,
            "set": self._set,
            "answer": self._answer,
            "hangup": self._hangup,
        }.get(name)
        if runner is None:
            return -2
        if dead and name not in _NO_AUDIO_NEEDED:
            return -1
        return await runner(data)

    async def _noop(self, data: str) -> int:
        return 0

    async def _set(self, data: str) -> int:
        name, _, value = data.partition("=")
        self.ctx.model.set_variable(name.strip(), value)
        return 0

    async def _answer(self, data: str) -> int:
        self.ctx.model.state = STATE_UP
        return 0

    async def _hangup(self, data: str) -> int:
        self.ctx.model.hang_up("service")
        return -1

    async def _wait(self, data: str) -> int:
        try:
            await self.ctx.spend(max(0.0, float(data or "0")))
        except ValueError:
            return 0
        return 0

    async def _playback(self, data: str) -> int:
        # app_playback: files joined by '&'; a missing file is a warning and
        # PLAYBACKSTATUS=FAILED, not an error return.
        status = "SUCCESS"
        for name in data.partition(",")[0].split("&"):
            if not self.ctx.prompts.exists(name):
                self.ctx.model.record("prompt", name, "missing")
                status = "FAILED"
                continue
            self.ctx.next_prompt_index()
            await self.ctx.spend(self.ctx.prompts.length(name))
            self.ctx.model.record("prompt", name, "played")
        self.ctx.model.set_variable("PLAYBACKSTATUS", status)
        return 0

    async def _queue(self, data: str) -> int:
        if not data:
            return -1
        request = _queue_request(data)
        self._reset_queue_variables()
        outcome = await self.ctx.caller.on_queue(request)
        return await QueueCall(self.ctx, request, outcome).run()

    def _reset_queue_variables(self) -> None:
        # queue_exec() empties these first so stale values cannot leak.
        for name in ("ANSWEREDTIME", "DIALEDTIME", "QUEUEWAIT"):
            self.ctx.model.set_variable(name, "")
            self.ctx.model.set_variable(f"{name}_MS", "")
        self.ctx.model.unset("ABANDONED")


def _queue_request(data: str) -> QueueRequest:
    parts = data.split(",")
    queue = parts[0]
    options = parts[1] if len(parts) > 1 else ""
    timeout = scan_int(parts[4]) if len(parts) > 4 and parts[4] else None
    return QueueRequest(queue, options, None if timeout is None else float(timeout))


class QueueCall:
    """One caller's stay in a queue, from join to return."""

    def __init__(
        self, ctx: CallContext, request: QueueRequest, outcome: QueueOutcome
    ) -> None:
        self.ctx = ctx
        self.request = request
        self.outcome = outcome
        self.model = ctx.model

    async def run(self) -> int:
        """Spend the queue's time, set its variables, return Queue's result."""
        if self.outcome.answered_after is None:
            return await self._unanswered()
        return await self._answered(self.outcome.answered_after)

    def _duration(self, name: str, seconds: float) -> None:
        # set_duration_var(): NAME in whole seconds, NAME_MS in milliseconds.
        self.model.set_variable(name, str(int(seconds)))
        self.model.set_variable(f"{name}_MS", str(int(seconds * 1000)))

    def _leave(self, waited: float, answered: float = 0.0) -> None:
        # The "stop:" block of queue_exec() fills whatever is still empty.
        if not self.model.variables.get("QUEUEWAIT"):
            self._duration("QUEUEWAIT", waited)
        if not self.model.variables.get("DIALEDTIME"):
            self._duration("DIALEDTIME", self.model.clock)
        if not self.model.variables.get("ANSWEREDTIME"):
            self._duration("ANSWEREDTIME", answered)

    async def _unanswered(self) -> int:
        status = self.outcome.status
        queue = self.request.queue
        if status in _JOIN_FAILURES:
            self.model.record("queue", queue, f"{status}: {_JOIN_FAILURES[status]}")
            self.model.set_variable("QUEUESTATUS", status)
            return 0
        waited = self.request.timeout or _DEFAULT_QUEUE_WAIT
        if self.outcome.caller_hangs_up:
            return await self._abandon(waited / 2)
        await self.ctx.spend(waited)
        self.model.record("queue", queue, f"{self._why_unanswered()}: {status}")
        self.model.set_variable("ABANDONED", "TRUE")
        self._leave(waited)
        self.model.set_variable("QUEUESTATUS", status)
        return 0

    def _why_unanswered(self) -> str:
        waited = self.request.timeout or _DEFAULT_QUEUE_WAIT
        if self.outcome.members_ring:
            return f"{self.outcome.member} rang, nobody answered in {waited:g} s"
        return f"no agent free in {waited:g} s"

    async def _abandon(self, waited: float) -> int:
        await self.ctx.spend(waited)
        self.model.record(
            "queue", self.request.queue, f"caller hung up after {waited:g} s"
        )
        self.model.set_variable("ABANDONED", "TRUE")
        self.model.hang_up("caller")
        self._leave(waited)
        return -1

    async def _answered(self, after: float) -> int:
        outcome = self.outcome
        await self.ctx.spend(after)
        self._duration("QUEUEWAIT", after)
        if outcome.set_interface_vars:
            self.model.set_variable("MEMBERINTERFACE", outcome.interface)
            self.model.set_variable("MEMBERNAME", outcome.member)
        await self.ctx.spend(outcome.talk_seconds)
        self.model.record(
            "queue",
            self.request.queue,
            f"answered by {outcome.member} after {after:g} s, "
            f"talked {outcome.talk_seconds:g} s",
        )
        # end_bridge_callback(): talk time and call duration when the bridge ends.
        self._duration("ANSWEREDTIME", outcome.talk_seconds)
        self._duration("DIALEDTIME", self.model.clock)
        if outcome.caller_hangs_up:
            self.model.hang_up("caller")
            return -1
        if "c" not in self.request.options:
            # Without 'c' the bridge's end is Queue's end: it returns -1 and
            # leaves QUEUESTATUS unset (reason QUEUE_UNKNOWN).
            return -1
        self.model.set_variable("QUEUESTATUS", "CONTINUE")
        return 0
