"""Where one call's time goes: the engine under cProfile while it takes calls.

The engine runs as usual (``ivr serve``) but under ``python -m cProfile``;
the load generator places the calls; SIGINT stops the service, which drains
and exits, and cProfile writes its statistics. Figures are divided by the
number of calls to give a per-call hot path.
"""

from __future__ import annotations

import io
import pstats
import re
from pathlib import Path
from typing import Any

from .loadgen import LoadSpec
from .runner import load
from .servers import ROOT, start_server

__all__ = ["by_package", "profile_engine", "top_functions"]


def profile_engine(
    folder: Path, calls: int, *, pace: float = 0.0, ramp_seconds: float = 0.0
) -> dict[str, Any]:
    """Profile the engine over ``calls`` calls; return the top functions."""
    profile_file = folder / "engine.prof"
    engine = start_server("engine", folder, profile_to=profile_file)
    try:
        spec = LoadSpec(
            "127.0.0.1",
            engine.port,
            calls,
            calls,
            pace=pace,
            ramp_seconds=ramp_seconds,
            prompts_dir=str(ROOT / "prompts"),
        )
        result = load(spec)
    finally:
        engine.stop()
    stats = pstats.Stats(str(profile_file))
    return {
        "calls": result["completed"],
        "pace": pace,
        "cumulative": top_functions(stats, "cumulative", result["completed"]),
        "tottime": top_functions(stats, "tottime", result["completed"]),
        "packages": by_package(stats),
        "text": _as_text(stats),
    }


def top_functions(stats: pstats.Stats, key: str, calls: int, limit: int = 25) -> list:
    """The ``limit`` functions first by ``key``, with per-call milliseconds.

    ``share`` is the fraction of the profile's total time spent in the function
    (cumulative or own, per ``key``).
    """
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1.0
    index = 3 if key == "cumulative" else 2
    ranked = sorted(raw.items(), key=lambda item: item[1][index], reverse=True)
    rows = []
    for (file, line, name), entry in ranked[:limit]:
        seconds = entry[index]
        rows.append(
            {
                "function": f"{_short(file)}:{line}({name})",
                "ncalls": entry[1],
                "ms_per_call": seconds * 1000 / max(calls, 1),
                "share": seconds / total,
            }
        )
    return rows


def by_package(stats: pstats.Stats) -> dict[str, float]:
    """Share of the engine's own (not cumulative) time per package, largest first.

    Own time adds up to the whole, unlike cumulative time, which coroutines
    and greenlets count more than once.
    """
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(entry[2] for entry in raw.values()) or 1.0
    shares: dict[str, float] = {}
    for (file, _line, name), entry in raw.items():
        package = _package(file, name)
        shares[package] = shares.get(package, 0.0) + entry[2] / total
    return dict(sorted(shares.items(), key=lambda item: item[1], reverse=True))


def _package(file: str, name: str) -> str:
    if file == "~":
        return "built-ins: " + name.split(" of ")[-1].strip("'>").split("'")[0]
    short = _short(file)
    if short.startswith("stdlib: "):
        return short.split("/")[0].removesuffix(".py")
    if short.startswith("ivr/"):
        return "/".join(short.split("/")[:2])
    return short.split("/")[0].split(".")[0] if "/" in short else short


def _short(file: str) -> str:
    if "/site-packages/" in file:
        return file.split("/site-packages/", 1)[1]
    if file.startswith(str(ROOT) + "/"):
        return file[len(str(ROOT)) + 1 :]
    stdlib = re.search(r"/lib/python3\.\d+/(.*)", file)
    return "stdlib: " + stdlib.group(1) if stdlib else file


def _as_text(stats: pstats.Stats) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(30)
    return out.getvalue()
