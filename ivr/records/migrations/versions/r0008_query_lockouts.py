"""Lockouts of the self-service queries: ``query_lockouts``.

A caller who fails identity verification too often (per call, per caller
number per day, per ID number per day) is locked out of the queries and
offered an agent (norm art. 25); each lockout is kept for review. Numbers
are stored only masked and as keyed hashes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``query_lockouts`` and its indexes."""
    op.create_table(
        "query_lockouts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uniqueid", sa.String(64), nullable=False, server_default=""),
        sa.Column("node_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("caller_masked", sa.String(32), nullable=False, server_default=""),
        sa.Column("caller_hash", sa.String(64), nullable=False, server_default=""),
        sa.Column("id_masked", sa.String(32), nullable=False, server_default=""),
        sa.Column("id_hash", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("ix_query_lockouts_locked_at", "query_lockouts", ["locked_at"])
    op.create_index("ix_query_lockouts_id_hash", "query_lockouts", ["id_hash"])


def downgrade() -> None:
    """Drop ``query_lockouts``."""
    op.drop_index("ix_query_lockouts_id_hash", table_name="query_lockouts")
    op.drop_index("ix_query_lockouts_locked_at", table_name="query_lockouts")
    op.drop_table("query_lockouts")
