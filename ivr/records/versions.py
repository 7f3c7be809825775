"""The flow versions the service has loaded, kept to show and to roll back to.

Each successful load stores the version (a hash of every source file), when
and why it was loaded (start-up, SIGHUP, the admin API, a roll-back) and the
text of each file, so an earlier version can be written back and loaded
again with one command even after the files on disk were replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import RowMapping, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from ivr.records.rows import to_utc
from ivr.records.schema import flow_versions

__all__ = ["FlowVersionStore", "StoredVersion"]


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One load of one flow version."""

    id: int
    version: str
    loaded_at: datetime
    source: str
    flow_path: str
    files: Mapping[str, str]

    def summary(self) -> dict[str, Any]:
        """The version without its file texts, for listings."""
        return {
            "id": self.id,
            "version": self.version,
            "loaded_at": self.loaded_at.isoformat(),
            "source": self.source,
            "files": sorted(self.files),
        }


class FlowVersionStore:
    """Reads and writes ``flow_versions`` through the records engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(
        self,
        version: str,
        *,
        loaded_at: datetime,
        source: str,
        flow_path: str,
        files: Mapping[str, str],
    ) -> None:
        """Store one successful load."""
        row = {
            "version": version,
            # SQLite keeps no offset: store UTC, as the call records do.
            "loaded_at": loaded_at.astimezone(UTC),
            "source": source[:128],
            "flow_path": flow_path,
            "files": dict(files),
        }
        async with self._engine.begin() as connection:
            await connection.execute(insert(flow_versions), row)

    async def history(self, limit: int = 20) -> list[StoredVersion]:
        """The newest loads first."""
        query = select(flow_versions).order_by(flow_versions.c.id.desc()).limit(limit)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [_stored(row) for row in rows]

    async def find(self, version: str) -> StoredVersion | None:
        """The newest load of ``version`` (a prefix of 6 or more characters)."""
        if len(version) < 6:
            return None
        query = (
            select(flow_versions)
            .where(flow_versions.c.version.startswith(version, autoescape=True))
            .order_by(flow_versions.c.id.desc())
            .limit(1)
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().one_or_none()
        return _stored(row) if row is not None else None

    async def previous(self, current: str) -> StoredVersion | None:
        """The newest version loaded before ``current`` that differs from it."""
        query = (
            select(flow_versions)
            .where(flow_versions.c.version != current)
            .order_by(flow_versions.c.id.desc())
            .limit(1)
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().one_or_none()
        return _stored(row) if row is not None else None


def _stored(row: RowMapping) -> StoredVersion:
    return StoredVersion(
        id=row["id"],
        version=row["version"],
        loaded_at=to_utc(row["loaded_at"]) or row["loaded_at"],
        source=row["source"],
        flow_path=row["flow_path"],
        files=dict(row["files"]),
    )
