"""The call-record tables, as SQLAlchemy Core metadata.

The migrations in ``ivr/records/migrations`` create these tables; this module
is what the writer and queries use. The full caller number has no column: a
call keeps only its masked form and keyed hash (``ivr.privacy``).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

__all__ = [
    "call_steps",
    "calls",
    "cti_alerts",
    "cti_calls",
    "cti_offers",
    "cti_recording_views",
    "cti_recordings",
    "cti_sessions",
    "cti_staff",
    "flow_versions",
    "metadata",
    "query_lockouts",
    "ticket_events",
    "ticket_recordings",
    "ticket_views",
    "tickets",
]

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

cti_staff = Table(
    "cti_staff",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("agent_number", String(16), nullable=False, server_default=""),
    Column("display_name", String(64), nullable=False, server_default=""),
    Column("interface", String(128), nullable=False, server_default=""),
    Column("skills", JSON, nullable=False),
    Column("password_hash", String(256), nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Index("ix_cti_staff_username", "username", unique=True),
    Index(
        "ux_cti_staff_agent_number",
        "agent_number",
        unique=True,
        sqlite_where=text("agent_number <> ''"),
        postgresql_where=text("agent_number <> ''"),
    ),
)
"""Staff accounts of the CTI (agents, supervisors, admins); scrypt hashes.
One account per agent number (migration 0006), none for the others' ``''``."""

cti_sessions = Table(
    "cti_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column(
        "staff_id",
        Integer,
        ForeignKey("cti_staff.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""Bearer sessions: only the SHA-256 of each token is stored."""

cti_calls = Table(
    "cti_calls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uniqueid", String(64), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("agent_number", String(16), nullable=False, server_default=""),
    Column("caller_masked", String(32), nullable=False, server_default=""),
    Column("caller_hash", String(64), nullable=False, server_default=""),
    Column("ivr_session", String(64), nullable=False, server_default=""),
    Column("ivr_path", String(256), nullable=False, server_default=""),
    Column("language", String(16), nullable=False, server_default=""),
    Column("priority", Integer, nullable=False, server_default="0"),
    Column("entered_at", DateTime(timezone=True), nullable=False),
    Column("hour", String(13), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("wait_seconds", Float, nullable=False, server_default="0"),
    Column("ring_seconds", Float),
    Column("talk_seconds", Float),
    Column("abandon_seconds", Float),
    Column("ended_at", DateTime(timezone=True)),
    Column("urgent", Boolean, nullable=False, server_default=false()),
    Column("urgent_by", String(64), nullable=False, server_default=""),
    Column("business_area", String(64), nullable=False, server_default=""),
    Column("topic", String(128), nullable=False, server_default=""),
    Column("note", Text, nullable=False, server_default=""),
    Column("classified_by", String(16), nullable=False, server_default=""),
    Column("survey_score", Integer),
    Column("survey_at", DateTime(timezone=True)),
    Index("ix_cti_calls_uniqueid_queue", "uniqueid", "queue", unique=True),
    Index("ix_cti_calls_hour", "hour"),
    Index("ix_cti_calls_agent", "agent_number"),
)
"""One row per caller per queue visit (an overflow makes two rows)."""

cti_offers = Table(
    "cti_offers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uniqueid", String(64), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("agent_number", String(16), nullable=False, server_default=""),
    Column("interface", String(128), nullable=False, server_default=""),
    Column("offered_at", DateTime(timezone=True), nullable=False),
    Column("hour", String(13), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("ring_seconds", Float, nullable=False),
    Index("ix_cti_offers_hour", "hour"),
)
"""One row per ring of an agent (AgentCalled to Connect or RingNoAnswer)."""

cti_recordings = Table(
    "cti_recordings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uniqueid", String(64), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("size", Integer, nullable=False, server_default="0"),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("checked_by", String(64), nullable=False, server_default=""),
    Column("checked_at", DateTime(timezone=True)),
    Column("score", Integer),
    Column("comment", Text, nullable=False, server_default=""),
    Column("deleted_at", DateTime(timezone=True)),
    Index("ix_cti_recordings_filename", "filename", unique=True),
    Index("ix_cti_recordings_uniqueid", "uniqueid"),
)
"""Agent-call recordings found in the recordings folder, and spot checks."""

cti_recording_views = Table(
    "cti_recording_views",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recording_id", Integer, nullable=False),
    Column("username", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("viewed_at", DateTime(timezone=True), nullable=False),
)
"""Who listed, played or checked which recording, and when."""

cti_alerts = Table(
    "cti_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("agent_number", String(16), nullable=False, server_default=""),
    Column("queue", String(64), nullable=False, server_default=""),
    Column("uniqueid", String(64), nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default=""),
    Column("raised_at", DateTime(timezone=True), nullable=False),
)
"""Supervisor alerts: autopause, urgent cases, AMI login refused."""


def _ticket_id() -> Column[int]:
    """The ticket a child row belongs to; it goes with its ticket."""
    return Column(
        "ticket_id",
        Integer,
        ForeignKey("tickets.id", ondelete="CASCADE"),
        nullable=False,
    )


tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(24), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("caller", String(32), nullable=False, server_default=""),
    Column("caller_hash", String(64), nullable=False, server_default=""),
    Column("caller_masked", String(32), nullable=False, server_default=""),
    Column("uniqueid", String(64), nullable=False, server_default=""),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("menu_path", JSON, nullable=False),
    Column("area", String(64), nullable=False, server_default=""),
    Column("language", String(16), nullable=False, server_default=""),
    Column("flow_version", String(64), nullable=False, server_default=""),
    Column("deadline_at", DateTime(timezone=True), nullable=False),
    Column("deadline_days", Integer, nullable=False),
    Column("deadline_provisional", Boolean, nullable=False, server_default=false()),
    Column("recovered", Boolean, nullable=False, server_default=false()),
    Column("assigned_to", String(64), nullable=False, server_default=""),
    Column("assigned_at", DateTime(timezone=True)),
    Column("department", String(64), nullable=False, server_default=""),
    Column("department_deadline_at", DateTime(timezone=True)),
    Column("reply_kind", String(16), nullable=False, server_default=""),
    Column("reply_prompt", String(255), nullable=False, server_default=""),
    Column("replied_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("overdue_at", DateTime(timezone=True)),
    Column("fax_document", String(64), nullable=False, server_default=""),
    Column("fax_number", String(32), nullable=False, server_default=""),
    Column("fax_state", String(16), nullable=False, server_default=""),
    Column("fax_attempts", Integer, nullable=False, server_default="0"),
    Column("fax_result", String(128), nullable=False, server_default=""),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ux_tickets_number", "number", unique=True),
    Index("ix_tickets_state_area", "state", "area"),
    Index("ix_tickets_deadline_at", "deadline_at"),
    Index("ix_tickets_assigned_to", "assigned_to"),
)
"""Voice messages, complaints and fax requests (issue 6).

``caller`` is the full number, because staff call back on it; only staff
read it, and every such read is a ``ticket_views`` row. ``number`` is the
ticket number the caller was told, unique, so a replayed write is a no-op."""

ticket_recordings = Table(
    "ticket_recordings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _ticket_id(),
    Column("number", String(24), nullable=False),
    Column("part", String(32), nullable=False),
    Column("path", String(255), nullable=False),
    Column("seconds", Float, nullable=False, server_default="0"),
    UniqueConstraint("ticket_id", "part", name="uq_ticket_recordings_part"),
)
"""The parts a caller recorded (``message``, or ``name`` and ``matter``):
paths without extension, in the folder Asterisk records to."""

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _ticket_id(),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", Text, nullable=False, server_default=""),
    Index("ix_ticket_events_ticket_id", "ticket_id"),
)
"""A ticket's history: one row per state change (who, when, what)."""

ticket_views = Table(
    "ticket_views",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _ticket_id(),
    Column("username", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("what", String(48), nullable=False),
    Column("viewed_at", DateTime(timezone=True), nullable=False),
    Index("ix_ticket_views_ticket_id", "ticket_id"),
)
"""Who read a ticket's caller number or heard which recording, and when."""
query_lockouts = Table(
    "query_lockouts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("locked_at", DateTime(timezone=True), nullable=False),
    Column("uniqueid", String(64), nullable=False, server_default=""),
    Column("node_id", String(64), nullable=False, server_default=""),
    Column("scope", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("caller_masked", String(32), nullable=False, server_default=""),
    Column("caller_hash", String(64), nullable=False, server_default=""),
    Column("id_masked", String(32), nullable=False, server_default=""),
    Column("id_hash", String(64), nullable=False, server_default=""),
    Index("ix_query_lockouts_locked_at", "locked_at"),
    Index("ix_query_lockouts_id_hash", "id_hash"),
)
"""Callers locked out of self-service queries (``scope``: call, keying,
caller or id_number); numbers only masked and as keyed hashes (migration
0008)."""
