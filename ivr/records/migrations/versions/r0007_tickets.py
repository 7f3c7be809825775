"""Tickets (issue 6): voice messages, complaints, fax requests and their history.

``tickets`` holds one row per ticket number (unique, so a write replayed
from the disk spool is a no-op); ``ticket_recordings`` the parts a caller
recorded; ``ticket_events`` every state change; ``ticket_views`` every read
of a caller number or recording by staff.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ticket_id() -> sa.Column[Any]:
    return sa.Column(
        "ticket_id",
        sa.Integer(),
        sa.ForeignKey("tickets.id", ondelete="CASCADE"),
        nullable=False,
    )


def _text(name: str, length: int) -> sa.Column[Any]:
    return sa.Column(name, sa.String(length), nullable=False, server_default="")


def _moment(name: str, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _create_tickets() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _text("caller", 32),
        _text("caller_hash", 64),
        _text("caller_masked", 32),
        _text("uniqueid", 64),
        _moment("saved_at", nullable=False),
        sa.Column("menu_path", sa.JSON(), nullable=False),
        _text("area", 64),
        _text("language", 16),
        _text("flow_version", 64),
        _moment("deadline_at", nullable=False),
        sa.Column("deadline_days", sa.Integer(), nullable=False),
        sa.Column(
            "deadline_provisional",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
        ),
        sa.Column("recovered", sa.Boolean(), nullable=False, server_default=sa.false()),
        _text("assigned_to", 64),
        _moment("assigned_at"),
        _text("department", 64),
        _moment("department_deadline_at"),
        _text("reply_kind", 16),
        _text("reply_prompt", 255),
        _moment("replied_at"),
        _moment("closed_at"),
        _moment("overdue_at"),
        _text("fax_document", 64),
        _text("fax_number", 32),
        _text("fax_state", 16),
        sa.Column("fax_attempts", sa.Integer(), nullable=False, server_default="0"),
        _text("fax_result", 128),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        _moment("updated_at", nullable=False),
    )
    op.create_index("ux_tickets_number", "tickets", ["number"], unique=True)
    op.create_index("ix_tickets_state_area", "tickets", ["state", "area"])
    op.create_index("ix_tickets_deadline_at", "tickets", ["deadline_at"])
    op.create_index("ix_tickets_assigned_to", "tickets", ["assigned_to"])


def _create_children() -> None:
    op.create_table(
        "ticket_recordings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _ticket_id(),
        sa.Column("number", sa.String(24), nullable=False),
        sa.Column("part", sa.String(32), nullable=False),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False, server_default="0"),
        sa.UniqueConstraint("ticket_id", "part", name="uq_ticket_recordings_part"),
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _ticket_id(),
        _moment("at", nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_ticket_events_ticket_id", "ticket_events", ["ticket_id"])
    op.create_table(
        "ticket_views",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _ticket_id(),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("what", sa.String(48), nullable=False),
        _moment("viewed_at", nullable=False),
    )
    op.create_index("ix_ticket_views_ticket_id", "ticket_views", ["ticket_id"])


def upgrade() -> None:
    """Create the four ticket tables and their indexes."""
    _create_tickets()
    _create_children()


def downgrade() -> None:
    """Drop the ticket tables, children first."""
    for name in ("ticket_views", "ticket_events", "ticket_recordings", "tickets"):
        op.drop_table(name)
