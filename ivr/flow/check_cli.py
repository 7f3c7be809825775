"""``ivr check``: print every problem in a flow file, compiler style.

The ``ivr`` command (``ivr.cli``) wires this in; it is kept here so the check
can be run and tested without the rest of the service.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from ivr.flow.checker import KnownQueries, load_flow
from ivr.flow.fax_check import check_fax_documents
from ivr.flow.model import Flow
from ivr.flow.problems import Severity
from ivr.flow.prompt_check import coverage_notes
from ivr.flow.query_model import QueryNode
from ivr.prompts import PromptCatalog, PromptCatalogError
from ivr.queries.backend_config import query_names, url_exposures
from ivr.queries.errors import BackendConfigError
from ivr.ticket_settings import FaxDocumentSettings

__all__ = ["BACKENDS_FILE", "PROMPTS_FOLDER", "check_main"]

BACKENDS_FILE = "config/backends.yaml"
"""The backends file looked for when the configuration names none."""

PROMPTS_FOLDER = "prompts"
"""The prompts folder looked for beside the flow file when none is given."""


def check_main(
    path: str,
    prompts_dir: str | None = None,
    *,
    backends_file: str | None = None,
    fax_documents: Sequence[FaxDocumentSettings] | None = None,
    fax_origin: str = "embedded default",
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
    prompt ids. Query nodes are checked against ``backends_file`` (default
    ``config/backends.yaml``; a relative path is looked for in the working
    folder, then beside the flow file); when there is none, a warning says
    their names are unchecked. ``fax_documents`` (set at ``fax_origin``) are
    the configuration's, checked as start-up checks them
    (:func:`~ivr.flow.fax_check.check_fax_documents`); ``None`` leaves them
    out. Returns 1 when there is an error, 0 otherwise; warnings alone do
    not fail the check.
    """
    stream = out or sys.stdout
    flow_file = Path(path)
    if not flow_file.is_file():
        print(_missing_file(path, flow_file), file=stream)
        print(f"{path}: 1 error; nothing was checked", file=stream)
        return 1
    folder = Path(prompts_dir) if prompts_dir else flow_file.parent / PROMPTS_FOLDER
    catalog, catalog_errors = _catalog(folder, stream)
    backends = _backends_path(flow_file, backends_file or BACKENDS_FILE)
    queries, backend_errors = _known_queries(backends, stream)
    flow, problems = load_flow(path, catalog, today=today, queries=queries)
    if fax_documents is not None:
        problems += check_fax_documents(flow, catalog, fax_documents, fax_origin)
    notes = coverage_notes(catalog) if catalog is not None else []
    for problem in [*problems, *notes]:
        print(problem, file=stream)
    unchecked = backends is None and _has_queries(flow)
    if unchecked:
        print(_unchecked(path, flow_file, backends_file or BACKENDS_FILE), file=stream)
    flow_errors = sum(problem.severity is Severity.ERROR for problem in problems)
    errors = flow_errors + catalog_errors + backend_errors
    warnings = len(problems) - flow_errors + unchecked
    verdict = _verdict(flow is not None and not flow_errors, catalog is not None)
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


def _backends_path(flow_file: Path, name: str) -> Path | None:
    """The backends file: ``name`` in the working folder, else beside the flow."""
    given = Path(name)
    places = [given] if given.is_absolute() else [given, flow_file.parent / given]
    return next((place for place in places if place.is_file()), None)


def _known_queries(
    backends: Path | None, stream: TextIO
) -> tuple[KnownQueries | None, int]:
    """The backends file's names, or ``None`` (and one error if it is wrong)."""
    if backends is None:
        return None, 0
    try:
        path = str(backends)
        return KnownQueries(query_names(path), path, url_exposures(path)), 0
    except BackendConfigError as exc:
        print(
            f"{exc}; the query nodes' backend and query names were not checked",
            file=stream,
        )
        return None, 1


def _has_queries(flow: Flow | None) -> bool:
    nodes = flow.nodes.values() if flow is not None else ()
    return any(isinstance(node, QueryNode) for node in nodes)


def _unchecked(path: str, flow_file: Path, name: str) -> str:
    beside = flow_file.parent.absolute() / name
    return (
        f"{path}: warning: no backends file ({name} in {Path.cwd()} or {beside}); "
        "the query nodes' backend and query names are unchecked "
        "(give it with --backends)"
    )


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
