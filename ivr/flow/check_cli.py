"""``ivr check``: print every problem in a flow file, compiler style.

The ``ivr`` command (``ivr.cli``) wires this in; it is kept here so the check
can be run and tested without the rest of the service.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from ivr.flow.checker import load_flow
from ivr.flow.problems import Severity
from ivr.flow.prompt_check import coverage_notes
from ivr.prompts import PromptCatalog, PromptCatalogError

__all__ = ["PROMPTS_FOLDER", "check_main"]

PROMPTS_FOLDER = "prompts"
"""The prompts folder looked for beside the flow file when none is given."""


def check_main(
    path: str,
    prompts_dir: str | None = None,
    *,
    today: date | None = None,
    out: TextIO | None = None,
) -> int:
    """Check the flow file ``path``; print the result; return the exit status.

    ``prompts_dir`` is the folder holding ``prompts.yaml``; ``None`` means the
    ``prompts`` folder beside the flow file, so the check gives the same
    answer from any working folder. Prints one ``file:line:col: severity:
    message`` line per problem, a note per language naming the prompts it
    lacks (they fall back to Mandarin), and a summary. A flow file that does not exist
    is reported as such and nothing else is checked. A catalog that cannot be
    read is one error (printed first); the flow is still checked, all but its
    prompt ids. Returns 1 when there is an error, 0 otherwise; warnings alone
    do not fail the check.
    """
    stream = out or sys.stdout
    flow_file = Path(path)
    if not flow_file.is_file():
        print(_missing_file(path, flow_file), file=stream)
        print(f"{path}: 1 error; nothing was checked", file=stream)
        return 1
    folder = Path(prompts_dir) if prompts_dir else flow_file.parent / PROMPTS_FOLDER
    catalog, catalog_errors = _catalog(folder, stream)
    flow, problems = load_flow(path, catalog, today=today)
    notes = coverage_notes(catalog) if catalog is not None else []
    for problem in [*problems, *notes]:
        print(problem, file=stream)
    flow_errors = sum(problem.severity is Severity.ERROR for problem in problems)
    errors = flow_errors + catalog_errors
    warnings = len(problems) - flow_errors
    verdict = _verdict(flow is not None, catalog is not None)
    counts = _counts(errors, warnings, len(notes))
    print(f"{path}: {counts}; {verdict}", file=stream)
    return 1 if errors else 0


def _missing_file(path: str, flow_file: Path) -> str:
    if flow_file.exists():
        return f"{path}: error: this is a folder; give the path of the flow file"
    return (
        f"{path}: error: there is no such file (looked for {flow_file.absolute()}); "
        "give the path of the flow file, e.g. menus.yaml"
    )


def _catalog(folder: Path, stream: TextIO) -> tuple[PromptCatalog | None, int]:
    """The catalog, or ``None`` and one error line saying why it is unusable."""
    try:
        return PromptCatalog.load(folder), 0
    except PromptCatalogError as exc:
        print(
            f"{exc.where}: error: {exc.reason}; "
            "the prompt ids in the flow were not checked",
            file=stream,
        )
        return None, 1


def _verdict(loaded: bool, prompts_checked: bool) -> str:
    if not loaded:
        return "the flow cannot be loaded"
    if not prompts_checked:
        return "the flow has no other error, but its prompts are unchecked"
    return "the flow can be loaded"


def _counts(errors: int, warnings: int, notes: int) -> str:
    counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    return f"{counts}, {_plural(notes, 'note')}" if notes else counts


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
