"""A scripted fake channel and helpers shared by the flow tests.

:class:`ScriptedChannel` answers each ``collect`` with the next entry of a
script: a key string, ``SILENCE`` (no input) or ``HANG_UP``. It records every
prompt played, every variable set and every queue joined, so tests can assert
what the caller heard and where the call went.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ivr.channel import (
    CallerHungUp,
    CallInfo,
    CollectResult,
    PlayResult,
    QueueResult,
    RecordResult,
)
from ivr.trace import CallTrace, Outcome

REPO = Path(__file__).resolve().parents[2]
MENUS = REPO / "menus.yaml"
PROMPTS = REPO / "prompts"
SILENCE = None
HANG_UP = "<hang up>"


RunCall = Callable[["ScriptedChannel", datetime], Awaitable[tuple[Outcome, CallTrace]]]
"""The ``run_call`` fixture: run the shipped flow on a channel at a local time."""


def shared_dir() -> Path:
    """The shared material beside the repository (or ``IVR_SHARED_DIR``)."""
    env = os.environ.get("IVR_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


@dataclass
class ScriptedChannel:
    """A channel whose caller presses keys from a script."""

    script: list[str | None]
    queue_results: list[QueueResult] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    hang_up_on: str | None = None
    played: list[str] = field(default_factory=list)
    collects: list[list[str]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    nodes: list[str] = field(default_factory=list)
    queues: list[tuple[str, float]] = field(default_factory=list)
    queue_agis: list[str] = field(default_factory=list)
    answered: bool = False
    hung_up_by_flow: bool = False
    caller_gone: bool = False

    @property
    def info(self) -> CallInfo:
        """A fixed identity."""
        return CallInfo(uniqueid="1700000000.1", channel="PJSIP/test-00000001")

    @property
    def hung_up(self) -> bool:
        """True once the scripted caller or the flow hung up."""
        return self.caller_gone or self.hung_up_by_flow

    async def answer(self) -> None:
        """Note that the call was answered."""
        self.answered = True

    async def play(
        self, prompts: Sequence[str], *, escape_digits: str = ""
    ) -> PlayResult:
        """Record prompts; hang up on ``hang_up_on``."""
        return PlayResult(missing=self._hear(prompts))

    async def collect(
        self,
        prompts: Sequence[str],
        *,
        max_digits: int,
        first_timeout: float,
        inter_digit_timeout: float | None = None,
        terminators: str = "#",
    ) -> CollectResult:
        """Play prompts, then answer with the next scripted entry."""
        missing = self._hear(prompts)
        self.collects.append(list(prompts))
        entry = self.script.pop(0) if self.script else HANG_UP
        if entry == HANG_UP:
            self.caller_gone = True
            raise CallerHungUp("scripted hang-up while collecting")
        if entry is None:
            return CollectResult("", True, missing)
        if entry in terminators:
            return CollectResult("", False, missing)
        return CollectResult(entry, False, missing)

    def _hear(self, prompts: Sequence[str]) -> tuple[str, ...]:
        self._check_alive()
        for prompt in prompts:
            if prompt == self.hang_up_on:
                self.caller_gone = True
                raise CallerHungUp(f"scripted hang-up during {prompt}")
            self.played.append(prompt)
        return tuple(prompt for prompt in prompts if prompt in self.missing)

    def _check_alive(self) -> None:
        if self.hung_up:
            raise CallerHungUp("the call is over")

    async def record(
        self,
        path: str,
        *,
        fmt: str = "wav",
        max_seconds: float,
        silence_seconds: float | None = None,
        escape_digits: str = "#",
        beep: bool = True,
    ) -> RecordResult:
        """Not used by the flow."""
        raise AssertionError("the flow does not record")

    async def get_variable(self, name: str) -> str | None:
        """Read a variable set earlier."""
        return self.variables.get(name)

    async def set_variable(self, name: str, value: str) -> None:
        """Set a variable; keep the IVR_NODE history."""
        self.variables[name] = value
        if name == "IVR_NODE":
            self.nodes.append(value)

    async def queue(
        self,
        queue: str,
        *,
        timeout: float,
        options: str = "",
        announce: str = "",
        agi: str = "",
    ) -> QueueResult:
        """Join a queue; the next scripted queue result says how it ended."""
        self._check_alive()
        self.queues.append((queue, timeout))
        self.queue_agis.append(agi)
        if self.queue_results:
            return self.queue_results.pop(0)
        return QueueResult(queue, "JOINEMPTY")

    async def hangup(self) -> None:
        """The flow hung up."""
        self.hung_up_by_flow = True


def at(*args: int) -> datetime:
    """A naive local time, read in the flow's timezone by ``FixedClock``."""
    return datetime(*args)
