"""What is written when a ticket begins: one plain value, for row and spool alike.

:class:`TicketEntry` is everything the desk knows at :meth:`begin` time
(number, kind, call, deadline); the store turns it into a ``tickets`` row,
the pending spool into a JSON file, and back. Times are aware and kept in
UTC. The full caller number is in it, so it is never logged (its ``repr``
hides it) and the spool files are private (mode 0600).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from ivr.records.rows import to_utc
from ivr.tickets.errors import TicketsError

__all__ = ["Part", "TicketEntry", "part_rows"]

Part = tuple[str, str, float]
"""One recorded part as stored: (part name, path without extension, seconds)."""


@dataclass(frozen=True, slots=True)
class TicketEntry:
    """A ticket as it is first written (pending, or new for a fax request)."""

    number: str
    kind: str
    saved_at: datetime
    deadline_at: datetime
    deadline_days: int
    deadline_provisional: bool
    uniqueid: str = ""
    caller: str = field(default="", repr=False)
    caller_hash: str = ""
    caller_masked: str = ""
    menu_path: tuple[str, ...] = ()
    area: str = ""
    language: str = ""
    flow_version: str = ""
    fax_document: str = ""
    fax_number: str = field(default="", repr=False)
    fax_state: str = ""

    def row(self, state: str, now: datetime) -> dict[str, Any]:
        """The ``tickets`` row values of this entry in ``state``."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["menu_path"] = list(self.menu_path)
        values["saved_at"] = to_utc(self.saved_at)
        values["deadline_at"] = to_utc(self.deadline_at)
        return {**values, "state": state, "updated_at": to_utc(now)}

    def to_json(self) -> dict[str, Any]:
        """A JSON-able mapping (times as ISO 8601) for the spool."""
        data = asdict(self)
        data["menu_path"] = list(self.menu_path)
        data["saved_at"] = self.saved_at.isoformat()
        data["deadline_at"] = self.deadline_at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TicketEntry:
        """The entry :meth:`to_json` wrote; :class:`TicketsError` if damaged."""
        try:
            values = dict(data)
            values["menu_path"] = tuple(values.get("menu_path", ()))
            values["saved_at"] = datetime.fromisoformat(values["saved_at"])
            values["deadline_at"] = datetime.fromisoformat(values["deadline_at"])
            return cls(**values)
        except (KeyError, TypeError, ValueError) as error:
            raise TicketsError(f"not a ticket entry: {error}") from error


def part_rows(ticket_id: int, number: str, parts: list[Part]) -> list[dict[str, Any]]:
    """The ``ticket_recordings`` rows of a ticket's recorded parts."""
    return [
        {
            "ticket_id": ticket_id,
            "number": number,
            "part": name,
            "path": path,
            "seconds": seconds,
        }
        for name, path, seconds in parts
    ]
