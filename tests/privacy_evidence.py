"""What the query tests leave behind, for the privacy scan that runs last.

The query tests (``tests/queries``) record here the full ID numbers and PINs
they key (:data:`SECRETS`), every log line written while they run
(:data:`LOG_LINES`), the databases they write (:data:`DATABASES`) and the
HTTP replies they receive (:data:`REPLIES`). ``tests/zz_privacy`` collects
after every other folder and checks that no secret appears in any of them.
"""

from __future__ import annotations

import logging

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
