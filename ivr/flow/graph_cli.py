"""``ivr graph``: write a picture of a flow file (SVG or HTML) for ops.

The flow is loaded and checked as ``ivr check`` does; a flow with errors is
not drawn (its errors are printed instead), so the picture always shows a
flow the service would run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ivr.flow.check_cli import PROMPTS_FOLDER
from ivr.flow.checker import load_flow
from ivr.flow.graph import lay_out
from ivr.flow.graph_svg import render_html, render_svg
from ivr.flow.problems import Severity
from ivr.prompts import PromptCatalog, PromptCatalogError

__all__ = ["FORMATS", "graph_main"]

FORMATS = (".svg", ".html")
"""The picture formats, chosen by the output file's suffix."""


def graph_main(
    path: str,
    output: str | None = None,
    prompts_dir: str | None = None,
    *,
    out: TextIO | None = None,
) -> int:
    """Draw the flow ``path`` into ``output`` (default: ``<flow name>.svg``).

    Prompt ids are shown with the first words of their Mandarin script when
    the catalog (``prompts_dir``, default the ``prompts`` folder beside the
    flow) can be read. Returns 0 when the picture was written, 1 when the
    flow has errors, 2 for an output suffix other than ``.svg``/``.html``.
    """
    stream = out or sys.stdout
    flow_file = Path(path)
    target = Path(output) if output else Path(f"{flow_file.stem}.svg")
    if target.suffix.lower() not in FORMATS:
        print(f"{target}: error: write .svg or .html", file=stream)
        return 2
    folder = Path(prompts_dir) if prompts_dir else flow_file.parent / PROMPTS_FOLDER
    catalog = _catalog(folder)
    flow, problems = load_flow(path, catalog)
    if flow is None:
        for problem in problems:
            if problem.severity is Severity.ERROR:
                print(problem, file=stream)
        print(f"{path}: not drawn; fix the errors (see `ivr check`)", file=stream)
        return 1
    layout = lay_out(flow, catalog)
    html = target.suffix.lower() == ".html"
    text = render_html(layout) if html else render_svg(layout)
    target.write_text(text, encoding="utf-8")
    print(f"{target}: {len(flow.nodes)} nodes, {len(layout.edges)} edges", file=stream)
    return 0


def _catalog(folder: Path) -> PromptCatalog | None:
    try:
        return PromptCatalog.load(folder)
    except PromptCatalogError:
        return None
