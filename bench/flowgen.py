"""A generated 1,000-node flow: how long checking and loading it takes.

The generated ``menus.yaml`` keeps the shipped settings and welcome, then
hangs a tree of menus (nine choices each, ``*`` back to the parent) with
announcements as leaves, every node with its own prompt in a copy of the
catalog. :func:`measure_flow_load` times :func:`ivr.flow.load_flow` (read
with positions, check, build) against a plain ``yaml.safe_load`` of the same
file, the least any loader must do.
"""

from __future__ import annotations

import re
import shutil
import statistics
import time
from collections import deque
from pathlib import Path
from typing import Any

import yaml

from ivr.flow import load_flow
from ivr.prompts import PromptCatalog

from .servers import ROOT

__all__ = ["generate_flow", "measure_flow_load"]

_KEYS = "123456789"
_FIXED = ("welcome", "goodbye-no-input", "goodbye-invalid")


def generate_flow(folder: Path, nodes: int = 1000) -> Path:
    """Write ``menus.yaml`` with ``nodes`` nodes and its prompts; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    shipped = (ROOT / "menus.yaml").read_text("utf-8")
    settings = shipped.split("\nnodes:\n", 1)[0]
    tree = _tree(nodes - len(_FIXED))
    lines = [settings, "nodes:", *_fixed_nodes(shipped)]
    for node_id, node in tree.items():
        lines += _node_yaml(node_id, node)
    path = folder / "menus.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_prompts(folder / "prompts", tree)
    return path


def _tree(count: int) -> dict[str, dict[str, Any]]:
    """A breadth-first tree: menus until the budget allows only leaves."""
    tree: dict[str, dict[str, Any]] = {"gen-0000": {"kind": "menu", "parent": None}}
    waiting = deque(["gen-0000"])
    while waiting and len(tree) < count:
        parent = waiting.popleft()
        options = {}
        for key in _KEYS:
            if len(tree) >= count:
                break
            child = f"gen-{len(tree):04d}"
            # Enough menus to hold the rest as leaves, then leaves.
            kind = (
                "menu" if len(tree) + 9 * len(waiting) + 9 < count else "announcement"
            )
            tree[child] = {"kind": kind, "parent": parent}
            options[key] = child
            if kind == "menu":
                waiting.append(child)
        tree[parent]["options"] = options
    return tree


def _fixed_nodes(shipped: str) -> list[str]:
    """The shipped welcome and goodbyes, as written (comments and all)."""
    lines = shipped.splitlines()
    out: list[str] = []
    for name in _FIXED:
        start = lines.index(f"  {name}:")
        end = start + 1
        while end < len(lines) and not re.match(r"  \S", lines[end]):
            end += 1
        out += lines[start:end]
    return [line.replace("next: recording-notice", "next: gen-0000") for line in out]


def _node_yaml(node_id: str, node: dict[str, Any]) -> list[str]:
    lines = [f"  {node_id}:", f"    kind: {node['kind']}", f"    prompts: {node_id}"]
    if node["kind"] == "announcement":
        return [*lines, f"    next: {node['parent']}"]
    lines.append("    options:")
    for key, child in node.get("options", {}).items():
        lines.append(f'      "{key}": {child}')
    if node["parent"] is not None:
        lines.append(f'      "*": {node["parent"]}')
    return [*lines, '      "#": repeat']


def _write_prompts(folder: Path, tree: dict[str, dict[str, Any]]) -> None:
    (folder / "zh").mkdir(parents=True, exist_ok=True)
    shipped = ROOT / "prompts"
    text = (shipped / "prompts.yaml").read_text("utf-8")
    extra = [f'{node_id}: "请按键选择第{n}项服务。"' for n, node_id in enumerate(tree)]
    (folder / "prompts.yaml").write_text(text + "\n" + "\n".join(extra) + "\n", "utf-8")
    for wav in (shipped / "zh").glob("*.wav"):
        shutil.copy(wav, folder / "zh" / wav.name)
    sample = shipped / "zh" / "closing.wav"
    for node_id in tree:
        (folder / "zh" / f"{node_id}.wav").symlink_to(sample)


def measure_flow_load(
    folder: Path, nodes: int = 1000, repeats: int = 5
) -> dict[str, Any]:
    """Median seconds of ``load_flow`` and of ``yaml.safe_load``, and their ratio."""
    path = generate_flow(folder, nodes)
    catalog = PromptCatalog.load(folder / "prompts")
    flow, problems = load_flow(path, catalog)
    errors = [str(p) for p in problems if p.severity == "error"]
    if flow is None or errors:
        raise RuntimeError("the generated flow has errors:\n" + "\n".join(errors[:10]))
    text = path.read_text("utf-8")
    checked = _median_seconds(
        lambda: load_flow(path, PromptCatalog.load(folder / "prompts")), repeats
    )
    plain = _median_seconds(lambda: yaml.safe_load(text), repeats)
    return {
        "nodes": len(flow.nodes),
        "file_bytes": len(text.encode("utf-8")),
        "load_flow_ms": checked * 1000,
        "yaml_safe_load_ms": plain * 1000,
        "ratio": checked / plain if plain else 0.0,
        "warnings": len(problems),
    }


def _median_seconds(action: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
