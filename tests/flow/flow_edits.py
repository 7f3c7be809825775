"""Broken copies of the shipped menus.yaml, and where their problems are.

Checker tests change one snippet of the real file and assert the exact
``menus.yaml:line:col`` a problem is reported at, computed from where the
changed text sits in the copy.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flow_fakes import MENUS

from ivr.flow import Problem, Severity, load_flow
from ivr.prompts import PromptCatalog

TODAY = date(2026, 3, 1)


def broken_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    """Write menus.yaml with ``old`` (found once) replaced by ``new``."""
    text = MENUS.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"snippet not unique: {old!r}"
    path = tmp_path / "menus.yaml"
    changed = text.replace(old, new)
    path.write_text(changed, encoding="utf-8")
    return path, changed


def where_in(text: str, snippet: str, offset: int = 0, nth: int = 0) -> str:
    """``menus.yaml:line:col`` of ``snippet`` (plus ``offset`` characters)."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(snippet, index + 1)
    index += offset
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"menus.yaml:{line}:{column}"


def check_lines(path: Path, catalog: PromptCatalog | None) -> list[str]:
    """Every problem of the flow at ``path``, printed with a relative file."""
    flow, problems = load_flow(path, catalog, today=TODAY)
    lines = [str(problem).replace(str(path), "menus.yaml", 1) for problem in problems]
    if any(problem.severity is Severity.ERROR for problem in problems):
        assert flow is None
    return lines


def errors_of(lines: list[str]) -> list[str]:
    """The error lines among ``lines``."""
    return [line for line in lines if ": error: " in line]


def relative(problem: Problem, path: Path) -> str:
    """``problem`` printed with ``path`` shown as ``menus.yaml``."""
    return str(problem).replace(str(path), "menus.yaml", 1)
