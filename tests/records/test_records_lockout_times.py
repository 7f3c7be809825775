"""``query_lockouts.locked_at`` is stored in UTC, like every other time.

The limiter is given the flow's local time (China); stored as such, a
naive SQLite column read it back eight hours off.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from ivr.queries.limiter import Lockout, LockoutBook, Verifier
from ivr.records import migrate
from ivr.records.rows import to_utc
from ivr.records.schema import query_lockouts

LOCAL = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


async def test_lockout_time_is_stored_as_utc(db_url: str) -> None:
    """09:30 in Shanghai is kept as 01:30 UTC, on SQLite and PostgreSQL."""
    await migrate(db_url)
    engine = create_async_engine(db_url)
    who = Verifier("call-1", "query-pension", "138******00", "c" * 64)
    try:
        await LockoutBook(engine).record(who, Lockout("call", 3), LOCAL)
        async with engine.connect() as connection:
            stored = (await connection.execute(select(query_lockouts))).one()
    finally:
        await engine.dispose()

    assert to_utc(stored.locked_at) == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
