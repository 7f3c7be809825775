"""Key call records by AGI session, not by Asterisk's uniqueid.

One channel can run the AGI more than once (a transfer back into the
hotline's context), and a peer may send no ``agi_uniqueid`` at all; keyed by
uniqueid, a later session overwrote the earlier one's record. Each session
now has its own ``session_id``; ``uniqueid`` stays, indexed but not unique.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``session_id`` (existing rows keep their uniqueid as key)."""
    op.add_column(
        "calls",
        sa.Column("session_id", sa.String(64), nullable=False, server_default=""),
    )
    op.execute("UPDATE calls SET session_id = uniqueid")
    op.create_index("ix_calls_session_id", "calls", ["session_id"], unique=True)
    op.drop_index("ix_calls_uniqueid", table_name="calls")
    op.create_index("ix_calls_uniqueid", "calls", ["uniqueid"])


def downgrade() -> None:
    """Back to one record per uniqueid (keeps the newest of duplicates)."""
    op.execute(
        "DELETE FROM calls WHERE id NOT IN "
        "(SELECT MAX(id) FROM calls GROUP BY uniqueid)"
    )
    op.drop_index("ix_calls_uniqueid", table_name="calls")
    op.create_index("ix_calls_uniqueid", "calls", ["uniqueid"], unique=True)
    op.drop_index("ix_calls_session_id", table_name="calls")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("session_id")
