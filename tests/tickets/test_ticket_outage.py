"""A PostgreSQL outage in the middle of taking messages loses and doubles nothing.

The desk reaches the database through a fault-injection proxy. Messages
are begun, recorded and completed while the proxy forwards, then while it
cuts every connection, then while it stalls (a hung server: the desk's
timeout sends writes to the spool), then after it is restored. Each fault
strikes between a begin and its complete, so every mix occurs: begun in the
database and completed in the spool, begun and completed in the spool,
begun in the spool and completed in the database. The reconciler's pass
must leave every message in the database exactly once, with its recording
row, and the spool empty.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from fault_proxy import FaultProxy
from pg_databases import PG_HOST, PG_PORT, PostgresServer, fresh_postgres
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from ticket_rig import (
    T0,
    call,
    make_desk,
    make_reconciler,
    migrated_engine,
    write_wav,
)

from ivr.clock import FixedClock
from ivr.records.schema import ticket_events, ticket_recordings, tickets
from ivr.tickets.database_desk import DatabaseTicketDesk
from ivr.tickets.desk import PendingTicket, RecordedPart

pytestmark = pytest.mark.postgres


def _nothing() -> None:
    """No fault."""


PER_PHASE = 6


@pytest.fixture
async def direct(postgres_server: PostgresServer) -> AsyncIterator[AsyncEngine]:
    """A migrated PostgreSQL database, reached directly (to check results)."""
    engine = await migrated_engine(await fresh_postgres(postgres_server))
    yield engine
    await engine.dispose()


@pytest.fixture
async def proxy() -> AsyncIterator[FaultProxy]:
    """A proxy in front of the local PostgreSQL."""
    proxy = FaultProxy(PG_HOST, PG_PORT)
    await proxy.start()
    yield proxy
    await proxy.close()


async def leave_message(
    desk: DatabaseTicketDesk, index: int, meanwhile: Callable[[], None]
) -> PendingTicket:
    """Begin, record (a WAV file where Asterisk would write it) and send;
    ``meanwhile`` runs while the caller is recording."""
    pending = await desk.begin("message", call(f"1700000000.{index}"), ["message"])
    meanwhile()
    path = pending.recording["message"]
    write_wav(path, 3.0)
    await desk.complete(pending, [RecordedPart("message", path, 3.0)])
    return pending


async def test_outage_loses_and_doubles_nothing(
    direct: AsyncEngine,
    proxy: FaultProxy,
    postgres_server: PostgresServer,
    tmp_path: Path,
) -> None:
    """Forward, cut, stall, restore: every message is stored once with its part."""
    url = f"postgresql+asyncpg://{postgres_server.user}@127.0.0.1:{proxy.port}/"
    through = create_async_engine(url + postgres_server.database, pool_pre_ping=True)
    clock = FixedClock(T0)
    desk = make_desk(through, tmp_path, clock, timeout=0.5)
    numbers: list[str] = []
    spooled_during_outage = 0
    try:
        for fault in (proxy.restore, proxy.cut, proxy.stall, proxy.restore):
            # Each phase's fault strikes while its first caller is recording.
            for index in range(PER_PHASE):
                meanwhile = fault if index == 0 else _nothing
                pending = await leave_message(desk, len(numbers), meanwhile)
                numbers.append(pending.number)
            if fault != proxy.restore:
                spooled_during_outage = len(desk.spool.numbers())
        clock.advance(20 * 60)
        await make_reconciler(desk, clock).run_once()
    finally:
        await through.dispose()

    async with direct.connect() as connection:
        rows = (
            await connection.execute(select(tickets.c.number, tickets.c.state))
        ).all()
        completions = await connection.scalar(
            select(func.count())
            .select_from(ticket_events)
            .where(ticket_events.c.action == "complete")
        )
        parts = await connection.scalar(
            select(func.count()).select_from(ticket_recordings)
        )
    assert spooled_during_outage == 2 * PER_PHASE
    assert sorted(number for number, _ in rows) == sorted(numbers)
    assert {state for _, state in rows} == {"new"}
    assert parts == len(numbers)
    assert completions == len(numbers)
    assert desk.spool.numbers() == []
    assert len(set(numbers)) == 4 * PER_PHASE
    assert all(n.startswith("12260310") for n in numbers)
