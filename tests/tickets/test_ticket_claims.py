"""Concurrent claiming: no ticket ever goes to two agents (PostgreSQL, SQLite).

Twenty claimers on their own connections drain 200 tickets. With the
store's locking (``FOR UPDATE SKIP LOCKED`` and a compare-and-set update)
every ticket is claimed exactly once; the same run with ``lock_rows=False``
must collide, which shows the first test would fail if the locking went.
On SQLite, which has no row locks, the compare-and-set alone does it (the
same run without it hands tickets out several times).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from pg_databases import PostgresServer, fresh_postgres
from sqlalchemy.ext.asyncio import create_async_engine
from ticket_rig import T0, entry, migrated_engine, store_on

from ivr.tickets.store import TicketStore

TICKETS = 200
CLAIMERS = 20


async def _drain(store: TicketStore, name: str) -> list[str]:
    claimed = []
    while (ticket := await store.claim_next(name, None, T0)) is not None:
        claimed.append(ticket.number)
    return claimed


async def _run_claimers(url: str, *, lock_rows: bool) -> Counter[str]:
    setup = await migrated_engine(url)
    try:
        loader = store_on(setup)
        for index in range(TICKETS):
            await loader.complete(entry(f"122603100{index:04d}"), [], T0)
    finally:
        await setup.dispose()
    engines = [create_async_engine(url, pool_size=2) for _ in range(CLAIMERS)]
    try:
        stores = [store_on(engine, lock_rows=lock_rows) for engine in engines]
        results = await asyncio.gather(
            *(_drain(store, f"agent{i}") for i, store in enumerate(stores))
        )
    finally:
        await asyncio.gather(*(engine.dispose() for engine in engines))
    return Counter(number for claimed in results for number in claimed)


@pytest.mark.postgres
async def test_concurrent_claims_never_collide(
    postgres_server: PostgresServer,
) -> None:
    """With locking, 20 claimers take each of 200 tickets exactly once."""
    url = await fresh_postgres(postgres_server)

    counts = await _run_claimers(url, lock_rows=True)

    assert len(counts) == TICKETS
    assert set(counts.values()) == {1}


@pytest.mark.postgres
async def test_claims_collide_without_locking(
    postgres_server: PostgresServer,
) -> None:
    """Without the locking, some ticket is handed to two claimers."""
    url = await fresh_postgres(postgres_server)

    counts = await _run_claimers(url, lock_rows=False)

    assert max(counts.values()) > 1


async def test_sqlite_claims_by_compare_and_set(tmp_path: Path) -> None:
    """On SQLite (no row locks) the checked UPDATE alone keeps claims apart."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'claims.sqlite3'}"
    setup = await migrated_engine(url)
    loader = store_on(setup)
    for index in range(40):
        await loader.complete(entry(f"122603100{index:04d}"), [], T0)
    await setup.dispose()
    engines = [create_async_engine(url) for _ in range(5)]
    try:
        results = await asyncio.gather(
            *(_drain(store_on(engine), f"agent{i}") for i, engine in enumerate(engines))
        )
    finally:
        await asyncio.gather(*(engine.dispose() for engine in engines))

    counts = Counter(number for claimed in results for number in claimed)
    assert len(counts) == 40
    assert set(counts.values()) == {1}
