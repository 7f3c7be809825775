"""The ``tickets`` configuration section (issue 6), kept apart from ``ivr.config``.

Besides scalars it holds a list of fax documents, which the loader turns
into :class:`FaxDocumentSettings` with :func:`parse_fax_documents`; rules
joining several keys are in :func:`ticket_problems`. Field metadata follows
``ivr.config``'s form: a ``test`` the value must pass and what is
``expected``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import yaml

from ivr.fax_numbers import is_area_code

__all__ = [
    "FaxAreaCodes",
    "FaxDocumentSettings",
    "FaxDocuments",
    "ShapeError",
    "TicketsSettings",
    "parse_fax_area_codes",
    "parse_fax_documents",
    "ticket_problems",
]


def _rule(test: Callable[[Any], bool], expected: str) -> dict[str, Any]:
    return {"test": test, "expected": expected}


_SECONDS = _rule(lambda v: v > 0, "a number of seconds greater than 0")
_POSITIVE = _rule(lambda v: v > 0, "a whole number greater than 0")
_NOT_EMPTY = _rule(bool, "a non-empty string")
_DIGITS = _rule(
    lambda v: v == "" or (v.isascii() and v.isdigit() and len(v) <= 6),
    "up to six digits 0-9 (may be empty)",
)
_RECORDING_FORMATS = ("wav", "wav49", "gsm", "ulaw", "alaw", "sln")
_FORMAT = _rule(
    lambda v: v in _RECORDING_FORMATS, "one of " + ", ".join(_RECORDING_FORMATS)
)
_WORKING_DAYS = _rule(
    lambda v: 1 <= v <= 60, "a whole number of working days from 1 to 60"
)
_RECORD_SECONDS = _rule(
    lambda v: 0 < v <= 600, "a number of seconds above 0, at most 600"
)
_NODE = _rule(lambda v: 0 <= v <= 9, "a single digit 0-9 telling hosts apart")
_SEQUENCE = _rule(lambda v: 3 <= v <= 7, "a whole number from 3 to 7")
_AREA_CODES = _rule(
    lambda v: all(is_area_code(code) for code in v),
    'mainland area codes with their 0, in quotes, e.g. ["010", "0755"]',
)


@dataclass(frozen=True, slots=True)
class FaxDocumentSettings:
    """One document callers may ask for by fax (``tickets.fax_documents``)."""

    key: str
    id: str
    title: str
    path: str
    prompt: str = ""


FaxDocuments = tuple[FaxDocumentSettings, ...]
"""The type of ``tickets.fax_documents`` (the loader converts lists to it)."""

FaxAreaCodes = tuple[str, ...]
"""The type of ``tickets.fax_area_codes``: empty, any mainland area code."""


@dataclass(frozen=True, slots=True)
class TicketsSettings:
    """Voice messages, complaints and fax requests (issue 6; norm art. 26, 32, 35).

    ``recordings_dir`` must be the folder Asterisk records messages to (a
    shared path when Asterisk runs elsewhere); ``spool_dir`` keeps pending
    entries while the database is down. ``*_days`` are working days until
    the promised reply. Fax sending needs ``fax_context``, the dialplan
    context that runs SendFAX. Faxes go to mainland fixed lines only
    (:mod:`ivr.fax_numbers`), of ``fax_area_codes`` where it names any, and
    one calling number may ask for ``fax_per_caller_day`` faxes a day.
    """

    prefix: str = field(default="12", metadata=_DIGITS)
    node: int = field(default=0, metadata=_NODE)
    sequence_digits: int = field(default=4, metadata=_SEQUENCE)
    state_file: str = field(default=".ivr-ticket-sequence", metadata=_NOT_EMPTY)
    recordings_dir: str = field(default="ivr-messages", metadata=_NOT_EMPTY)
    recording_format: str = field(default="wav", metadata=_FORMAT)
    min_seconds: float = field(default=2.0, metadata=_RECORD_SECONDS)
    max_seconds: float = field(default=180.0, metadata=_RECORD_SECONDS)
    silence_seconds: float = field(default=5.0, metadata=_RECORD_SECONDS)
    message_days: int = field(default=3, metadata=_WORKING_DAYS)
    complaint_days: int = field(default=3, metadata=_WORKING_DAYS)
    fax_days: int = field(default=3, metadata=_WORKING_DAYS)
    department_days: int = field(default=3, metadata=_WORKING_DAYS)
    spool_dir: str = field(default=".ivr-ticket-spool", metadata=_NOT_EMPTY)
    reconcile_interval_seconds: float = field(default=300.0, metadata=_SECONDS)
    grace_seconds: float = field(default=900.0, metadata=_SECONDS)
    database_timeout_seconds: float = field(default=2.0, metadata=_SECONDS)
    retention_days: int = field(default=180, metadata=_POSITIVE)
    fax_documents: FaxDocuments = ()
    fax_area_codes: FaxAreaCodes = field(default=(), metadata=_AREA_CODES)
    fax_per_caller_day: int = field(default=3, metadata=_POSITIVE)
    fax_sending: bool = False
    fax_context: str = ""
    fax_station_id: str = ""


class ShapeError(Exception):
    """A structured value (the list of documents) has the wrong shape."""


_REQUIRED = {"key", "id", "title", "path"}


def parse_fax_documents(value: object) -> FaxDocuments:
    """A list of document mappings (YAML, or YAML text from the environment)."""
    try:
        items = yaml.safe_load(value) if isinstance(value, str) else value
    except yaml.YAMLError as error:
        raise ShapeError(f"not a YAML list of documents: {error}") from error
    if not isinstance(items, list):
        raise ShapeError("expected a list of documents (key, id, title, path)")
    names = {f.name for f in fields(FaxDocumentSettings)}
    documents = []
    for index, item in enumerate(items, 1):
        if not isinstance(item, Mapping) or not _REQUIRED <= set(item):
            raise ShapeError(f"document {index}: needs key, id, title and path")
        if set(item) - names:
            raise ShapeError(f"document {index}: unknown {sorted(set(item) - names)}")
        documents.append(FaxDocumentSettings(**{k: str(v) for k, v in item.items()}))
    return tuple(documents)


def parse_fax_area_codes(value: object) -> FaxAreaCodes:
    """Area codes from a YAML list, or ``"010,0755"`` from the environment.

    A YAML number is refused: unquoted, ``010`` reads as the octal 8.
    """
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ShapeError('expected a list of area codes, e.g. ["010", "0755"]')
    if not all(isinstance(item, str) for item in items):
        raise ShapeError('write each area code in quotes, e.g. ["010", "0755"]')
    return tuple(item.strip() for item in items)


def ticket_problems(tickets: TicketsSettings) -> list[str]:
    """What is wrong across keys, each as ``"tickets.<key>: problem"``."""
    problems = []
    if tickets.max_seconds <= tickets.min_seconds:
        problems.append("tickets.max_seconds: must be longer than min_seconds")
    if tickets.fax_sending and not tickets.fax_context:
        problems.append("tickets.fax_context: needed when fax_sending is true")
    keys = [document.key for document in tickets.fax_documents]
    ids = {document.id for document in tickets.fax_documents}
    if any(len(key) != 1 or key not in "123456789" for key in keys):
        problems.append("tickets.fax_documents: each key must be one digit 1-9")
    if len(set(keys)) != len(keys) or len(ids) != len(keys):
        problems.append("tickets.fax_documents: keys and ids must be unique")
    return problems
