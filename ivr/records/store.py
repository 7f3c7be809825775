"""Reading and writing call records through an SQLAlchemy async engine.

:class:`RecordStore` does the database work for the background writer and
answers the few queries the HTTP API and the tests need. Writes are upserts
keyed by the AGI session (``session_id``), so an operation may be replayed
(from the spool, after a retry) and a call's finish may arrive before its
start.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Executable, delete, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ivr.records.rows import Op, call_values, step_values, to_utc
from ivr.records.schema import call_steps, calls

__all__ = ["RecordStore"]


def _upsert(dialect: str, values: dict[str, Any], finish: bool) -> Executable:
    """Insert a call row; a finish overwrites an earlier start, a start never
    overwrites anything (it may arrive after the finish)."""
    statement: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(calls).values(**values)
    else:
        statement = sqlite.insert(calls).values(**values)
    if not finish:
        return statement.on_conflict_do_nothing(index_elements=["session_id"])
    changes = {
        name: statement.excluded[name] for name in values if name != "session_id"
    }
    return statement.on_conflict_do_update(
        index_elements=["session_id"], set_=changes
    ).returning(calls.c.id)


def _times_in_utc(row: dict[str, Any]) -> dict[str, Any]:
    for name in ("started_at", "ended_at", "entered_at", "left_at"):
        if name in row:
            row[name] = to_utc(row[name])
    return row


class RecordStore:
    """The call-record database at one URL (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self._engine: AsyncEngine = create_async_engine(url, pool_pre_ping=True)

    @property
    def engine(self) -> AsyncEngine:
        """The async engine (for migrations and tests)."""
        return self._engine

    async def write_batch(self, ops: Sequence[Op]) -> None:
        """Write operations in one transaction: all of them or none."""
        async with self._engine.begin() as connection:
            for op in ops:
                await self._write(connection, op)

    async def _write(self, connection: AsyncConnection, op: Op) -> None:
        dialect = connection.dialect.name
        finish = op["op"] == "finish"
        result = await connection.execute(_upsert(dialect, call_values(op), finish))
        if not finish:
            return
        call_id = result.scalar_one()
        await connection.execute(
            delete(call_steps).where(call_steps.c.call_id == call_id)
        )
        if op["steps"]:
            await connection.execute(insert(call_steps), step_values(op, call_id))

    async def get_call(self, uniqueid: str) -> dict[str, Any] | None:
        """Return a call with its steps (``"steps"``, in order), or ``None``.

        A channel that ran the IVR more than once has a record per session;
        this returns the newest.
        """
        async with self._engine.connect() as connection:
            found = await connection.execute(
                select(calls)
                .where(calls.c.uniqueid == uniqueid)
                .order_by(calls.c.id.desc())
                .limit(1)
            )
            row = found.mappings().one_or_none()
            if row is None:
                return None
            steps = await connection.execute(
                select(call_steps)
                .where(call_steps.c.call_id == row["id"])
                .order_by(call_steps.c.seq)
            )
            step_rows = [_times_in_utc(dict(step)) for step in steps.mappings()]
        return {**_times_in_utc(dict(row)), "steps": step_rows}

    async def count_calls(self) -> int:
        """Return how many calls are stored."""
        async with self._engine.connect() as connection:
            result = await connection.execute(select(func.count()).select_from(calls))
            return int(result.scalar_one())

    async def ping(self) -> bool:
        """Return whether the database answers a trivial query (for health)."""
        try:
            async with self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError):
            return False
        return True

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self._engine.dispose()
