"""Check the configured fax documents against the flow and the prompts.

The documents callers may ask for by fax are configuration
(``tickets.fax_documents``), not ``menus.yaml``, so the flow's own checks
never saw them. :func:`check_fax_documents` adds what ``ivr check``, start-up
and reload report about them:

- a document whose ``prompt`` the catalog lacks is an error, like any
  unknown prompt id: the fax node would play nothing for that option;
- a document without a prompt is a warning: callers are not told its key;
- a ``fax`` node while no document is configured is a warning at the node:
  every caller who picks it hears that faxes are not offered.

Problems about a document point at ``origin``, where the configuration set
``tickets.fax_documents`` (``file:line:column``, or a label such as the
environment variable), and name the document's id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ivr.flow.model import Flow
from ivr.flow.problems import Problem, Severity, suggest
from ivr.flow.ticket_model import FaxNode
from ivr.prompts import PromptCatalog
from ivr.ticket_settings import FaxDocumentSettings

__all__ = ["check_fax_documents"]

_FILE_POSITION = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+)$")


def check_fax_documents(
    flow: Flow | None,
    catalog: PromptCatalog | None,
    documents: Sequence[FaxDocumentSettings],
    origin: str,
) -> list[Problem]:
    """Problems of ``documents`` (set at ``origin``) for ``flow``.

    With ``catalog`` ``None`` (it could not be read) the prompt ids are not
    checked; with ``flow`` ``None`` (it has errors) nor are its fax nodes.
    """
    problems = _document_prompts(catalog, documents, origin)
    if flow is not None and not documents:
        problems += [_no_documents(node, origin) for node in _fax_nodes(flow)]
    return problems


def _document_prompts(
    catalog: PromptCatalog | None,
    documents: Sequence[FaxDocumentSettings],
    origin: str,
) -> list[Problem]:
    problems = []
    for document in documents:
        what = f"tickets.fax_documents: document {document.id!r}"
        if not document.prompt:
            message = f"{what} has no prompt, so callers are not told its key"
            problems.append(_at(origin, Severity.WARNING, message))
        elif catalog is not None and not catalog.has(document.prompt):
            hint = suggest(document.prompt, catalog.ids)
            message = (
                f"{what} names prompt {document.prompt!r}, which is not in "
                f"{catalog.path.name}{hint}; callers would hear nothing for it: "
                "add its script there or fix the id"
            )
            problems.append(_at(origin, Severity.ERROR, message))
    return problems


def _fax_nodes(flow: Flow) -> list[FaxNode]:
    return [node for node in flow.nodes.values() if isinstance(node, FaxNode)]


def _no_documents(node: FaxNode, origin: str) -> Problem:
    message = (
        f"fax node {node.id!r} has no document to offer (tickets.fax_documents "
        f"is empty: {origin}), so every caller who picks it hears that faxes "
        "are not offered; configure documents (README: 'Fax documents') or "
        "take the option out of the menu"
    )
    pos = node.pos
    return Problem(Severity.WARNING, pos.file, pos.line, pos.column, message)


def _at(origin: str, severity: Severity, message: str) -> Problem:
    """A problem at ``origin``: its file and position when it has them."""
    found = _FILE_POSITION.match(origin)
    if found is None:
        return Problem(severity, origin, 1, 1, message)
    line, column = int(found["line"]), int(found["column"])
    return Problem(severity, found["file"], line, column, message)
