"""One account per agent number: a unique index on ``cti_staff.agent_number``.

Two accounts with one agent number (工号) would share one seat (the seat is
found by agent number), so the database refuses the second. The index is
partial: supervisors and admins have no agent number (``''``) and may be
many.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HAS_NUMBER = sa.text("agent_number <> ''")


def upgrade() -> None:
    """Create the partial unique index on the agent number."""
    op.create_index(
        "ux_cti_staff_agent_number",
        "cti_staff",
        ["agent_number"],
        unique=True,
        sqlite_where=_HAS_NUMBER,
        postgresql_where=_HAS_NUMBER,
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ux_cti_staff_agent_number", table_name="cti_staff")
