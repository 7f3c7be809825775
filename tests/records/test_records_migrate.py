"""Tests for the shipped Alembic migrations (``ivr.records.migrate``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from ivr.records import MigrationError, migrate
from ivr.records.schema import metadata


def _describe(connection: Connection) -> dict[str, object]:
    inspector = inspect(connection)
    version = connection.execute(text("SELECT version_num FROM alembic_version"))
    context = MigrationContext.configure(connection)
    return {
        "tables": sorted(inspector.get_table_names()),
        "call_indexes": sorted(
            str(ix["name"]) for ix in inspector.get_indexes("calls")
        ),
        "step_indexes": [ix["name"] for ix in inspector.get_indexes("call_steps")],
        "version": version.scalar_one(),
        "drift": compare_metadata(context, metadata),
    }


async def test_migrate_creates_both_tables_idempotently(db_url: str) -> None:
    """Upgrading twice leaves the head revision with every table and index."""
    await migrate(db_url)
    await migrate(db_url)
    engine = create_async_engine(db_url)
    try:
        async with engine.connect() as connection:
            schema = await connection.run_sync(_describe)
    finally:
        await engine.dispose()

    assert schema["tables"] == [
        "alembic_version",
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
        "query_lockouts",
        "ticket_events",
        "ticket_recordings",
        "ticket_views",
        "tickets",
    ]
    assert schema["call_indexes"] == [
        "ix_calls_caller_hash",
        "ix_calls_outcome_kind",
        "ix_calls_session_id",
        "ix_calls_started_at",
        "ix_calls_uniqueid",
    ]
    assert schema["step_indexes"] == ["ix_call_steps_node_id"]
    assert schema["version"] == "0008"
    assert schema["drift"] == []


async def test_migrate_failure_names_the_database(tmp_path: Path) -> None:
    """A file that is not a database is a MigrationError naming it."""
    path = tmp_path / "not-a-database.sqlite3"
    path.write_bytes(b"this is no SQLite file" * 100)

    with pytest.raises(MigrationError, match="not-a-database"):
        await migrate(f"sqlite+aiosqlite:///{path}")


async def test_migrate_hides_the_password() -> None:
    """The error for an unreachable server does not print its password."""
    url = "postgresql+asyncpg://ivr:s3cret-pw@127.0.0.1:1/ivr"

    with pytest.raises(MigrationError) as caught:
        await migrate(url)

    assert "s3cret-pw" not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value)
