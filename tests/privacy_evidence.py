"""What the query tests leave behind, for the privacy scan that runs last.

The query tests (``tests/queries`` and the calls through the running
service in ``tests/service/test_service_queries.py``) record here every
full ID number, PIN and certificate number they key, right or wrong
(:data:`SECRETS`, by :func:`remember_keyed`), every log line written while
they run (:data:`LOG_LINES`, by :func:`collecting_logs`), the databases
they write (:data:`DATABASES`), the HTTP replies they receive, the
backends' and the service's own (:data:`REPLIES`), and the Redis servers
they count in (:data:`REDIS_URLS`). ``tests/zz_privacy`` collects after
every other folder and checks that no secret appears in any of them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

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


class EvidenceHandler(logging.Handler):
    """Keeps every log record, formatted with its traceback, in LOG_LINES."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        """Format and keep the record (arguments included)."""
        LOG_LINES.append(self.format(record))
