"""What the query tests leave behind, for the privacy scan that runs last.

The query tests (``tests/queries`` and the calls through the running
service in ``tests/service/test_service_queries.py``) record here every
full ID number, PIN and certificate number they key, right or wrong
(:data:`SECRETS`, by :func:`remember_keyed`), how the demo backend's answers
are read aloud (:data:`SPOKEN_ANSWERS`, by :func:`remember_demo_answers`),
every log line written while
they run (:data:`LOG_LINES`, by :func:`collecting_logs`), the databases
they write (:data:`DATABASES`), the HTTP replies they receive, the
backends' and the service's own (:data:`REPLIES`), and the Redis servers
they count in (:data:`REDIS_URLS`). ``tests/zz_privacy`` collects after
every other folder and checks that no secret appears in any of them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from ivr.flow import Flow, QueryNode
from ivr.flow.query_answers import speak_field
from ivr.queries import DEMO_PEOPLE
from ivr.queries.demo_backend import DEMO_CERTIFICATES

SECRETS: set[str] = set()
"""Full ID numbers (as keyed and as stored) and PINs used by the tests."""
LOG_LINES: list[str] = []
"""Every formatted log line (with tracebacks) emitted during query tests."""
DATABASES: list[str] = []
"""SQLAlchemy URLs of the databases the query tests wrote."""
REPLIES: list[str] = []
"""Bodies of the HTTP replies the query tests received."""
REDIS_URLS: list[str] = []
"""Redis servers whose query keys the tests wrote."""
SPOKEN_ANSWERS: set[str] = set()
"""The demo backend's answer values (months paid, amounts, months, dates) as
the flow reads them: their speech pieces, one space between, e.g.
``num-1 unit-bai num-8 unit-shi num-2 unit-geyue``. The caller hears them;
a call record or log line that spells one out holds personal data."""
DEMO_ANSWERS = (
    *(person.contributions for person in DEMO_PEOPLE),
    *(person.pension for person in DEMO_PEOPLE),
    *(certificate["fields"] for certificate in DEMO_CERTIFICATES.values()),
)
"""Every answer the demo backend gives, field by field."""
_NOT_A_PIECE = re.compile(r"[^a-z0-9<>-]+")


KEYED_SECRET_LENGTH = 6
"""Keyed entries this long or longer are numbers a caller keyed in a query
(ID numbers, PINs, certificate numbers), never menu choices."""


def remember_keyed(keys: Iterable[str | None]) -> None:
    """Note the numbers among a call's keyed entries (``#`` ends left out)."""
    for entry in keys:
        number = (entry or "").rstrip("#")
        if len(number) >= KEYED_SECRET_LENGTH and number.replace("*", "").isdigit():
            remember_secret(number)


@contextmanager
def collecting_logs() -> Iterator[None]:
    """Keep every log record, DEBUG included, in :data:`LOG_LINES` meanwhile."""
    handler = EvidenceHandler()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def remember_secret(*values: str) -> None:
    """Note personal values a test keys, in every spelling they could take."""
    for value in values:
        SECRETS.update({value, value.replace("*", "X"), value.replace("*", "x")})


def remember_demo_answers(flow: Flow) -> None:
    """Note how ``flow``'s query nodes read each demo answer's values.

    A ``text`` field is left out: it is read as the one prompt of its
    value, which the flow's own listing (``/flow``, the knowledge base)
    names too.
    """
    for node in flow.nodes.values():
        items = node.say if isinstance(node, QueryNode) else ()
        for item in (item for item in items if item.kind != "text"):
            for answer in DEMO_ANSWERS:
                spoken = speak_field(item, answer.get(item.name))
                if spoken:
                    SPOKEN_ANSWERS.add(" ".join(spoken))


def as_pieces(text: str) -> str:
    """``text`` as the run of prompt ids it holds, one space between (quotes,
    commas and brackets of a stored list left out), with a space each end."""
    return f" {_NOT_A_PIECE.sub(' ', text.lower()).strip()} "


class EvidenceHandler(logging.Handler):
    """Keeps every log record, formatted with its traceback, in LOG_LINES."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        """Format and keep the record (arguments included)."""
        LOG_LINES.append(self.format(record))
