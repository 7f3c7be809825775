"""Ticket writes kept on disk while the database is down, replayed later.

A caller's message must survive a database outage, so when the store does
not answer, :class:`PendingSpool` writes the step (``pending``,
``complete``, ``discard`` or ``request``) with the whole ticket entry to
one JSON file per ticket, ``<number>.json``. Unlike the call-record spool
(``ivr.records.spool``, one append-only JSONL file) a ticket's later step
replaces its earlier one, so the newest file says all there is to write.
Each file is written to a temporary name, ``fsync``'d, renamed over the old
one and the folder ``fsync``'d: a crash leaves the old file or the new, never
half of one. Files hold the full caller number, so they are mode 0600.

Replaying applies each file through the store's idempotent writes and
removes it once written; a replay cut short by another outage simply runs
again, and the unique ticket number keeps anything from being written twice.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.tickets.entries import Part, TicketEntry
from ivr.tickets.errors import (
    TicketConfigError,
    TicketsError,
    TicketStateError,
    TicketStorageError,
)
from ivr.tickets.store import TicketStore

__all__ = ["STEPS", "PendingSpool", "SpooledStep"]

log = logging.getLogger("ivr.tickets.pending_spool")

STEPS = ("pending", "complete", "discard", "request")


@dataclass(frozen=True, slots=True)
class SpooledStep:
    """The newest step of one ticket waiting in the spool."""

    step: str
    entry: TicketEntry
    at: datetime
    parts: tuple[Part, ...] = ()
    reason: str = ""


class PendingSpool:
    """The spool folder ``directory``, created (mode 0700) by :meth:`prepare`
    at start-up or on first write."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def prepare(self) -> None:
        """Create the folder now and check it can be written.

        The spool is the only place a ticket goes while the database is
        down, so a folder that cannot be written is found at start-up
        (:class:`TicketConfigError`), not by a caller during an outage.
        """
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise TicketConfigError(
                f"tickets.spool_dir {self.directory} cannot be created: "
                f"{error.strerror or error}"
            ) from error
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise TicketConfigError(
                f"tickets.spool_dir {self.directory} is not writable by this "
                "service's user"
            )

    def write(self, spooled: SpooledStep) -> None:
        """Store ``spooled`` durably; :class:`TicketStorageError` if impossible."""
        data = {
            "step": spooled.step,
            "entry": spooled.entry.to_json(),
            "at": spooled.at.isoformat(),
            "parts": [list(part) for part in spooled.parts],
            "reason": spooled.reason,
        }
        try:
            self._write_file(spooled.entry.number, json.dumps(data, ensure_ascii=False))
        except OSError as error:
            raise TicketStorageError(
                f"cannot spool ticket {spooled.entry.number}: {error}"
            ) from error

    def read(self, number: str) -> SpooledStep | None:
        """The spooled step of ticket ``number``, or ``None``."""
        path = self.directory / f"{number}.json"
        return _load(path) if path.exists() else None

    def holds(self, number: str) -> bool:
        """Whether ticket ``number`` has a step here, waiting or set aside."""
        return any(
            (self.directory / f"{number}{suffix}").exists()
            for suffix in (".json", ".clash")
        )

    def highest(self, stem: str) -> str | None:
        """The highest number starting with ``stem`` with a step here."""
        if not self.directory.is_dir():
            return None
        found = [
            path.name.split(".")[0]
            for suffix in ("json", "clash")
            for path in self.directory.glob(f"{stem}*.{suffix}")
        ]
        return max(found, default=None)

    def numbers(self) -> list[str]:
        """The ticket numbers waiting in the spool, oldest file first."""
        if not self.directory.is_dir():
            return []
        files = sorted(self.directory.glob("*.json"), key=_age)
        return [path.stem for path in files]

    def remove(self, number: str) -> None:
        """Forget ticket ``number``'s spooled step (it is in the database)."""
        (self.directory / f"{number}.json").unlink(missing_ok=True)

    async def replay(self, store: TicketStore) -> int:
        """Write every spooled step to ``store``; return how many were applied.

        Database errors propagate (the rest waits for the next replay); a
        step the ticket's state refuses is dropped with a warning; a step
        whose number another call's ticket has is set aside (``.clash``).
        """
        applied = 0
        for number in self.numbers():
            path = self.directory / f"{number}.json"
            before = _stamp(path)
            spooled = self.read(number)
            if spooled is None:
                continue
            owner = await store.call_of(number)
            if owner is not None and owner != spooled.entry.uniqueid:
                self._set_aside(number, path)
                continue
            try:
                await _apply(store, spooled)
            except TicketStateError as error:
                log.warning(
                    "dropping spooled %s of %s: %s", spooled.step, number, error
                )
            if _stamp(path) == before:
                # A newer step written meanwhile (by a call) waits for next time.
                path.unlink(missing_ok=True)
            applied += 1
        if applied:
            log.info("replayed %d spooled ticket step(s)", applied)
        return applied

    def clashes(self) -> list[str]:
        """Ticket numbers whose spooled step was set aside: another call's
        ticket has the number (see :meth:`replay`)."""
        if not self.directory.is_dir():
            return []
        found = self.directory.glob("*.clash")
        return sorted(path.name.split(".")[0] for path in found)

    def _set_aside(self, number: str, path: Path) -> None:
        """Keep a clashing step for staff, out of the replay's way.

        Two calls were told one number (the sequence file lost while the
        database was down): writing this one would merge two callers into
        one ticket, and dropping it would lose a message.
        """
        path.rename(path.with_suffix(".clash"))
        log.error(
            "spooled ticket %s: the number belongs to another call's ticket; "
            "its step is kept as %s.clash for staff",
            number,
            number,
        )

    def _write_file(self, number: str, text: str) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self.directory / f"{number}.json"
        temporary = self.directory / f".{number}.json.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
        folder = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _age(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # replayed meanwhile
        return 0.0


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_mtime_ns, status.st_ino


def _load(path: Path) -> SpooledStep | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        parts = tuple((str(p[0]), str(p[1]), float(p[2])) for p in data["parts"])
        step = str(data["step"])
        if step not in STEPS:
            raise TicketsError(f"unknown step {step!r}")
        return SpooledStep(
            step=step,
            entry=TicketEntry.from_json(data["entry"]),
            at=datetime.fromisoformat(data["at"]),
            parts=parts,
            reason=str(data.get("reason", "")),
        )
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        TicketsError,
    ) as error:
        damaged = path.with_suffix(".damaged")
        log.warning("setting aside the damaged spool file %s: %s", path.name, error)
        path.replace(damaged)
        return None


async def _apply(store: TicketStore, spooled: SpooledStep) -> None:
    entry, at = spooled.entry, spooled.at
    if spooled.step == "pending":
        await store.insert_pending(entry, at)
    elif spooled.step == "complete":
        await store.complete(entry, spooled.parts, at)
    elif spooled.step == "discard":
        await store.discard(entry, spooled.reason, at)
    else:
        await store.request(entry, at)
    log.debug("replayed %s of ticket %s", spooled.step, entry.number)
