"""Create the calls and call_steps tables.

Revision ID: 0001
Revises:
Create Date: 2025-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def _text(name: str, length: int | None = None) -> sa.Column[str]:
    kind = sa.String(length) if length else sa.Text()
    return sa.Column(name, kind, nullable=False, server_default="")


def upgrade() -> None:
    """Create both tables and their indexes."""
    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("uniqueid", sa.String(64), nullable=False),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("ended_at", _TIME, nullable=True),
        _text("flow_version", 64),
        _text("caller_masked", 32),
        _text("caller_hash", 64),
        _text("channel", 128),
        _text("language", 16),
        sa.Column("outcome_kind", sa.String(16), nullable=True),
        _text("outcome_node", 64),
        _text("queue", 64),
        _text("queue_status", 32),
        _text("detail"),
    )
    op.create_index("ix_calls_uniqueid", "calls", ["uniqueid"], unique=True)
    op.create_index("ix_calls_started_at", "calls", ["started_at"])
    op.create_index("ix_calls_caller_hash", "calls", ["caller_hash"])
    op.create_index("ix_calls_outcome_kind", "calls", ["outcome_kind"])
    op.create_table(
        "call_steps",
        sa.Column(
            "call_id",
            sa.Integer(),
            sa.ForeignKey("calls.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("entered_at", _TIME, nullable=False),
        sa.Column("left_at", _TIME, nullable=True),
        _text("keys", 64),
        sa.Column("prompts", sa.JSON(), nullable=False),
        _text("result", 64),
    )
    op.create_index("ix_call_steps_node_id", "call_steps", ["node_id"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("call_steps")
    op.drop_table("calls")
