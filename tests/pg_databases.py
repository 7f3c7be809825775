"""Database fixtures shared by the record and ticket tests: SQLite, PostgreSQL.

A test folder's ``conftest.py`` imports the fixtures it wants from here.

PostgreSQL tests run against the local server (127.0.0.1:5432, trust auth,
user ``postgres`` or ``root``) in a database created for this test session
(``ivr_test_<random>``, dropped at the end), so parallel runs never collide.
When the server is unreachable they are skipped, except under CI (env ``CI``
set), where they fail: CI must not pass by testing less.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USERS = ("postgres", "root")


@dataclass(frozen=True)
class PostgresServer:
    """Where the session's PostgreSQL database is, or why there is none."""

    user: str = ""
    database: str = ""
    problem: str = ""

    @property
    def url(self) -> str:
        """The SQLAlchemy async URL of the session database."""
        return f"postgresql+asyncpg://{self.user}@{PG_HOST}:{PG_PORT}/{self.database}"


async def _admin(user: str) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=user, database="test", timeout=5
    )


async def _create_database() -> PostgresServer:
    problems = []
    for user in PG_USERS:
        try:
            connection = await _admin(user)
        except (OSError, asyncpg.PostgresError) as exc:
            problems.append(f"{user}: {exc}")
            continue
        name = f"ivr_test_{secrets.token_hex(6)}"
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        return PostgresServer(user=user, database=name)
    return PostgresServer(problem="; ".join(problems))


async def _drop_database(server: PostgresServer) -> None:
    connection = await _admin(server.user)
    try:
        await connection.execute(f'DROP DATABASE "{server.database}" WITH (FORCE)')
    finally:
        await connection.close()


async def _reset_schema(server: PostgresServer) -> None:
    connection = await asyncpg.connect(
        host=PG_HOST, port=PG_PORT, user=server.user, database=server.database
    )
    try:
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """Create the session's PostgreSQL database, and drop it at the end."""
    server = asyncio.run(_create_database())
    yield server
    if not server.problem:
        asyncio.run(_drop_database(server))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: PostgresServer
) -> AsyncIterator[str]:
    """An empty database: SQLite in tmp_path, then the local PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'records.sqlite3'}"
        return
    await fresh_postgres(postgres_server)
    yield postgres_server.url


async def fresh_postgres(server: PostgresServer) -> str:
    """Empty the session database and return its URL; skip (fail under CI)
    when the server is unreachable."""
    if server.problem:
        message = f"PostgreSQL unreachable at {PG_HOST}:{PG_PORT}: "
        if os.environ.get("CI"):
            pytest.fail(message + server.problem)
        pytest.skip(message + server.problem)
    await _reset_schema(server)
    return server.url
