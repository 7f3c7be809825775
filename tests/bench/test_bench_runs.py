"""The benchmark runs end to end with tiny N (no timing assertions)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

POINT_FIELDS = {
    "target",
    "mode",
    "n",
    "calls",
    "completed",
    "failed",
    "calls_per_second",
    "think_ms",
    "cpu_ms_per_call",
    "max_open_calls",
    "rss_kb_per_open_call",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Run ``python -m bench`` once: N = 5, both modes, every server."""
    out = tmp_path_factory.mktemp("bench")
    command = [
        sys.executable,
        "-m",
        "bench",
        "--sizes",
        "5",
        "--pace",
        "0.001",
        "--ramp",
        "0.05",
        "--classic-cap",
        "3",
        "--classic-calls",
        "3",
        "--profile-calls",
        "5",
        "--flow-nodes",
        "60",
        "--out",
        str(out),
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded: dict[str, object] = json.loads((out / "results.json").read_text("utf-8"))
    loaded["_stdout"] = done.stdout
    loaded["_out"] = str(out)
    return loaded


def test_every_server_and_mode_is_measured(results: dict[str, object]) -> None:
    """Six points (3 servers x 2 modes), each with every figure, all calls done."""
    points = results["points"]
    assert isinstance(points, list)

    assert {(p["target"], p["mode"]) for p in points} == {
        (target, mode)
        for target in ("engine", "minimal", "classic")
        for mode in ("saturation", "paced")
    }
    for point in points:
        assert POINT_FIELDS <= point.keys()
        assert point["failed"] == 0
        assert set(point["think_ms"]) == {"count", "p50", "p99", "max"}


def test_classic_is_capped(results: dict[str, object]) -> None:
    """Classic AGI places at most --classic-calls calls, --classic-cap at once."""
    points = results["points"]
    assert isinstance(points, list)

    classic = [p for p in points if p["target"] == "classic"]

    assert classic and all(p["calls"] == 3 and p["concurrency"] == 3 for p in classic)


def test_ratios_flow_load_and_profile_are_reported(results: dict[str, object]) -> None:
    """Engine/baseline ratios per mode, the flow-load ratio and a profile."""
    ratios = results["ratios"]
    flow = results["flow_load"]
    profile = results["profile"]
    assert isinstance(ratios, list) and isinstance(flow, dict)
    assert isinstance(profile, dict)

    assert {(r["mode"], r["baseline"]) for r in ratios} == {
        (mode, baseline)
        for mode in ("saturation", "paced")
        for baseline in ("minimal", "classic")
    }
    assert flow["nodes"] == 60 and flow["ratio"] > 0
    assert profile["tottime"] and profile["packages"]


def test_table_and_plot_are_written(results: dict[str, object]) -> None:
    """The table is printed; the PNG plot and profile text are in --out."""
    out = Path(str(results["_out"]))

    assert "engine / minimal" in str(results["_stdout"])
    assert (out / "curves.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "profile.txt").stat().st_size > 0
