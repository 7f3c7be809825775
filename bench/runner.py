"""The sweep: every server, mode and N, one fresh server process per point.

For each point the server starts idle, its CPU time and memory are read,
the load generator (another process) places the calls, and the server is
read again and stopped. The minimal responder replays the command lines the
engine wrote for each scenario, recorded once at the start of the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

from .loadgen import LoadSpec
from .scenarios import SCENARIOS
from .servers import ROOT, MemorySampler, ServerProcess, start_server

__all__ = ["SweepOptions", "load", "record_sequences", "run_point", "run_sweep"]

MODES = ("saturation", "paced")
TARGETS = ("engine", "minimal", "classic")


@dataclass
class SweepOptions:
    """What to run.

    ``classic_cap`` bounds open classic calls (processes) and
    ``classic_calls`` how many classic calls a point places. Paced calls
    arrive spread over ``ramp_seconds``, not in lockstep.
    """

    sizes: list[int] = field(default_factory=lambda: [100, 1000, 5000])
    modes: list[str] = field(default_factory=lambda: list(MODES))
    targets: list[str] = field(default_factory=lambda: list(TARGETS))
    pace: float = 0.02
    classic_cap: int = 200
    classic_calls: int = 400
    connect_limit: int = 100
    ramp_seconds: float = 2.0


def load(spec: LoadSpec) -> dict[str, Any]:
    """Run the load generator in its own process and return its result."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"],
        input=json.dumps(asdict(spec)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def record_sequences(work: Path) -> Path:
    """One call per scenario through the engine; save each one's command lines."""
    engine = start_server("engine", work / "record")
    try:
        spec = LoadSpec("127.0.0.1", engine.port, len(SCENARIOS), 1, record=True)
        result = load(spec)
    finally:
        engine.stop()
    if result["failed"]:
        raise RuntimeError(f"recording calls failed: {result}")
    path = work / "sequences.json"
    path.write_text(json.dumps(result["sequences"], indent=1), encoding="utf-8")
    return path


def run_point(
    target: str, mode: str, n: int, options: SweepOptions, work: Path, sequences: Path
) -> dict[str, Any]:
    """Measure one server in one mode with ``n`` calls; return the figures."""
    calls, concurrency = n, n
    if target == "classic":
        calls = min(n, options.classic_calls)
        concurrency = min(calls, options.classic_cap)
    folder = work / f"{target}-{mode}-{n}"
    server = start_server(target, folder, sequences=sequences)
    try:
        spec = LoadSpec(
            "127.0.0.1",
            server.port,
            calls,
            concurrency,
            pace=options.pace if mode == "paced" else 0.0,
            connect_limit=options.connect_limit,
            ramp_seconds=options.ramp_seconds if mode == "paced" else 0.0,
            prompts_dir=str(ROOT / "prompts"),
        )
        before = server.cpu_seconds()
        with MemorySampler(server) as memory:
            result = load(spec)
            if target == "classic":
                _wait_for_children(server)
        cpu = server.cpu_seconds() - before
    finally:
        server.stop()
    return _figures(target, mode, n, result, cpu, memory, concurrency)


def _wait_for_children(server: ServerProcess, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    parent = psutil.Process(server.process.pid)
    while parent.children() and time.monotonic() < deadline:
        time.sleep(0.1)


def _figures(
    target: str,
    mode: str,
    n: int,
    result: dict[str, Any],
    cpu: float,
    memory: MemorySampler,
    concurrency: int,
) -> dict[str, Any]:
    completed = max(result["completed"], 1)
    growth = max(memory.peak - memory.idle, 0)
    return {
        "target": target,
        "mode": mode,
        "n": n,
        "calls": result["calls"],
        "concurrency": concurrency,
        "completed": result["completed"],
        "failed": result["failed"],
        "failures": result["failures"],
        "wall_seconds": result["wall_seconds"],
        "calls_per_second": result["calls_per_second"],
        "commands": result["commands"],
        "think_ms": result["think_ms"],
        "cpu_seconds": cpu,
        "cpu_ms_per_call": cpu * 1000 / completed,
        "max_open_calls": result["max_open"],
        "rss_idle_mb": memory.idle / 2**20,
        "rss_peak_mb": memory.peak / 2**20,
        "rss_kb_per_open_call": growth / 1024 / max(result["max_open"], 1),
    }


def run_sweep(options: SweepOptions, progress: Any = print) -> list[dict[str, Any]]:
    """Run every point of the sweep; return the figures in run order."""
    points = []
    with tempfile.TemporaryDirectory(prefix="ivr-bench-") as tmp:
        work = Path(tmp)
        sequences = record_sequences(work)
        for n in options.sizes:
            for mode in options.modes:
                for target in options.targets:
                    point = run_point(target, mode, n, options, work, sequences)
                    progress(_progress_line(point))
                    points.append(point)
    return points


def _progress_line(point: dict[str, Any]) -> str:
    think = point["think_ms"]
    return (
        f"  {point['target']:<8} {point['mode']:<10} N={point['n']:<5} "
        f"{point['completed']}/{point['calls']} calls "
        f"in {point['wall_seconds']:.1f} s, "
        f"{point['calls_per_second']:.0f} calls/s, think p99 {think['p99']:.2f} ms"
    )
