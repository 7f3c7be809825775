"""build_ticket_desk assembles desk, store and reconciler from the configuration;
the reconciler deletes recordings past retention."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from ticket_rig import SHANGHAI, T0, call, migrated_engine, write_wav

from ivr.clock import FixedClock
from ivr.config import Config, load_config
from ivr.flow import WorkCalendar
from ivr.tickets import TicketConfigError, build_ticket_desk

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


def _config(tmp_path: Path, **tickets: object) -> Config:
    settings = {
        "state_file": str(tmp_path / "seq"),
        "recordings_dir": str(tmp_path / "rec"),
        "spool_dir": str(tmp_path / "spool"),
        **tickets,
    }
    return load_config(
        env={"IVR_PRIVACY_HASH_KEY": KEY, "IVR_ADMIN_TOKEN": KEY},
        overrides={"tickets": settings},
    )


async def test_a_spool_folder_that_cannot_be_made_stops_the_start(
    tmp_path: Path,
) -> None:
    """The spool is where tickets go in an outage: a spool_dir that cannot
    be created is refused when the desk is built, naming the setting."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    config = _config(tmp_path, spool_dir=str(blocker / "spool"))
    engine = await migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    try:
        with pytest.raises(TicketConfigError, match=r"tickets\.spool_dir .* cannot"):
            build_ticket_desk(config, engine, WorkCalendar(), FixedClock(T0))
        build_ticket_desk(_config(tmp_path), engine, WorkCalendar(), FixedClock(T0))
    finally:
        await engine.dispose()

    assert (tmp_path / "spool").is_dir()


async def test_one_number_at_a_time_leaves_no_gaps_between_processes(
    tmp_path: Path,
) -> None:
    """Classic AGI runs a process per call: with a block of one, desks that
    share the sequence file take consecutive numbers instead of each
    burning a block of 50 (a day's 10,000 numbers would last 200 calls)."""
    config = _config(tmp_path)
    engine = await migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    try:
        desks = [
            build_ticket_desk(
                config, engine, WorkCalendar(), FixedClock(T0), number_block=1
            ).desk
            for _ in range(2)
        ]
        numbers = [
            (await desk.begin("message", call(), ["message"])).number
            for desk in (*desks, *desks)
        ]
    finally:
        await engine.dispose()

    sequences = [int(number[-5:-1]) for number in numbers]
    assert sequences == [0, 1, 2, 3]


async def test_day_folders_are_closed_to_other_accounts(tmp_path: Path) -> None:
    """A day folder of callers' voices is not readable by other accounts."""
    engine = await migrated_engine(f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    try:
        parts = build_ticket_desk(
            _config(tmp_path), engine, WorkCalendar(), FixedClock(T0)
        )
        pending = await parts.desk.begin("message", call(), ["message"])
    finally:
        await engine.dispose()

    folder = Path(pending.recording["message"]).parent
    assert folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) & 0o007 == 0
