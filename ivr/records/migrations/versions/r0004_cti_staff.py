"""CTI staff accounts (agents, supervisors, admins) and their bearer sessions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``cti_staff`` and ``cti_sessions``."""
    op.create_table(
        "cti_staff",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agent_number", sa.String(16), nullable=False, server_default=""),
        sa.Column("display_name", sa.String(64), nullable=False, server_default=""),
        sa.Column("interface", sa.String(128), nullable=False, server_default=""),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_cti_staff_username", "cti_staff", ["username"], unique=True)
    op.create_table(
        "cti_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "staff_id",
            sa.Integer(),
            sa.ForeignKey("cti_staff.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the staff tables."""
    op.drop_table("cti_sessions")
    op.drop_table("cti_staff")
