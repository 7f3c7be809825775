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


_UPDATABLE = [c.name for c in calls.columns if c.name not in ("id", "session_id")]


def _statements(dialect: str) -> tuple[Executable, Executable]:
    """The two upserts for a dialect, built once: starts never overwrite
    anything (a start may arrive after its finish); finishes overwrite."""
    module = postgresql if dialect == "postgresql" else sqlite
    insert_call = module.insert(calls)
    starts = insert_call.on_conflict_do_nothing(index_elements=["session_id"])
    finishes = insert_call.on_conflict_do_update(
        index_elements=["session_id"],
        set_={name: insert_call.excluded[name] for name in _UPDATABLE},
    )
    return starts, finishes


_STATEMENTS = {name: _statements(name) for name in ("postgresql", "sqlite")}


def _coalesce(ops: Sequence[Op]) -> tuple[list[Op], list[Op]]:
    """Split a batch into starts and finishes, one operation per session.

    A finish makes an earlier start of the same session in the batch
    redundant, so each session is written once, in one statement per kind.
    """
    latest: dict[str, Op] = {}
    for op in ops:
        session = op["call"]["session_id"]
        if op["op"] == "finish" or latest.get(session, {}).get("op") != "finish":
            latest[session] = op
    starts = [op for op in latest.values() if op["op"] == "start"]
    finishes = [op for op in latest.values() if op["op"] == "finish"]
    return starts, finishes


def _times_in_utc(row: dict[str, Any]) -> dict[str, Any]:
    for name in ("started_at", "ended_at", "entered_at", "left_at"):
        if name in row:
            row[name] = to_utc(row[name])
    return row


SQLITE_BUSY_SECONDS = 1.0
"""How long an SQLite statement waits for a lock before it fails (and the
records writer or the ticket desk falls back to its own retry or spool)."""


class RecordStore:
    """The call-record database at one URL (SQLite or PostgreSQL)."""

    def __init__(self, url: str) -> None:
        # SQLite waits up to its busy timeout (5 s by default) for a lock,
        # in a thread a cancelled await does not stop: a caller would hear
        # that silence although the ticket desk gives up after 2 s.
        connect_args = {"timeout": SQLITE_BUSY_SECONDS} if "sqlite" in url else {}
        self._engine: AsyncEngine = create_async_engine(
            url, pool_pre_ping=True, hide_parameters=True, connect_args=connect_args
        )

    @property
    def engine(self) -> AsyncEngine:
        """The async engine (for migrations and tests)."""
        return self._engine

    async def write_batch(self, ops: Sequence[Op]) -> None:
        """Write operations in one transaction: all of them or none.

        A batch costs five statements however many calls it holds (each
        executed for many rows at once), which keeps the writer's share of
        the event loop small under load.
        """
        starts, finishes = _coalesce(ops)
        async with self._engine.begin() as connection:
            start_sql, finish_sql = _STATEMENTS[connection.dialect.name]
            if starts:
                await connection.execute(start_sql, [call_values(op) for op in starts])
            if finishes:
                await self._write_finishes(connection, finish_sql, finishes)

    async def _write_finishes(
        self, connection: AsyncConnection, upsert: Executable, finishes: list[Op]
    ) -> None:
        await connection.execute(upsert, [call_values(op) for op in finishes])
        sessions = [op["call"]["session_id"] for op in finishes]
        found = await connection.execute(
            select(calls.c.session_id, calls.c.id).where(
                calls.c.session_id.in_(sessions)
            )
        )
        ids: dict[str, int] = {session: id_ for session, id_ in found}
        await connection.execute(
            delete(call_steps).where(call_steps.c.call_id.in_(ids.values()))
        )
        steps = [
            row
            for op in finishes
            for row in step_values(op, ids[op["call"]["session_id"]])
        ]
        if steps:
            await connection.execute(insert(call_steps), steps)

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
