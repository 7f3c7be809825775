"""Tests for the background call-record writer (``ivr.records.writer``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from ivr.privacy import hash_number, mask_number
from ivr.records import CallRecordWriter, RecordStore, migrate
from ivr.records.rows import Op, finish_op, start_op
from ivr.records.schema import call_steps, calls
from ivr.trace import CallTrace, Outcome, OutcomeKind, Step

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 3, 4, 9, 30, 0, tzinfo=SHANGHAI)
NUMBER = "13912345678"
KEY = b"test-hash-key-0123456789"


def make_trace(uniqueid: str, number: str = NUMBER) -> CallTrace:
    """A finished call through two nodes to an agent queue."""
    later = START + timedelta(seconds=12)
    steps = [
        Step("welcome", "play", START, prompts=["welcome"], result="done"),
        Step("main", "menu", START, "2", ["main_menu", "zh"], "2", later),
    ]
    return CallTrace(
        uniqueid=uniqueid,
        started_at=START,
        flow_version="2025.03",
        caller_masked=mask_number(number),
        caller_hash=hash_number(number, KEY),
        channel="PJSIP/trunk-00000001",
        steps=steps,
        outcome=Outcome(OutcomeKind.QUEUE, "main", "pension", "ANSWERED"),
        ended_at=later,
    )


class FakeBackoff:
    """A backoff sleep that records delays and can run a hook instead of waiting."""

    def __init__(
        self, hook_after: int = 0, hook: Callable[[], None] | None = None
    ) -> None:
        self.delays: list[float] = []
        self._hook_after = hook_after
        self._hook = hook
        self._slept = asyncio.Condition()

    async def __call__(self, delay: float) -> None:
        """Record the delay, run the hook when due, and yield once."""
        self.delays.append(delay)
        if self._hook is not None and len(self.delays) == self._hook_after:
            self._hook()
        async with self._slept:
            self._slept.notify_all()
        await asyncio.sleep(0)

    async def wait_for(self, count: int) -> None:
        """Return once the writer has backed off ``count`` times."""
        async with self._slept:
            await self._slept.wait_for(lambda: len(self.delays) >= count)


class GatedStore(RecordStore):
    """A store whose writes wait for a gate: a database that hangs."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    async def write_batch(self, ops: Sequence[Op]) -> None:
        """Wait for the gate, then write."""
        self.entered.set()
        await self.gate.wait()
        await super().write_batch(ops)


class FlakyStore(RecordStore):
    """A store that refuses connections while ``down`` is true."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.down = True
        self.failures = 0

    async def write_batch(self, ops: Sequence[Op]) -> None:
        """Fail like a refused connection, or write."""
        if self.down:
            self.failures += 1
            raise ConnectionRefusedError("connection refused (injected)")
        await super().write_batch(ops)


@pytest.fixture
async def url(db_url: str) -> str:
    """A migrated, empty database."""
    await migrate(db_url)
    return db_url


@pytest.fixture
async def writer(url: str, tmp_path: Path) -> AsyncIterator[CallRecordWriter]:
    """A started writer on a working database."""
    record_writer = CallRecordWriter(url, spool_path=tmp_path / "spool.jsonl")
    record_writer.start()
    yield record_writer
    await record_writer.close(timeout=10)


async def all_rows(store: RecordStore) -> list[dict[str, Any]]:
    """Every row of both tables."""
    async with store.engine.connect() as connection:
        rows = [
            dict(row)
            for table in (calls, call_steps)
            for row in (await connection.execute(select(table))).mappings()
        ]
    return rows


async def test_finished_trace_round_trips_with_steps(
    writer: CallRecordWriter,
) -> None:
    """A started then finished call is stored once, with outcome and steps."""
    trace = make_trace("1700000000.1")

    writer.record_started(trace)
    writer.record_finished(trace)
    await writer.flush()
    stored = await writer.get_call("1700000000.1")

    assert stored is not None
    assert await writer.count_calls() == 1
    assert stored["started_at"] == START
    assert stored["ended_at"] == START + timedelta(seconds=12)
    assert stored["caller_masked"] == "139******78"
    assert stored["caller_hash"] == hash_number(NUMBER, KEY)
    assert (stored["outcome_kind"], stored["outcome_node"]) == ("queue", "main")
    assert (stored["queue"], stored["queue_status"]) == ("pension", "ANSWERED")
    assert [s["node_id"] for s in stored["steps"]] == ["welcome", "main"]
    assert stored["steps"][1]["prompts"] == ["main_menu", "zh"]
    assert stored["steps"][1]["keys"] == "2"
    assert stored["steps"][0]["left_at"] is None
    assert await writer.get_call("no-such-call") is None


async def test_finish_before_start_is_not_overwritten(
    writer: CallRecordWriter,
) -> None:
    """A finish written before its start keeps its outcome (upsert by session)."""
    trace = make_trace("1700000000.2")
    started = make_trace("1700000000.2")
    started.session_id = trace.session_id
    started.outcome, started.ended_at = None, None

    writer.record_finished(trace)
    await writer.flush()
    writer.record_started(started)
    await writer.flush()
    stored = await writer.get_call("1700000000.2")

    assert stored is not None
    assert stored["outcome_kind"] == "queue"
    assert len(stored["steps"]) == 2
    assert await writer.count_calls() == 1


async def test_two_sessions_on_one_channel_keep_two_records(
    writer: CallRecordWriter,
) -> None:
    """A channel that runs the IVR twice (a transfer back) keeps both records."""
    first, second = make_trace("1700000000.3"), make_trace("1700000000.3")
    second.outcome = Outcome(OutcomeKind.HANGUP, "welcome")

    writer.record_finished(first)
    writer.record_finished(second)
    await writer.flush()

    assert await writer.count_calls() == 2
    newest = await writer.get_call("1700000000.3")
    assert newest is not None and newest["outcome_kind"] == "hangup"


async def test_slow_database_does_not_block_the_call_path(
    url: str, tmp_path: Path
) -> None:
    """While a write hangs, record_finished returns at once and keeps queueing."""
    store = GatedStore(url)
    writer = CallRecordWriter(url, store=store, spool_path=tmp_path / "s.jsonl")
    writer.start()
    writer.record_finished(make_trace("slow.1"))
    await store.entered.wait()

    writer.record_finished(make_trace("slow.2"))
    writer.record_finished(make_trace("slow.3"))
    pending_while_blocked = writer.status()["pending"]
    stored_while_blocked = await store.count_calls()
    store.gate.set()
    await writer.flush()

    assert pending_while_blocked == 3
    assert stored_while_blocked == 0
    assert await store.count_calls() == 3
    await writer.close(timeout=10)


async def test_database_down_then_up_loses_nothing(url: str, tmp_path: Path) -> None:
    """Failed writes are retried with growing delays until the database is back."""
    store = FlakyStore(url)
    backoff = FakeBackoff(hook_after=4, hook=lambda: setattr(store, "down", False))
    writer = CallRecordWriter(
        url,
        store=store,
        spool_path=tmp_path / "s.jsonl",
        retry_initial=0.5,
        retry_max=3.0,
        sleep=backoff,
    )
    writer.start()

    for number in range(5):
        writer.record_finished(make_trace(f"down.{number}"))
    await writer.flush()

    assert backoff.delays == [0.5, 1.0, 2.0, 3.0]
    assert store.failures == 4
    assert await store.count_calls() == 5
    assert writer.status() == {"pending": 0, "spooled": False, "last_error": None}
    await writer.close(timeout=10)


async def test_queue_overflow_spills_to_spool_and_replays(
    url: str, tmp_path: Path
) -> None:
    """Beyond max_pending, records go to the spool file and are replayed later."""
    spool = tmp_path / "s.jsonl"
    store = FlakyStore(url)
    backoff = FakeBackoff(hook_after=2, hook=lambda: setattr(store, "down", False))
    writer = CallRecordWriter(
        url, store=store, spool_path=spool, max_pending=2, sleep=backoff
    )
    writer.start()

    for number in range(7):
        writer.record_finished(make_trace(f"spill.{number}"))
    spooled_lines = spool.read_text(encoding="utf-8").splitlines()
    await writer.flush()

    assert len(spooled_lines) == 6
    assert NUMBER not in "".join(spooled_lines)
    assert await store.count_calls() == 7
    assert not spool.exists()
    assert not spool.with_name("s.jsonl.replay").exists()
    await writer.close(timeout=10)


async def test_unwritten_records_survive_a_restart(url: str, tmp_path: Path) -> None:
    """Closing while the database is down spools; the next writer replays."""
    spool = tmp_path / "s.jsonl"
    down = FlakyStore(url)
    first = CallRecordWriter(url, store=down, spool_path=spool, sleep=FakeBackoff())
    first.start()
    call = make_trace("restart.1")
    first.record_started(call)
    first.record_finished(call)
    first.record_finished(make_trace("restart.2"))

    await first.close(timeout=0)
    lines_after_close = len(spool.read_text(encoding="utf-8").splitlines())
    second = CallRecordWriter(url, spool_path=spool)
    second.start()
    await second.flush()

    assert lines_after_close == 3
    assert await second.count_calls() == 2
    assert not spool.exists()
    await second.close(timeout=10)


async def test_no_full_caller_number_is_stored(writer: CallRecordWriter) -> None:
    """No column of any row holds a caller's full number."""
    numbers = ["13912345678", "02188886666", "8001"]
    for index, number in enumerate(numbers):
        trace = make_trace(f"privacy.{index}", number)
        writer.record_started(trace)
        writer.record_finished(trace)
    await writer.flush()

    rows = await all_rows(writer.store)
    text = repr(rows)

    assert len(rows) == 3 + 3 * 2
    for number in numbers:
        assert number not in text
        assert hash_number(number, KEY) in text


async def test_unreachable_postgres_is_retried_not_raised(tmp_path: Path) -> None:
    """A real refused connection counts as a retryable fault, shown in status."""
    spool = tmp_path / "s.jsonl"
    backoff = FakeBackoff()
    writer = CallRecordWriter(
        "postgresql+asyncpg://ivr@127.0.0.1:1/ivr", spool_path=spool, sleep=backoff
    )
    writer.start()
    writer.record_finished(make_trace("refused.1"))

    await backoff.wait_for(2)
    status = writer.status()
    await writer.close(timeout=0)

    assert status["pending"] == 1
    assert status["last_error"]
    assert "refused.1" in spool.read_text(encoding="utf-8")


async def test_a_batch_costs_a_few_statements_however_large(url: str) -> None:
    """100 calls (start and finish each) are written with five statements,
    so the writer's share of the event loop does not grow with the batch."""
    store = RecordStore(url)
    await migrate(url)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]).split()[0])

    event.listen(store.engine.sync_engine, "before_cursor_execute", count)
    traces = [make_trace(f"batch.{n}") for n in range(100)]
    ops = [op for trace in traces for op in (start_op(trace), finish_op(trace))]
    await store.write_batch(ops)
    stored = await store.count_calls()
    await store.dispose()

    assert stored == 100
    assert len(statements) <= 5, statements
