"""Call records: what each call did, stored in SQLite or PostgreSQL.

``migrate(url)`` brings the schema up to date at start-up;
:class:`CallRecordWriter` stores :class:`~ivr.trace.CallTrace` objects in the
background without ever making a caller wait for the database.
"""

from ivr.records.errors import MigrationError, RecordsError, WriterStateError
from ivr.records.migrate import migrate
from ivr.records.store import RecordStore
from ivr.records.versions import FlowVersionStore, StoredVersion
from ivr.records.writer import CallRecordWriter

__all__ = [
    "CallRecordWriter",
    "FlowVersionStore",
    "MigrationError",
    "RecordStore",
    "RecordsError",
    "StoredVersion",
    "WriterStateError",
    "migrate",
]
