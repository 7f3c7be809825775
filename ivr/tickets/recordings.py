"""The message recordings folder shared with Asterisk.

Asterisk's ``Record()`` writes each part the caller records to
``<root>/<YYYY-MM-DD>/<ticket>-<part>.<format>``; the day is the local save
day, so a folder per day keeps listings short and retention simple. The
service names the path (without extension, as ``Record()`` takes it) and
later finds the files again: the desk to delete a discarded message, the
reconciler to complete a message whose call died, to adopt a file whose
entry was lost, and to delete day folders past the retention period.
"""

from __future__ import annotations

import contextlib
import logging
import re
import wave
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

__all__ = ["FoundRecording", "RecordingFolder", "wav_seconds"]

log = logging.getLogger("ivr.tickets.recordings")

_FILE_NAME = re.compile(
    r"^(?P<number>[0-9]{6,24})-(?P<part>[a-z][a-z0-9_]*)"
    r"(?:-(?P<take>[0-9]{1,3}))?\.\w+$"
)
_DAY_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class FoundRecording:
    """A recording file on disk: ticket number, part, take, path and when
    written. The first take of a part is ``<ticket>-<part>``, a retake
    ``<ticket>-<part>-<n>`` (take ``n``)."""

    number: str
    part: str
    path: Path
    modified_at: datetime
    take: int = 1

    @property
    def stem(self) -> str:
        """The path without extension, as stored in ``ticket_recordings``."""
        return str(self.path.with_suffix(""))


class RecordingFolder:
    """Paths of message recordings under ``root``, days judged in ``zone``."""

    def __init__(self, root: Path, zone: ZoneInfo, recording_format: str) -> None:
        self.root = root
        self.zone = zone
        self.format = recording_format

    def path(self, number: str, part: str, saved_at: datetime) -> str:
        """Where part ``part`` of ticket ``number`` is recorded, no extension."""
        return str(self._day_folder(saved_at) / f"{number}-{part}")

    def prepare(self, saved_at: datetime) -> None:
        """Create the day's folder when we can (Asterisk can create it too).

        Mode 0750: callers' voices are for the service's user and its group
        (Asterisk's, where the two differ), never for other accounts.
        """
        try:
            self._day_folder(saved_at).mkdir(mode=0o750, parents=True, exist_ok=True)
        except OSError as error:
            log.debug("cannot create the recordings folder: %s", error)

    def files(self, number: str, saved_at: datetime) -> list[FoundRecording]:
        """The recordings of ticket ``number`` saved at ``saved_at``, by part."""
        folder = self._day_folder(saved_at)
        found = (_found(path) for path in sorted(folder.glob(f"{number}-*.*")))
        return [item for item in found if item is not None and item.number == number]

    def remove(self, number: str, saved_at: datetime) -> int:
        """Delete ticket ``number``'s recordings; return how many were removed."""
        removed = 0
        for item in self.files(number, saved_at):
            item.path.unlink(missing_ok=True)
            removed += 1
        return removed

    def highest(self, stem: str, saved_at: datetime) -> str | None:
        """The highest ticket number starting with ``stem`` that has a
        recording in ``saved_at``'s day folder, or ``None``."""
        folder = self._day_folder(saved_at)
        found = (_found(path) for path in folder.glob(f"{stem}*-*.*"))
        numbers = [item.number for item in found if item is not None]
        return max(numbers, default=None)

    def prune(self, number: str, saved_at: datetime, sent: Collection[str]) -> int:
        """Delete the takes of ticket ``number`` that were not sent (paths
        without extension in ``sent`` are kept, in every format): a take
        the caller recorded again is their voice all the same, and nobody
        needs it once the ticket holds the one they chose. Return how many
        files were deleted."""
        removed = 0
        for item in self.files(number, saved_at):
            if item.stem not in sent:
                item.path.unlink(missing_ok=True)
                removed += 1
        return removed

    def scan(self, since: date, before: datetime) -> dict[str, list[FoundRecording]]:
        """Recordings in day folders from ``since`` on, written before ``before``,
        grouped by ticket number."""
        groups: dict[str, list[FoundRecording]] = {}
        for folder in self._day_folders(since):
            for path in sorted(folder.iterdir()):
                item = _found(path)
                if item is not None and item.modified_at < before:
                    groups.setdefault(item.number, []).append(item)
        return groups

    def purge(self, before: date) -> int:
        """Delete the day folders older than ``before`` (retention); return
        how many files went. Staff cannot fetch them past retention anyway."""
        removed = 0
        for folder in self._day_folders(date.min + timedelta(days=1)):
            if date.fromisoformat(folder.name) >= before:  # a day: checked above
                continue
            for path in folder.iterdir():
                if path.is_file():
                    path.unlink()
                    removed += 1
            with contextlib.suppress(OSError):
                folder.rmdir()
        if removed:
            log.info("deleted %d message recording(s) from before %s", removed, before)
        return removed

    def _day_folder(self, saved_at: datetime) -> Path:
        return self.root / saved_at.astimezone(self.zone).date().isoformat()

    def _day_folders(self, since: date) -> list[Path]:
        if not self.root.is_dir():
            return []
        folders = []
        for folder in sorted(self.root.iterdir()):
            day = _folder_day(folder)
            if day is not None and day >= since - timedelta(days=1):
                folders.append(folder)
        return folders


def _folder_day(folder: Path) -> date | None:
    """The day a day folder is for; ``None`` (with a warning) for anything
    else in the recordings root, such as ``2026-13-45`` or a stray file."""
    if not _DAY_FOLDER.match(folder.name) or not folder.is_dir():
        return None
    try:
        return date.fromisoformat(folder.name)
    except ValueError:
        log.warning("recordings folder %s is not a day; left alone", folder.name)
        return None


def _found(path: Path) -> FoundRecording | None:
    match = _FILE_NAME.match(path.name)
    if match is None or not path.is_file():
        return None
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    take = int(match["take"]) if match["take"] else 1
    return FoundRecording(match["number"], match["part"], path, modified, take)


def wav_seconds(path: Path) -> float:
    """The length of a WAV file in seconds; 0.0 for other or damaged files."""
    if path.suffix.lower() != ".wav":
        return 0.0
    try:
        with wave.open(str(path), "rb") as audio:
            rate = audio.getframerate()
            return audio.getnframes() / rate if rate else 0.0
    except (OSError, EOFError, wave.Error):
        return 0.0
