"""The results: ratios between servers, a printed table, JSON and a PNG plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["add_ratios", "format_table", "plot", "write_json"]

_BASELINES = ("minimal", "classic")


def _find(points: list[dict[str, Any]], target: str, mode: str, n: int) -> Any:
    for point in points:
        if (point["target"], point["mode"], point["n"]) == (target, mode, n):
            return point
    return None


def add_ratios(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Engine over each baseline, per mode and N: calls/s, think p99, CPU per call.

    A calls/s ratio below 1 means the engine completes fewer calls per second
    than the baseline; think-time and CPU ratios above 1 mean the engine is
    slower or costlier.
    """
    ratios = []
    for engine in (p for p in points if p["target"] == "engine"):
        for baseline in _BASELINES:
            other = _find(points, baseline, engine["mode"], engine["n"])
            if other is None:
                continue
            ratios.append(
                {
                    "mode": engine["mode"],
                    "n": engine["n"],
                    "baseline": baseline,
                    "calls_per_second": _ratio(
                        engine["calls_per_second"], other["calls_per_second"]
                    ),
                    "think_p99": _ratio(
                        engine["think_ms"]["p99"], other["think_ms"]["p99"]
                    ),
                    "cpu_per_call": _ratio(
                        engine["cpu_ms_per_call"], other["cpu_ms_per_call"]
                    ),
                }
            )
    return ratios


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def format_table(points: list[dict[str, Any]], ratios: list[dict[str, Any]]) -> str:
    """The figures per point, then the ratios, as fixed-width text."""
    head = (
        f"{'server':<8} {'mode':<10} {'N':>5} {'calls':>6} {'open':>5} "
        f"{'calls/s':>8} {'p50 ms':>7} {'p99 ms':>8} {'max ms':>8} "
        f"{'CPU ms/call':>11} {'KB/open call':>12}"
    )
    lines = [head, "-" * len(head)]
    for p in points:
        think = p["think_ms"]
        lines.append(
            f"{p['target']:<8} {p['mode']:<10} {p['n']:>5} {p['completed']:>6} "
            f"{p['max_open_calls']:>5} {p['calls_per_second']:>8.1f} "
            f"{think['p50']:>7.2f} "
            f"{think['p99']:>8.2f} {think['max']:>8.1f} {p['cpu_ms_per_call']:>11.2f} "
            f"{p['rss_kb_per_open_call']:>12.1f}"
        )
    lines += [
        "",
        f"{'engine / baseline':<18} {'mode':<10} {'N':>5} {'calls/s':>8} "
        f"{'think p99':>10} {'CPU/call':>9}",
    ]
    for r in ratios:
        lines.append(
            f"{'engine / ' + r['baseline']:<18} {r['mode']:<10} {r['n']:>5} "
            f"{_fmt(r['calls_per_second']):>8} {_fmt(r['think_p99']):>10} "
            f"{_fmt(r['cpu_per_call']):>9}"
        )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def write_json(path: Path, results: dict[str, Any]) -> None:
    """Write every figure, ratio, the flow-load and profile results."""
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


def plot(path: Path, points: list[dict[str, Any]]) -> None:
    """Calls per second and think-time p99 against N, one line per server and mode."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (rate, think) = plt.subplots(1, 2, figsize=(11, 4.5))
    for target in ("engine", "minimal", "classic"):
        for mode, style in (("saturation", "-o"), ("paced", "--s")):
            series = sorted(
                (p for p in points if p["target"] == target and p["mode"] == mode),
                key=lambda p: p["n"],
            )
            if not series:
                continue
            sizes = [p["n"] for p in series]
            label = f"{target}, {mode}"
            rate.plot(
                sizes, [p["calls_per_second"] for p in series], style, label=label
            )
            think.plot(
                sizes, [p["think_ms"]["p99"] for p in series], style, label=label
            )
    rate.set(
        xscale="log",
        yscale="log",
        xlabel="concurrent calls N",
        ylabel="calls per second",
    )
    think.set(
        xscale="log",
        yscale="log",
        xlabel="concurrent calls N",
        ylabel="think time p99 (ms)",
    )
    rate.legend(fontsize=7)
    for axes in (rate, think):
        axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
