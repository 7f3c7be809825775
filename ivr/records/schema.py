"""The call-record tables, as SQLAlchemy Core metadata.

The migrations in ``ivr/records/migrations`` create these tables; this module
is what the writer and queries use. The full caller number has no column: a
call keeps only its masked form and keyed hash (``ivr.privacy``).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["call_steps", "calls", "flow_versions", "metadata"]

metadata = MetaData()

calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), nullable=False, server_default=""),
    Column("uniqueid", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("flow_version", String(64), nullable=False, default=""),
    Column("caller_masked", String(32), nullable=False, default=""),
    Column("caller_hash", String(64), nullable=False, default=""),
    Column("channel", String(128), nullable=False, default=""),
    Column("language", String(16), nullable=False, default=""),
    Column("outcome_kind", String(16)),
    Column("outcome_node", String(64), nullable=False, default=""),
    Column("queue", String(64), nullable=False, default=""),
    Column("queue_status", String(32), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_calls_session_id", "session_id", unique=True),
    Index("ix_calls_uniqueid", "uniqueid"),
    Index("ix_calls_started_at", "started_at"),
    Index("ix_calls_caller_hash", "caller_hash"),
    Index("ix_calls_outcome_kind", "outcome_kind"),
)

call_steps = Table(
    "call_steps",
    metadata,
    Column(
        "call_id",
        Integer,
        ForeignKey("calls.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("seq", Integer, primary_key=True),
    Column("node_id", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("left_at", DateTime(timezone=True)),
    Column("keys", String(64), nullable=False, default=""),
    Column("prompts", JSON, nullable=False),
    Column("result", String(64), nullable=False, default=""),
    Index("ix_call_steps_node_id", "node_id"),
)

flow_versions = Table(
    "flow_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("version", String(64), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
    Column("source", String(128), nullable=False, server_default=""),
    Column("flow_path", Text, nullable=False),
    Column("files", JSON, nullable=False),
    Index("ix_flow_versions_version", "version"),
)
"""Each flow version loaded: ``files`` maps each source file's path to its text."""
