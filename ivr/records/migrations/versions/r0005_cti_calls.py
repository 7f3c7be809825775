"""CTI call facts, ring offers, recordings, recording views and alerts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the service-level, recording and alert tables."""
    op.create_table(
        "cti_calls",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("agent_number", sa.String(16), nullable=False, server_default=""),
        sa.Column("caller_masked", sa.String(32), nullable=False, server_default=""),
        sa.Column("caller_hash", sa.String(64), nullable=False, server_default=""),
        sa.Column("ivr_session", sa.String(64), nullable=False, server_default=""),
        sa.Column("ivr_path", sa.String(256), nullable=False, server_default=""),
        sa.Column("language", sa.String(16), nullable=False, server_default=""),
        sa.Column("priority", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hour", sa.String(13), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("wait_seconds", sa.Float(), nullable=False, server_default="0"),
        sa.Column("ring_seconds", sa.Float()),
        sa.Column("talk_seconds", sa.Float()),
        sa.Column("abandon_seconds", sa.Float()),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("urgent_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("business_area", sa.String(64), nullable=False, server_default=""),
        sa.Column("topic", sa.String(128), nullable=False, server_default=""),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("classified_by", sa.String(16), nullable=False, server_default=""),
        sa.Column("survey_score", sa.Integer()),
        sa.Column("survey_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "ix_cti_calls_uniqueid_queue", "cti_calls", ["uniqueid", "queue"], unique=True
    )
    op.create_index("ix_cti_calls_hour", "cti_calls", ["hour"])
    op.create_index("ix_cti_calls_agent", "cti_calls", ["agent_number"])
    op.create_table(
        "cti_offers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("agent_number", sa.String(16), nullable=False, server_default=""),
        sa.Column("interface", sa.String(128), nullable=False, server_default=""),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hour", sa.String(13), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("ring_seconds", sa.Float(), nullable=False),
    )
    op.create_index("ix_cti_offers_hour", "cti_offers", ["hour"])
    op.create_table(
        "cti_recordings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("checked_at", sa.DateTime(timezone=True)),
        sa.Column("score", sa.Integer()),
        sa.Column("comment", sa.Text(), nullable=False, server_default=""),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
    )
    op.create_index(
        "ix_cti_recordings_filename", "cti_recordings", ["filename"], unique=True
    )
    op.create_index("ix_cti_recordings_uniqueid", "cti_recordings", ["uniqueid"])
    op.create_table(
        "cti_recording_views",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("recording_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "cti_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("agent_number", sa.String(16), nullable=False, server_default=""),
        sa.Column("queue", sa.String(64), nullable=False, server_default=""),
        sa.Column("uniqueid", sa.String(64), nullable=False, server_default=""),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the CTI call tables."""
    op.drop_table("cti_alerts")
    op.drop_table("cti_recording_views")
    op.drop_table("cti_recordings")
    op.drop_table("cti_offers")
    op.drop_table("cti_calls")
