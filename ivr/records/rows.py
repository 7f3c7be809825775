"""Turn a :class:`~ivr.trace.CallTrace` into JSON-able write operations.

An operation is a snapshot taken when the call path hands the trace over, so
later changes to the trace cannot race with the background writer. It is
plain JSON (times as ISO 8601 in UTC), so the same form is kept in memory,
spilled to the spool file and replayed. Text is cut to its column's length:
a value that can never be stored would otherwise be retried for ever.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table

from ivr.records.schema import call_steps, calls
from ivr.trace import CallTrace, Step

__all__ = ["Op", "call_values", "finish_op", "start_op", "step_values", "to_utc"]

Op = dict[str, Any]
"""One write: ``{"op": "start" | "finish", "call": {...}, "steps": [...]}``."""

_TIME_FIELDS = ("started_at", "ended_at", "entered_at", "left_at")


def to_utc(moment: datetime | None) -> datetime | None:
    """Return ``moment`` in UTC; a naive time (as SQLite gives back) is UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _iso(moment: datetime | None) -> str | None:
    utc = to_utc(moment)
    return utc.isoformat() if utc else None


def _fit(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Cut strings to their column's declared length."""
    for name, value in values.items():
        length = getattr(table.c[name].type, "length", None)
        if isinstance(value, str) and length and len(value) > length:
            values[name] = value[:length]
    return values


def _call_part(trace: CallTrace) -> dict[str, Any]:
    outcome = trace.outcome
    return _fit(
        calls,
        {
            "session_id": trace.session_id,
            "uniqueid": trace.uniqueid,
            "started_at": _iso(trace.started_at),
            "ended_at": _iso(trace.ended_at),
            "flow_version": trace.flow_version,
            "caller_masked": trace.caller_masked,
            "caller_hash": trace.caller_hash,
            "channel": trace.channel,
            "language": trace.language,
            "outcome_kind": outcome.kind.value if outcome else None,
            "outcome_node": outcome.node_id if outcome else "",
            "queue": outcome.queue if outcome else "",
            "queue_status": outcome.queue_status if outcome else "",
            "detail": outcome.detail if outcome else "",
        },
    )


def _step_part(seq: int, step: Step) -> dict[str, Any]:
    return _fit(
        call_steps,
        {
            "seq": seq,
            "node_id": step.node_id,
            "kind": step.kind,
            "entered_at": _iso(step.entered_at),
            "left_at": _iso(step.left_at),
            "keys": step.keys,
            "prompts": list(step.prompts),
            "result": step.result,
        },
    )


def start_op(trace: CallTrace) -> Op:
    """Snapshot the start of a call (no steps, no outcome)."""
    return {"op": "start", "call": _call_part(trace), "steps": []}


def finish_op(trace: CallTrace) -> Op:
    """Snapshot a finished call with all its steps."""
    steps = [_step_part(seq, step) for seq, step in enumerate(trace.steps)]
    return {"op": "finish", "call": _call_part(trace), "steps": steps}


def _parsed(values: dict[str, Any]) -> dict[str, Any]:
    parsed = dict(values)
    for name in _TIME_FIELDS:
        if parsed.get(name):
            parsed[name] = datetime.fromisoformat(parsed[name])
    return parsed


def call_values(op: Op) -> dict[str, Any]:
    """The ``calls`` row values of an operation, with times parsed back."""
    return _parsed(op["call"])


def step_values(op: Op, call_id: int) -> list[dict[str, Any]]:
    """The ``call_steps`` rows of an operation for the stored call ``call_id``."""
    return [{**_parsed(step), "call_id": call_id} for step in op["steps"]]
