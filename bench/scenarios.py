"""The calls the benchmark places: a mix of realistic trips through the flow.

Each :class:`Scenario` is one caller's keys at one local time, ending in a
queue hand-off, a goodbye or a hang-up. The mix is placed round-robin, so
every N carries the same proportions. Paced calls take each prompt's real
audio length (the WAV files in ``prompts/zh``) and a think time before each
key, both scaled by the pace factor.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ivr.sim import CallSetup, PromptLibrary, QueueOutcome, ScriptedCaller
from ivr.sim.cli import call_arguments

__all__ = [
    "CALLER_NUMBER",
    "KEY_PAUSE_SECONDS",
    "SCENARIOS",
    "Scenario",
    "prompt_library",
    "scenario_arg",
]

CALLER_NUMBER = "13800000000"
KEY_PAUSE_SECONDS = 2.0
"""A caller's think time before each key, in call seconds (before pacing)."""

WORKING_MORNING = "2026-10-08 09:30"
EVENING = "2026-10-08 20:00"
_ARG_PREFIX = "bench="


@dataclass(frozen=True, slots=True)
class Scenario:
    """One kind of call: keys for each digit request, and when it happens."""

    name: str
    keys: str
    at: str = WORKING_MORNING
    agent_answers: bool = True

    def setup(self) -> CallSetup:
        """The call as Asterisk presents it; the last argument names the scenario.

        The service ignores ``bench=``; the minimal responder uses it to pick
        the command sequence it replays.
        """
        args = [*call_arguments(self.at, CALLER_NUMBER), _ARG_PREFIX + self.name]
        return CallSetup(args=tuple(args), callerid=CALLER_NUMBER)

    def caller(self, pause: float = KEY_PAUSE_SECONDS) -> ScriptedCaller:
        """A fresh scripted caller for one call of this scenario."""
        queue = QueueOutcome() if self.agent_answers else _NOBODY_ANSWERS
        return ScriptedCaller(self.keys, queue=queue, pause=pause)


_NOBODY_ANSWERS = QueueOutcome(answered_after=None, status="TIMEOUT")

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("pension-claim-hangup", "1 2 !"),
    Scenario("employment-then-agent", "2 1 * 0"),
    Scenario("labour-agent", "3 0"),
    Scenario("card-electronic-hangup", "5 3 !"),
    Scenario("direct-agent", "0"),
    Scenario("silent-goodbye", "_ _ _"),
    Scenario("complaints-overflow", "6 0", agent_answers=False),
    Scenario("after-hours-self-service", "0 1 1 1 !", at=EVENING),
)
"""The mix: four hand-offs to a queue, three hang-ups, one silent caller."""


def scenario_arg(args: list[str]) -> str | None:
    """The scenario name carried in a call's AGI arguments, if any."""
    for arg in args:
        if arg.startswith(_ARG_PREFIX):
            return arg[len(_ARG_PREFIX) :]
    return None


def prompt_library(prompt_dir: Path, language: str = "zh") -> PromptLibrary:
    """Every prompt exists; each lasts as long as its WAV file in ``prompt_dir``."""
    lengths = {
        path.stem: _wav_seconds(path)
        for path in sorted((prompt_dir / language).glob("*.wav"))
    }

    def seconds(name: str) -> float | None:
        return lengths.get(PurePosixPath(name).name)

    return PromptLibrary(seconds=seconds)


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()
