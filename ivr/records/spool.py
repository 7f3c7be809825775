"""A JSONL file for call records that did not fit in memory.

When the database is down for long, the writer's queue would grow without
bound; instead it appends operations here (one JSON object a line) and
replays them once the database answers. To replay, the file is first renamed
to ``<name>.replay``, so new spills start a fresh file meanwhile; the replay
file is removed only when all of it is written, and a replay cut short (by a
shutdown or a crash) simply starts again: writes are idempotent upserts.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from ivr.records.rows import Op

__all__ = ["Spool"]

log = logging.getLogger("ivr.records.spool")


class Spool:
    """The spool file at ``path`` and its replay file beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.replay_path = path.with_name(path.name + ".replay")

    def append(self, ops: Iterable[Op]) -> int:
        """Append operations; return how many were written.

        Raises ``OSError`` when the file cannot be written.
        """
        lines = [json.dumps(op, ensure_ascii=False) + "\n" for op in ops]
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.writelines(lines)
        return len(lines)

    def has_pending(self) -> bool:
        """Return whether anything waits to be replayed."""
        return self.replay_path.exists() or _not_empty(self.path)

    def claim(self) -> Path | None:
        """Return the file to replay next, or ``None`` when there is none."""
        if self.replay_path.exists():
            return self.replay_path
        if not _not_empty(self.path):
            return None
        os.replace(self.path, self.replay_path)
        return self.replay_path

    def read(self, path: Path, offset: int, limit: int) -> tuple[list[Op], int]:
        """Read up to ``limit`` operations from byte ``offset``.

        Returns them and the offset after them. A line that is not JSON (cut
        short when the process died while writing it) is skipped with a
        warning: it cannot be written, and it must not stop the rest.
        """
        ops: list[Op] = []
        with path.open("rb") as handle:
            handle.seek(offset)
            while len(ops) < limit:
                line = handle.readline()
                if not line:
                    break
                ops.extend(_decode(line, path))
            return ops, handle.tell()

    def finish(self, path: Path) -> None:
        """Remove a replay file whose operations are all written."""
        path.unlink(missing_ok=True)


def _not_empty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False


def _decode(line: bytes, path: Path) -> list[Op]:
    if not line.strip():
        return []
    try:
        op = json.loads(line)
    except ValueError:
        log.warning("skipping a damaged line in the record spool %s", path)
        return []
    return [op] if isinstance(op, dict) else []
