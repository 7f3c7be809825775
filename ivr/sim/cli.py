"""``ivr call``: place an emulated call and print what the caller hears.

With ``--keys`` each token answers one request for digits (see
``ivr.sim.script``); once the keys run out, every further request counts as
no input, so the flow's no-input escalation ends the call. Without
``--keys`` a person types each answer, in real time: a request's own timeout
applies (``GET DATA``'s, ``WAIT FOR DIGIT``'s), and a line not finished
within it is no input, as on a phone. If the service closes the call while
the person types, the wait ends and the closure is printed at once.

``--queue`` decides how every queue treats the caller (:data:`QUEUE_MODES`):
an agent answers, members ring and nobody answers (``TIMEOUT``), no agent is
free until the queue's timeout (``TIMEOUT``), or nobody is logged in
(``JOINEMPTY``); the last three let a person try the overflow path.

``--at`` must be ``YYYY-MM-DD HH:MM[:SS]`` (or the same with ``T``); it and
``--caller`` travel to the service as AGI arguments, in that
order and only when given::

    agi_arg_1: at=2026-10-08T09:00     (a space in --at becomes "T")
    agi_arg_2: caller=13800000000

The service honours them only when its configuration allows a clock
override; ``caller=`` is also sent as the call's caller ID.

The transcript shows each node (from the ``IVR_NODE`` variable the service
sets), each prompt with its Chinese text, the caller's keys, the queue
hand-off and the outcome (``IVR_OUTCOME``, ``IVR_DONE``). Exit status: 0 for
a call the service finished, 1 for an ``error`` outcome or a call closed
without ``IVR_DONE``, 2 when no service answers or ``--keys``, ``--at`` or
``--queue`` is malformed.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import PurePosixPath
from typing import TextIO

from ivr.privacy import mask_number

from .behaviour import CallerBehaviour, QueueOutcome
from .channel_model import CallLog, CallSetup, Event
from .context import PromptLibrary
from .emulator import FastAGIEmulator
from .errors import (
    CallerScriptError,
    InvalidCallTimeError,
    NoServiceError,
    UnknownQueueModeError,
)
from .script import InteractiveCaller, ScriptedCaller

__all__ = [
    "QUEUE_MODES",
    "TranscriptPrinter",
    "call_arguments",
    "parse_call_time",
    "place_call",
    "run_calls",
]

PromptText = Callable[[str], "str | None"]
_DEFAULT_CALLER = "13800000000"
_AT_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
)

QUEUE_MODES: dict[str, QueueOutcome] = {
    "answer": QueueOutcome(),
    "noanswer": QueueOutcome(answered_after=None, status="TIMEOUT", members_ring=True),
    "timeout": QueueOutcome(answered_after=None, status="TIMEOUT"),
    "empty": QueueOutcome(answered_after=None, status="JOINEMPTY"),
}
"""``ivr call --queue``: how every queue on the call treats the caller."""


def parse_call_time(text: str) -> datetime:
    """Check an ``--at`` value; raise :class:`InvalidCallTimeError` if it is bad.

    The service reads ``at=`` with ``datetime.fromisoformat`` and ignores a
    value it cannot read, so a typo must be refused here, not sent.
    """
    for fmt in _AT_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise InvalidCallTimeError(text)


def call_arguments(at: str | None, caller: str | None) -> list[str]:
    """The AGI arguments for ``--at`` and ``--caller`` (see the module doc)."""
    args = []
    if at:
        args.append("at=" + at.strip().replace(" ", "T", 1))
    if caller:
        args.append(f"caller={caller}")
    return args


_QUEUE_NOTES = {
    "queued": "keys pressed earlier, read now",
    "dropped": "keys pressed earlier, dropped",
}
"""How the transcript names keys read or dropped from the channel's queue."""


class TranscriptPrinter:
    """Prints a call's events for a person, as they happen."""

    def __init__(self, out: TextIO, prompt_text: PromptText) -> None:
        self.out = out
        self.prompt_text = prompt_text
        self.outcome: str | None = None
        self.done = False
        self._pending_keys = ""

    def on_event(self, event: Event) -> None:
        """Print one event (an emulator ``on_event`` listener)."""
        if not (event.kind == "keys" and event.name == "WAIT FOR DIGIT"):
            self._flush_keys()
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is not None:
            handler(event)

    def _print(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _flush_keys(self) -> None:
        if self._pending_keys:
            self._print(f"☎ keys: {self._pending_keys}")
            self._pending_keys = ""

    def _on_set(self, event: Event) -> None:
        if event.name == "IVR_NODE":
            self._print(f"\n[node] {event.value}")
        elif event.name == "IVR_OUTCOME":
            self.outcome = event.value
        elif event.name == "IVR_DONE":
            self.done = event.value not in ("", "0")

    def _text(self, name: str) -> str:
        text = self.prompt_text(name) or self.prompt_text(PurePosixPath(name).name)
        return text or ""

    def _on_prompt(self, event: Event) -> None:
        if event.value == "missing":
            self._print(f"♪ {event.name}  (missing sound file: caller hears nothing)")
            return
        text = self._text(event.name)
        if not text and event.name.startswith("/"):
            text = "(the caller's own recording)"
        line = f"♪ {event.name}  {text}".rstrip()
        if event.value.startswith("interrupted:"):
            line += f"  [interrupted by {event.value.partition(':')[2]}]"
        elif event.value == "hangup":
            line += "  [caller hangs up]"
        self._print(line)

    def _on_say(self, event: Event) -> None:
        self._print(f"♪ (says {event.name} {event.value})")

    def _on_keys(self, event: Event) -> None:
        if event.name in _QUEUE_NOTES:
            self._print(f"☎ {_QUEUE_NOTES[event.name]}: {event.value}")
        elif event.name == "WAIT FOR DIGIT" and event.value:
            self._pending_keys += event.value
        elif event.value:
            self._print(f"☎ keys: {event.value}")
        elif not self._pending_keys:
            self._print("☎ (no input)")
        self._flush_keys()

    def _on_queue(self, event: Event) -> None:
        self._print(f"→ queue {event.name} ({event.value})")

    def _on_record(self, event: Event) -> None:
        self._print(f"● recording {event.name} (ended by {event.value})")

    def _on_interrupted(self, event: Event) -> None:
        self._print(f"✆ the service closed the connection during {event.name}")

    def _on_hangup(self, event: Event) -> None:
        who = {"caller": "caller hangs up", "service": "service hangs up"}
        self._print(f"✆ {who.get(event.name, event.name + ' hangs up')}")

    def finish(self) -> int:
        """Print the outcome; return the exit status (see the module doc)."""
        self._flush_keys()
        if self.outcome and self.outcome.startswith("error"):
            self._print(f"\n✗ outcome: {self.outcome}")
            return 1
        if not self.done:
            self._print("\n✗ the service closed the call without setting IVR_DONE")
            return 1
        self._print(f"\n■ outcome: {self.outcome or '(not set)'}")
        return 0


async def place_call(
    *,
    host: str,
    port: int,
    keys: str | None,
    at: str | None,
    caller: str | None,
    script: str = "ivr",
    prompt_text: PromptText,
    out: TextIO,
    keyboard: TextIO | None = None,
    prompts: PromptLibrary | None = None,
    pace: float = 0.0,
    queue: str = "answer",
    err: TextIO | None = None,
    language: str = "zh",
) -> int:
    """Place one call and print its transcript to ``out``; return an exit status.

    With ``keys`` ``None`` the person types keys on ``keyboard`` (stdin).
    ``queue`` names a :data:`QUEUE_MODES` entry. Option errors go to ``err``
    (default ``out``) and give status 2 before anything is sent.
    """
    err = err or out
    try:
        _check_options(at, queue)
        behaviour = _behaviour(keys, keyboard, out, QUEUE_MODES[queue])
    except CallerScriptError as exc:
        err.write(f"bad --keys: {exc}\n")
        return 2
    except (InvalidCallTimeError, UnknownQueueModeError) as exc:
        err.write(f"{exc}\n")
        return 2
    setup = CallSetup(
        script=script,
        language=language,
        args=call_arguments(at, caller),
        callerid=caller or _DEFAULT_CALLER,
    )
    printer = TranscriptPrinter(out, prompt_text)
    emulator = FastAGIEmulator(
        host,
        port,
        behaviour,
        setup=setup,
        prompts=prompts,
        pace=pace,
        on_event=printer.on_event,
    )
    _print_header(out, emulator.setup, host, port)
    try:
        await emulator.run()
    except NoServiceError:
        err.write(f"no IVR service at {host}:{port}; start it with `ivr serve`\n")
        return 2
    finally:
        if isinstance(behaviour, InteractiveCaller):
            behaviour.close()
    return printer.finish()


def _check_options(at: str | None, queue: str) -> None:
    if at:
        parse_call_time(at)
    if queue not in QUEUE_MODES:
        raise UnknownQueueModeError(queue, list(QUEUE_MODES))


def _behaviour(
    keys: str | None, keyboard: TextIO | None, out: TextIO, queue: QueueOutcome
) -> CallerBehaviour:
    if keys is not None:
        return ScriptedCaller(keys, queue=queue)
    return InteractiveCaller(keyboard or sys.stdin, out, queue=queue)


def _print_header(out: TextIO, setup: CallSetup, host: str, port: int) -> None:
    details = [f"from {mask_number(setup.callerid)}"]
    details += [arg for arg in setup.args if arg.startswith("at=")]
    out.write(f"☏ calling agi://{host}:{port}/{setup.script} ({', '.join(details)})\n")


async def run_calls(
    n: int,
    *,
    host: str,
    port: int,
    keys: str = "",
    script: str = "ivr",
    args: list[str] | None = None,
    prompts: PromptLibrary | None = None,
    pace: float = 0.0,
) -> list[CallLog]:
    """Run ``n`` scripted calls at once; return each call's log, in order.

    Every call gets its own :class:`ScriptedCaller` with the same ``keys``. A
    call that fails (for instance :class:`NoServiceError`) fails the whole
    batch with an ``ExceptionGroup``.
    """

    def emulator() -> FastAGIEmulator:
        setup = CallSetup(script=script, args=list(args or []))
        caller = ScriptedCaller(keys)
        return FastAGIEmulator(
            host, port, caller, setup=setup, prompts=prompts, pace=pace
        )

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(emulator().run()) for _ in range(n)]
    return [task.result() for task in tasks]
