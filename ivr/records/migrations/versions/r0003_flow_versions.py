"""Keep every flow version the service loaded, to show and to roll back to.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ``flow_versions``: one row per successful load."""
    op.create_table(
        "flow_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(128), nullable=False, server_default=""),
        sa.Column("flow_path", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
    )
    op.create_index("ix_flow_versions_version", "flow_versions", ["version"])


def downgrade() -> None:
    """Drop ``flow_versions``."""
    op.drop_table("flow_versions")
