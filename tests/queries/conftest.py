"""Fixtures of the query tests: Redis, a records database, the demo backend.

Every test here logs at DEBUG into :mod:`privacy_evidence`, so the last
test module of the suite can check that no ID number or PIN reached a log
line. Redis is the local server (127.0.0.1:6379); without it the tests that
need it skip locally and fail under CI (env ``CI``), like the PostgreSQL
tests.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from privacy_evidence import DATABASES, REDIS_URLS, collecting_logs
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ivr.flow import Flow, load_flow
from ivr.prompts import PromptCatalog
from ivr.records.schema import metadata

if TYPE_CHECKING:
    from query_rig import QueryRig

REPO = Path(__file__).resolve().parents[2]
# flow_fakes (the scripted caller) lives beside the flow tests.
FLOW_TESTS = str(REPO / "tests" / "flow")
if FLOW_TESTS not in sys.path:
    sys.path.append(FLOW_TESTS)

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def evidence_logging() -> Iterator[None]:
    """Log everything at DEBUG into the privacy evidence while a test runs."""
    with collecting_logs():
        yield


@pytest.fixture
def hash_key() -> bytes:
    """A fresh hash key: each test's Redis counters are its own."""
    return secrets.token_hex(16).encode()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    """The local Redis, or skip (locally) / fail (CI) without it."""
    client = Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        await client.aclose()
        if os.environ.get("CI"):
            pytest.fail(f"Redis unreachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    REDIS_URLS.append(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def records_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the session's query databases (scanned at the end)."""
    return tmp_path_factory.mktemp("query-records")


@pytest.fixture
async def db_engine(records_dir: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh SQLite database with every table, remembered for the scan."""
    url = f"sqlite+aiosqlite:///{records_dir / f'db{len(DATABASES)}.sqlite3'}"
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    DATABASES.append(url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def shipped_flow() -> Flow:
    """The shipped flow and prompt catalog, which must load."""
    catalog = PromptCatalog.load(REPO / "prompts")
    flow, problems = load_flow(REPO / "menus.yaml", catalog, today=date(2026, 3, 1))
    assert flow is not None, [str(problem) for problem in problems]
    return flow


@pytest.fixture
async def demo_url() -> AsyncIterator[str]:
    """The demo backend on a free port; its base URL."""
    from query_rig import base_url, serve_demo

    server = await serve_demo()
    yield base_url(server)
    await server.close()


@pytest.fixture
async def make_rig(
    shipped_flow: Flow,
    hash_key: bytes,
    db_engine: AsyncEngine,
    records_dir: Path,
) -> AsyncIterator[Callable[..., QueryRig]]:
    """Build rigs over a backend URL (closed at the end of the test)."""
    from query_rig import QueryRig

    rigs: list[QueryRig] = []

    def build(backend_url: str, redis: Redis | None, **options: Any) -> QueryRig:
        rig = QueryRig(
            shipped_flow,
            hash_key,
            db_engine,
            records_dir,
            redis,
            backend_url,
            **options,
        )
        rigs.append(rig)
        return rig

    yield build
    for rig in rigs:
        await rig.close()
