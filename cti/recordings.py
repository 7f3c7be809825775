"""Agent-call recordings: index, spot checks, views log and retention.

The dialplan records each agent call with MixMonitor into the configured
folder, named after the caller channel's Uniqueid: ``<Uniqueid>.wav``
(``MixMonitor(${RECORDINGS_DIR}/${UNIQUEID}.wav,b)`` before ``Queue``; the
``b`` option records only while bridged, apps/app_mixmonitor.c). The index
takes only plain names of that form, so a path can never leave the folder;
:meth:`RecordingIndex.path` resolves again and checks it anyway. Every
listing, playback and check is logged with who and when (norm art. 39).
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from cti.errors import NotFoundError
from ivr.records.schema import cti_recording_views, cti_recordings

__all__ = ["RECORDING_NAME", "RecordingIndex"]

logger = logging.getLogger("cti.recordings")

RECORDING_NAME = re.compile(r"^(?P<uniqueid>\d+\.\d+)\.wav$")
"""A recording's file name: the caller channel's Uniqueid and ``.wav``."""


class RecordingIndex:
    """The recordings folder and its rows in the records database."""

    def __init__(self, engine: AsyncEngine, folder: Path, retention_days: int) -> None:
        self._engine = engine
        self.folder = folder
        self.retention = timedelta(days=retention_days)

    async def scan(self) -> int:
        """Index files not seen before; return how many were added."""
        found = await asyncio.to_thread(_recording_files, self.folder)
        known = await self._known_names()
        fresh = [values for values in found if values["filename"] not in known]
        if fresh:
            async with self._engine.begin() as connection:
                # The retention job and a listing may scan at once.
                await connection.execute(_insert_new(connection.dialect.name), fresh)
        return len(fresh)

    async def _known_names(self) -> set[str]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(cti_recordings.c.filename))
            return {row.filename for row in rows}

    async def listing(self, viewer: str, now: datetime) -> list[dict[str, Any]]:
        """Recordings not deleted, newest first; the listing is logged."""
        query = (
            select(cti_recordings)
            .where(cti_recordings.c.deleted_at.is_(None))
            .order_by(cti_recordings.c.recorded_at.desc())
        )
        async with self._engine.connect() as connection:
            rows = [dict(r._mapping) for r in await connection.execute(query)]
        await self._log(0, viewer, "list", now)
        return rows

    async def path(self, recording_id: int, viewer: str, now: datetime) -> Path:
        """The file of a recording to stream; the playback is logged."""
        row = await self._row(recording_id)
        if row["deleted_at"] is not None:
            raise NotFoundError(f"recording {recording_id} was deleted")
        path = (self.folder / str(row["filename"])).resolve()
        if path.parent != self.folder.resolve() or not path.is_file():
            raise NotFoundError(f"recording {recording_id} has no file")
        await self._log(recording_id, viewer, "play", now)
        return path

    async def check(
        self, recording_id: int, viewer: str, score: int, comment: str, now: datetime
    ) -> dict[str, Any]:
        """Mark a recording as checked with a score and comment."""
        await self._row(recording_id)
        values = {
            "checked_by": viewer,
            "checked_at": now,
            "score": score,
            "comment": comment,
        }
        async with self._engine.begin() as connection:
            await connection.execute(
                update(cti_recordings)
                .where(cti_recordings.c.id == recording_id)
                .values(**values)
            )
        await self._log(recording_id, viewer, "check", now)
        return await self._row(recording_id)

    async def views(self) -> list[dict[str, Any]]:
        """The views log, oldest first."""
        query = select(cti_recording_views).order_by(cti_recording_views.c.id)
        async with self._engine.connect() as connection:
            return [dict(r._mapping) for r in await connection.execute(query)]

    async def enforce_retention(self, now: datetime) -> int:
        """Delete files older than the retention; mark them deleted."""
        limit = now - self.retention
        query = select(cti_recordings).where(
            cti_recordings.c.deleted_at.is_(None), cti_recordings.c.recorded_at < limit
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        for row in rows:
            await asyncio.to_thread((self.folder / row.filename).unlink, True)
            async with self._engine.begin() as connection:
                await connection.execute(
                    update(cti_recordings)
                    .where(cti_recordings.c.id == row.id)
                    .values(deleted_at=now)
                )
        if rows:
            logger.info("retention: deleted %d recording(s)", len(rows))
        return len(rows)

    async def _row(self, recording_id: int) -> dict[str, Any]:
        query = select(cti_recordings).where(cti_recordings.c.id == recording_id)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            raise NotFoundError(f"no recording {recording_id}")
        return dict(row._mapping)

    async def _log(
        self, recording_id: int, viewer: str, action: str, now: datetime
    ) -> None:
        values = {
            "recording_id": recording_id,
            "username": viewer,
            "action": action,
            "viewed_at": now,
        }
        async with self._engine.begin() as connection:
            await connection.execute(insert(cti_recording_views).values(**values))


def _recording_files(folder: Path) -> list[dict[str, Any]]:
    """Rows for the recordings in ``folder`` (run in a thread: disk I/O)."""
    if not folder.is_dir():
        return []
    rows = []
    for path in sorted(folder.iterdir()):
        match = RECORDING_NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        stat = path.stat()
        rows.append(
            {
                "uniqueid": match["uniqueid"],
                "filename": path.name,
                "size": stat.st_size,
                "recorded_at": datetime.fromtimestamp(stat.st_mtime, UTC),
            }
        )
    return rows


def _insert_new(dialect: str) -> Any:
    """INSERT that skips names already indexed (SQLite and PostgreSQL)."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(cti_recordings).on_conflict_do_nothing(
        index_elements=["filename"]
    )
