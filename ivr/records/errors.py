"""Errors of the call-record package.

::

    RecordsError
    ├── MigrationError      the schema could not be brought to the newest revision
    └── WriterStateError    the writer was used before start() or after close()

Database faults while writing records are not raised to callers: the writer
retries them in the background (see ``ivr.records.writer``).
"""

from __future__ import annotations

__all__ = ["MigrationError", "RecordsError", "WriterStateError"]


class RecordsError(Exception):
    """Root of the call-record errors."""


class MigrationError(RecordsError):
    """Upgrading the database schema failed; the message names the database."""


class WriterStateError(RecordsError):
    """The writer was flushed before it started, or started twice."""
