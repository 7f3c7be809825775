"""``python -m bench``: the benchmark's one command (``scripts/bench`` runs it).

Runs the sweep (engine, minimal responder, classic AGI; saturation and
paced; each N), the 1,000-node flow load and the engine profile, then prints
the table and writes ``results.json`` and ``curves.png`` to the output folder.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import tempfile
from pathlib import Path
from typing import Any

import psutil

from .flowgen import measure_flow_load
from .profiling import profile_engine
from .report import add_ratios, format_table, plot, write_json
from .runner import MODES, TARGETS, SweepOptions, run_sweep

_QUICK_SIZES = [20, 100]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "--sizes", default="100,1000,5000", help="N values (comma-separated)"
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"short run: N = {_QUICK_SIZES}"
    )
    parser.add_argument("--modes", default=",".join(MODES), help="saturation,paced")
    parser.add_argument(
        "--targets", default=",".join(TARGETS), help="engine,minimal,classic"
    )
    parser.add_argument(
        "--pace", type=float, default=0.02, help="real seconds per call second (paced)"
    )
    parser.add_argument(
        "--ramp",
        type=float,
        default=2.0,
        help="paced calls arrive over this many seconds",
    )
    parser.add_argument(
        "--classic-cap",
        type=int,
        default=200,
        help="most classic AGI processes at once",
    )
    parser.add_argument(
        "--classic-calls", type=int, default=200, help="most classic calls per point"
    )
    parser.add_argument(
        "--profile-calls", type=int, default=1000, help="calls under cProfile (0: skip)"
    )
    parser.add_argument(
        "--flow-nodes",
        type=int,
        default=1000,
        help="nodes in the generated flow (0: skip)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("bench/results"), help="output folder"
    )
    return parser


def _options(args: argparse.Namespace) -> SweepOptions:
    sizes = _QUICK_SIZES if args.quick else [int(n) for n in args.sizes.split(",")]
    return SweepOptions(
        sizes=sizes,
        modes=args.modes.split(","),
        targets=args.targets.split(","),
        pace=args.pace,
        ramp_seconds=args.ramp,
        classic_cap=args.classic_cap,
        classic_calls=min(args.classic_calls, 20) if args.quick else args.classic_calls,
    )


def _machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": psutil.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def _print_profile(profile: dict[str, Any]) -> None:
    print(f"\nengine profile, {profile['calls']} calls: own time by function (tottime)")
    for row in profile["tottime"][:15]:
        print(
            f"  {row['share'] * 100:5.1f}%  {row['ms_per_call']:7.3f} ms/call  "
            f"{row['function']}"
        )
    print("by package (own time):")
    for package, share in list(profile["packages"].items())[:12]:
        print(f"  {share * 100:5.1f}%  {package}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return 0."""
    args = _parser().parse_args(argv)
    options = _options(args)
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"sweep: N={options.sizes}, modes={options.modes}, pace={options.pace}")
    points = run_sweep(options)
    ratios = add_ratios(points)
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "command": " ".join(
            ["scripts/bench", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": _machine(),
        "options": vars(options),
        "points": points,
        "ratios": ratios,
    }
    write_json(args.out / "results.json", results)
    with tempfile.TemporaryDirectory(prefix="ivr-bench-") as tmp:
        if args.flow_nodes:
            results["flow_load"] = measure_flow_load(
                Path(tmp) / "flow", args.flow_nodes
            )
        if args.profile_calls:
            calls = min(args.profile_calls, 100) if args.quick else args.profile_calls
            results["profile"] = profile_engine(Path(tmp) / "profile", calls)
    print()
    print(format_table(points, ratios))
    if "flow_load" in results:
        f = results["flow_load"]
        print(
            f"\nflow of {f['nodes']} nodes: load_flow {f['load_flow_ms']:.1f} ms, "
            f"yaml.safe_load {f['yaml_safe_load_ms']:.1f} ms, ratio {f['ratio']:.2f}"
        )
    if "profile" in results:
        _print_profile(results["profile"])
        (args.out / "profile.txt").write_text(results["profile"].pop("text"), "utf-8")
    write_json(args.out / "results.json", results)
    plot(args.out / "curves.png", points)
    print(f"\nwrote {args.out / 'results.json'}, {args.out / 'curves.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
