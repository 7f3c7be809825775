"""Concurrent claiming on real PostgreSQL: no ticket ever goes to two agents.

Twenty claimers on their own connections drain 200 tickets. With the
store's locking (``FOR UPDATE SKIP LOCKED`` and a compare-and-set update)
every ticket is claimed exactly once; the same run with ``lock_rows=False``
must collide, which shows the first test would fail if the locking went.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from pg_databases import PostgresServer, fresh_postgres
from sqlalchemy.ext.asyncio import create_async_engine
from ticket_rig import T0, entry, migrated_engine, store_on

from ivr.tickets.store import TicketStore

TICKETS = 200
CLAIMERS = 20

pytestmark = pytest.mark.postgres


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


async def test_concurrent_claims_never_collide(
    postgres_server: PostgresServer,
) -> None:
    """With locking, 20 claimers take each of 200 tickets exactly once."""
    url = await fresh_postgres(postgres_server)

    counts = await _run_claimers(url, lock_rows=True)

    assert len(counts) == TICKETS
    assert set(counts.values()) == {1}


async def test_claims_collide_without_locking(
    postgres_server: PostgresServer,
) -> None:
    """Without the locking, some ticket is handed to two claimers."""
    url = await fresh_postgres(postgres_server)

    counts = await _run_claimers(url, lock_rows=False)

    assert max(counts.values()) > 1
