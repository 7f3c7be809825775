"""``ivr check``: print every problem in a flow file, compiler style.

The ``ivr`` command (``ivr.cli``) wires this in; it is kept here so the check
can be run and tested without the rest of the service.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TextIO

from ivr.flow.checker import load_flow
from ivr.flow.problems import Severity
from ivr.prompts import PromptCatalog, PromptCatalogError

__all__ = ["check_main"]


def check_main(
    path: str,
    prompts_dir: str,
    *,
    today: date | None = None,
    out: TextIO | None = None,
) -> int:
    """Check ``path`` against the catalog in ``prompts_dir``; print the result.

    Prints one ``file:line:col: severity: message`` line per problem and a
    summary. Returns 1 when there is an error (or the catalog is unusable),
    0 otherwise; warnings alone do not fail the check.
    """
    stream = out or sys.stdout
    try:
        catalog = PromptCatalog.load(prompts_dir)
    except PromptCatalogError as exc:
        print(f"{exc}", file=stream)
        print("1 error: the prompt catalog cannot be read", file=stream)
        return 1
    flow, problems = load_flow(path, catalog, today=today)
    for problem in problems:
        print(problem, file=stream)
    errors = sum(problem.severity is Severity.ERROR for problem in problems)
    warnings = len(problems) - errors
    print(_summary(path, errors, warnings, flow is not None), file=stream)
    return 1 if errors else 0


def _summary(path: str, errors: int, warnings: int, loaded: bool) -> str:
    counts = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
    verdict = "the flow can be loaded" if loaded else "the flow cannot be loaded"
    return f"{path}: {counts}; {verdict}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
