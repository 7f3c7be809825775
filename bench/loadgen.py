"""The load generator: N simulated calls at once, over TCP, in its own process.

It plays Asterisk with :class:`ivr.sim.FastAGIEmulator`, one emulator and
one :class:`ivr.sim.ScriptedCaller` per call, and measures the server's
*think time*: from the moment the emulator has written a reply (or the
environment block) to the moment the server's next command line arrives.
That is the time the server spends deciding what to do next, plus the
socket hop and any wait in either event loop under load.

Run as ``python -m bench.loadgen``: a JSON :class:`LoadSpec` on stdin, a JSON
result on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ivr.sim import Event, FastAGIEmulator, SimError

from .scenarios import SCENARIOS, Scenario, prompt_library
from .stats import summarize

__all__ = ["LoadSpec", "run_load"]

_BY_NAME = {scenario.name: scenario for scenario in SCENARIOS}


@dataclass(frozen=True, slots=True)
class LoadSpec:
    """What to place: ``calls`` calls, at most ``concurrency`` open at once.

    ``connect_limit`` bounds connections opened but not yet answered by a
    first command (a real switch's calls do not all arrive in one
    millisecond, and a listen backlog is finite: asyncio's default is 100).
    ``pace`` 0 is saturation; above 0 every modelled second (prompt audio,
    key pauses, queue waits) takes ``pace`` real seconds. ``ramp_seconds``
    spreads the call arrivals evenly over that many real seconds (0: all at
    once). ``record`` returns each scenario's command lines.
    """

    host: str
    port: int
    calls: int
    concurrency: int
    pace: float = 0.0
    connect_limit: int = 100
    ramp_seconds: float = 0.0
    scenarios: list[str] = field(default_factory=lambda: list(_BY_NAME))
    prompts_dir: str = "prompts"
    record: bool = False


class _Meter:
    """Think times and open calls, shared by every call of one run."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.open_calls = 0
        self.max_open = 0
        self.commands = 0

    def listener(self, on_accepted: Callable[[], None]) -> Callable[[Event], None]:
        """An ``on_event`` callback for one call.

        ``on_accepted`` runs at the first command: the server has accepted
        the connection and read the environment.
        """
        clock = time.perf_counter
        last: list[float | None] = [None]

        def on_event(event: Event) -> None:
            if event.kind == "command":
                if self.commands_of(last):
                    on_accepted()
                self.commands += 1
                if last[0] is not None:
                    self.samples.append(clock() - last[0])
                    last[0] = None
            elif event.kind in ("reply", "connect"):
                last[0] = clock()
                if event.kind == "connect":
                    self.opened()
            elif event.kind == "closed":
                self.open_calls -= 1

        return on_event

    @staticmethod
    def commands_of(last: list[float | None]) -> bool:
        """True once per call, at its first command (marks the list)."""
        if len(last) > 1:
            return False
        last.append(None)
        return True

    def opened(self) -> None:
        """A call's environment went out: it is open."""
        self.open_calls += 1
        self.max_open = max(self.max_open, self.open_calls)


async def run_load(spec: LoadSpec) -> dict[str, Any]:
    """Place every call of ``spec``; return counts, timings and think times."""
    meter = _Meter()
    prompts = prompt_library(Path(spec.prompts_dir))
    slots = asyncio.Semaphore(spec.concurrency)
    connecting = asyncio.Semaphore(spec.connect_limit)
    mix = [_BY_NAME[name] for name in spec.scenarios]
    sequences: dict[str, list[str]] = {}
    outcomes = {"completed": 0, "failed": 0}
    reasons: dict[str, int] = {}

    async def one_call(index: int) -> None:
        scenario = mix[index % len(mix)]
        if spec.ramp_seconds > 0:
            await asyncio.sleep(spec.ramp_seconds * index / spec.calls)
        async with slots:
            await connecting.acquire()
            released = [False]

            def on_accepted() -> None:
                released[0] = True
                connecting.release()

            try:
                log = await _place(scenario, spec, prompts, meter.listener(on_accepted))
            except (OSError, SimError) as exc:
                outcomes["failed"] += 1
                reasons[type(exc).__name__] = reasons.get(type(exc).__name__, 0) + 1
                return
            finally:
                if not released[0]:
                    connecting.release()
            done = bool(log.variables.get("IVR_DONE"))
            outcomes["completed" if done else "failed"] += 1
            if not done:
                why = f"no IVR_DONE, hung up by {log.hung_up_by}"
                reasons[why] = reasons.get(why, 0) + 1
            if spec.record:
                sequences[scenario.name] = [e.name for e in log.of_kind("command")]

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for index in range(spec.calls):
            group.create_task(one_call(index))
    wall = time.perf_counter() - started
    return {
        **outcomes,
        "calls": spec.calls,
        "wall_seconds": wall,
        "calls_per_second": outcomes["completed"] / wall if wall else 0.0,
        "commands": meter.commands,
        "max_open": meter.max_open,
        "think_ms": summarize([s * 1000 for s in meter.samples]),
        "sequences": sequences,
        "failures": reasons,
    }


async def _place(
    scenario: Scenario,
    spec: LoadSpec,
    prompts: Any,
    on_event: Callable[[Event], None],
) -> Any:
    emulator = FastAGIEmulator(
        spec.host,
        spec.port,
        scenario.caller(),
        setup=scenario.setup(),
        prompts=prompts,
        pace=spec.pace,
        on_event=on_event,
    )
    return await emulator.run()


def main() -> int:
    """Read a spec on stdin, place the calls, write the result on stdout."""
    spec = LoadSpec(**json.load(sys.stdin))
    result = asyncio.run(run_load(spec))
    result["spec"] = asdict(spec)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
