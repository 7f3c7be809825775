"""Alembic environment for the call-record schema, for async engines.

Run by ``ivr.records.migrate`` with a connection passed in
``config.attributes["connection"]``; run by the ``alembic`` command it opens
its own async engine from ``sqlalchemy.url`` or ``IVR_DATABASE_URL``.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from ivr.records.schema import metadata


def _database_url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    return url or os.environ["IVR_DATABASE_URL"]


def _run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_own_engine() -> None:
    engine = create_async_engine(
        _database_url(), poolclass=NullPool, hide_parameters=True
    )
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(url=_database_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    shared = context.config.attributes.get("connection")
    if context.is_offline_mode():
        _run_offline()
    elif shared is not None:
        _run_on(shared)
    else:
        asyncio.run(_run_on_own_engine())


_main()
