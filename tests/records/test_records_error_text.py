"""Database errors never carry a statement's parameters into their text.

SQLAlchemy puts the parameters of a failed statement into the exception's
message, and that message reaches the log wherever a fault is reported
("ticket reconciliation postponed: ..."). Tickets bind full caller and fax
numbers, so every engine the service creates hides them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ivr.records import RecordStore, migrate

NUMBER = "13512345678"


async def test_a_failed_statement_does_not_show_its_parameters(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'records.sqlite3'}"
    await migrate(url)
    store = RecordStore(url)
    try:
        with pytest.raises(SQLAlchemyError) as caught:
            async with store.engine.begin() as connection:
                await connection.execute(
                    text("INSERT INTO no_such_table (caller) VALUES (:caller)"),
                    {"caller": NUMBER},
                )
    finally:
        await store.engine.dispose()

    assert "no_such_table" in str(caught.value)
    assert NUMBER not in str(caught.value)
