"""Runs last in the suite: no full ID number or PIN the query tests keyed,
and no answer value of the demo backend as the caller heard it read, is
anywhere it could stay: log lines, database rows (and the database files'
raw bytes), HTTP replies, Redis keys. (The backend's own replies carry the
answers as values, never as the speech pieces a caller hears.)

The query tests (``tests/queries``) fill :mod:`privacy_evidence` while they
run; this folder sorts after every other one, so pytest collects it last.
Run alone, it has nothing to scan and skips (under CI, where the whole suite
runs, an empty evidence is a failure).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from privacy_evidence import (
    DATABASES,
    LOG_LINES,
    REDIS_URLS,
    REPLIES,
    SECRETS,
    SPOKEN_ANSWERS,
    as_pieces,
)
from redis.asyncio import Redis
from sqlalchemy import MetaData, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

MASKED_A = "110*************8X"
"""How 测试用户甲's number appears where a masked form is allowed."""


@pytest.fixture(autouse=True)
def evidence() -> None:
    """Skip (locally) or fail (CI) when the query tests did not run first."""
    if SECRETS and LOG_LINES and SPOKEN_ANSWERS:
        return
    message = "no query test ran in this session: nothing to scan"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


CHANCE = re.compile(
    r"(?=[0-9]*[a-f])[0-9a-f]{32,}|\d{2}:\d{2}:\d{2}\.\d+"
    r"|datetime\.datetime\([\d, ]+"
)
"""Text that holds a run of digits by chance, never a keyed number: keyed
hashes and session ids (hex), and times with their fractions of a second,
written out or as a row's ``datetime.datetime(2026, 12, 4, 17, 52, 28,
740213`` (one call's steps share one time), in which a six-digit PIN would
turn up now and then."""


def _leaks(texts: list[str]) -> list[tuple[str, str]]:
    scrubbed = [CHANCE.sub("#", text) for text in texts]
    keyed = [
        (secret, text[:120])
        for text in scrubbed
        for secret in SECRETS
        if secret in text
    ]
    return keyed + _spoken_leaks(texts)


def _spoken_leaks(texts: list[str]) -> list[tuple[str, str]]:
    """Answer values spelt out as the speech pieces that read them."""
    pieces = [as_pieces(text) for text in texts]
    return [
        (spoken, text[:120])
        for text in pieces
        for spoken in SPOKEN_ANSWERS
        if f" {spoken} " in text
    ]


def test_no_log_line_holds_a_full_number_or_pin() -> None:
    """Every log line of the query tests, DEBUG included, is clean."""
    assert _leaks(LOG_LINES) == []
    assert any(MASKED_A in line for line in LOG_LINES)


async def test_no_database_row_holds_a_full_number_or_pin() -> None:
    """Every row of every table the query tests wrote is clean."""
    rows: list[str] = []
    for url in DATABASES:
        rows += await _all_rows(url)

    assert _leaks(rows) == []
    assert any("query_lockouts" in row and MASKED_A in row for row in rows)
    assert any("call_steps" in row and MASKED_A in row for row in rows)
    assert any("call_steps" in row and "<money>" in row for row in rows)


def test_no_database_file_holds_a_full_number_or_pin() -> None:
    """Not even the SQLite files' raw bytes (free pages included) hold one."""
    files = [Path(str(make_url(url).database)) for url in DATABASES]
    contents = [path.read_bytes().decode("latin-1") for path in files]

    assert files
    assert _leaks(contents) == []


def test_no_http_reply_holds_a_full_number_or_pin() -> None:
    """The backends' replies carry answers, never the caller's inputs."""
    assert REPLIES
    assert _leaks(REPLIES) == []


async def test_no_redis_key_holds_a_full_number_or_pin() -> None:
    """The daily counters are named by keyed hashes only."""
    names: list[str] = []
    for url in set(REDIS_URLS):
        client = Redis.from_url(url, decode_responses=True)
        names += [name async for name in client.scan_iter("ivr:query-fail:*")]
        await client.aclose()

    assert names or not REDIS_URLS
    assert _leaks(names) == []


async def _all_rows(url: str) -> list[str]:
    engine = create_async_engine(url)
    found: list[str] = []
    async with engine.connect() as connection:
        tables = MetaData()
        await connection.run_sync(tables.reflect)
        for table in tables.sorted_tables:
            result = await connection.execute(select(table))
            found += [f"{table.name} {tuple(row)}" for row in result]
    await engine.dispose()
    return found
