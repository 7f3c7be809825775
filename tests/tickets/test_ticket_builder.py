"""build_ticket_desk assembles desk, store and reconciler from the configuration;
the reconciler deletes recordings past retention."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from ticket_rig import SHANGHAI, T0, call, migrated_engine, write_wav

from ivr.clock import FixedClock
from ivr.config import load_config
from ivr.flow import WorkCalendar
from ivr.tickets import build_ticket_desk

KEY = "k" * 32


async def test_built_desk_follows_the_configuration(tmp_path: Path) -> None:
    """Prefix, node, folders, deadlines and fax settings come from config."""
    config = load_config(
        env={"IVR_PRIVACY_HASH_KEY": KEY, "IVR_ADMIN_TOKEN": KEY},
        overrides={
            "tickets": {
                "prefix": "33",
                "node": 2,
                "state_file": str(tmp_path / "seq"),
                "recordings_dir": str(tmp_path / "rec"),
                "spool_dir": str(tmp_path / "spool"),
                "complaint_days": 5,
                "retention_days": 30,
                "fax_documents": [
                    {"key": "1", "id": "form", "title": "表", "path": "/f.tif"}
                ],
            }
        },
    )
    engine = await migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    clock = FixedClock(T0)
    try:
        parts = build_ticket_desk(config, engine, WorkCalendar(), clock)
        pending = await parts.desk.begin("complaint", call(), ["name", "matter"])
        old = tmp_path / "rec" / "2026-01-05"
        stale = write_wav(str(old / "33260105200017-message"))
        moment = clock.now(SHANGHAI).timestamp()
        os.utime(stale, (moment, moment))
        result = await parts.reconciler.run_once()
    finally:
        await engine.dispose()

    assert pending.number.startswith("332603102")
    assert pending.recording["name"].startswith(str(tmp_path / "rec" / "2026-03-10"))
    assert pending.deadline.working_days == 5
    assert [d.id for d in parts.desk.fax_documents()] == ["form"]
    assert not old.exists()
    assert result.adopted == ()


async def test_a_fax_document_without_its_file_is_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A configured document whose TIFF is missing is named in a warning at
    start-up: callers could ask for it, and it could never be sent."""
    present = tmp_path / "guide.tif"
    present.write_bytes(b"II*\0")
    documents = [
        {"key": "1", "id": "guide", "title": "指南", "path": str(present)},
        {"key": "2", "id": "form", "title": "表", "path": str(tmp_path / "no.tif")},
    ]
    config = load_config(
        env={"IVR_PRIVACY_HASH_KEY": KEY, "IVR_ADMIN_TOKEN": KEY},
        overrides={
            "tickets": {
                "state_file": str(tmp_path / "seq"),
                "recordings_dir": str(tmp_path / "rec"),
                "spool_dir": str(tmp_path / "spool"),
                "fax_documents": documents,
            }
        },
    )
    engine = await migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    try:
        with caplog.at_level(logging.WARNING, logger="ivr.tickets.builder"):
            build_ticket_desk(config, engine, WorkCalendar(), FixedClock(T0))
    finally:
        await engine.dispose()

    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1
    assert "fax document form" in warned[0]
