"""Write call records in the background, so no caller waits for the database.

The call path calls :meth:`CallRecordWriter.record_started` and
:meth:`CallRecordWriter.record_finished`: plain methods that snapshot the
trace and queue it. One background task writes the queue in batches. A failed
batch is retried with exponential backoff; while the database is down the
queue is kept in memory up to ``max_pending`` operations, and beyond that
spilled to a JSONL spool file (``ivr.records.spool``) that is replayed when
the database is back. Nothing is dropped while the process lives, and what is
left at shutdown goes to the spool for the next start.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ivr.records.errors import WriterStateError
from ivr.records.rows import Op, finish_op, start_op
from ivr.records.spool import Spool
from ivr.records.store import RecordStore
from ivr.trace import CallTrace

__all__ = ["CallRecordWriter"]

log = logging.getLogger("ivr.records.writer")

Sleep = Callable[[float], Awaitable[None]]


class CallRecordWriter:
    """Queue call records and write them to the database in the background.

    ``store`` replaces the database access (tests inject slow or failing
    stores); ``sleep`` replaces the backoff wait (tests inject a clock-free
    one). Use :meth:`start` inside the running loop and :meth:`close` on the
    way out.
    """

    def __init__(
        self,
        url: str,
        *,
        store: RecordStore | None = None,
        spool_path: Path = Path(".ivr-records-spool.jsonl"),
        max_pending: int = 10_000,
        batch_size: int = 200,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
        write_timeout: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._store = store or RecordStore(url)
        self._spool = Spool(spool_path)
        self._max_pending = max_pending
        self._batch_size = batch_size
        self._retry = (retry_initial, retry_max)
        self._write_timeout = write_timeout
        self._sleep = sleep
        self._pending: deque[Op] = deque()
        self._inflight: list[Op] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._last_error: str | None = None

    @property
    def store(self) -> RecordStore:
        """The database access this writer uses."""
        return self._store

    def start(self) -> None:
        """Start the background task; replays any spool left from before."""
        if self._task is not None or self._closed:
            raise WriterStateError("the call-record writer was already started")
        self._task = asyncio.create_task(self._run(), name="call-record-writer")
        self._wake.set()

    def record_started(self, trace: CallTrace) -> None:
        """Queue the start of a call; never blocks, never raises."""
        self._enqueue(start_op(trace))

    def record_finished(self, trace: CallTrace) -> None:
        """Queue a finished call with its steps; never blocks, never raises."""
        self._enqueue(finish_op(trace))

    def status(self) -> dict[str, Any]:
        """Describe the writer for health checks (no personal data)."""
        return {
            "pending": len(self._pending) + len(self._inflight),
            "spooled": self._spool.has_pending(),
            "last_error": self._last_error,
        }

    async def flush(self) -> None:
        """Wait until everything queued or spooled so far is written."""
        if self._task is None or self._closed:
            raise WriterStateError("the call-record writer is not running")
        self._wake.set()
        idle = asyncio.create_task(self._idle.wait())
        try:
            await asyncio.wait({idle, self._task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            idle.cancel()
        if self._task.done():
            self._task.result()
            raise WriterStateError("the call-record writer stopped")

    async def close(self, timeout: float) -> None:
        """Flush for up to ``timeout`` seconds, spool the rest, release the DB."""
        if self._task is not None and not self._closed:
            try:
                async with asyncio.timeout(timeout):
                    await self.flush()
            except TimeoutError:
                log.warning("call records not written in %.1fs; spooling", timeout)
            await self._stop()
        self._closed = True
        await self._store.dispose()

    async def get_call(self, uniqueid: str) -> dict[str, Any] | None:
        """Return one stored call with its steps, or ``None``."""
        return await self._store.get_call(uniqueid)

    async def count_calls(self) -> int:
        """Return how many calls are stored."""
        return await self._store.count_calls()

    async def _stop(self) -> None:
        assert self._task is not None
        self._closed = True
        self._task.cancel()
        try:
            await self._task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
        finally:
            self._spill([*self._inflight, *self._pending])
            self._inflight = []

    def _enqueue(self, op: Op) -> None:
        if self._closed:
            self._spill([op])
            return
        self._pending.append(op)
        if len(self._pending) > self._max_pending:
            self._spill(self._pending)
        self._idle.clear()
        self._wake.set()

    def _spill(self, ops: deque[Op] | list[Op]) -> None:
        """Move operations to the spool file; keep them in memory if it fails."""
        if not ops:
            return
        try:
            count = self._spool.append(ops)
        except OSError as exc:
            log.error("cannot spool call records to %s: %s", self._spool.path, exc)
            return
        ops.clear()
        log.warning("spooled %d call records to %s", count, self._spool.path)

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self._drain()
            if not self._pending and not self._spool.has_pending():
                self._idle.set()

    async def _drain(self) -> None:
        while self._pending:
            count = min(self._batch_size, len(self._pending))
            self._inflight = [self._pending.popleft() for _ in range(count)]
            await self._write(self._inflight)
            self._inflight = []
        while (path := self._spool.claim()) is not None:
            await self._replay(path)

    async def _replay(self, path: Path) -> None:
        offset = 0
        while True:
            ops, offset_after = self._spool.read(path, offset, self._batch_size)
            if not ops:
                break
            await self._write(ops)
            offset = offset_after
        self._spool.finish(path)
        log.info("replayed the call-record spool %s", path)

    async def _write(self, ops: list[Op]) -> None:
        """Write one batch, retrying with backoff until it is stored."""
        attempt = 0
        while True:
            try:
                async with asyncio.timeout(self._write_timeout):
                    await self._store.write_batch(ops)
            except (SQLAlchemyError, OSError) as exc:
                attempt += 1
                await self._back_off(attempt, exc)
                continue
            if self._last_error is not None:
                log.info("call-record database reachable again")
                self._last_error = None
            return

    async def _back_off(self, attempt: int, exc: BaseException) -> None:
        initial, ceiling = self._retry
        delay = min(ceiling, initial * 2 ** (attempt - 1))
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        self._last_error = f"{type(exc).__name__}: {reason}"
        log.warning(
            "writing call records failed (attempt %d), retrying in %.1fs: %s",
            attempt,
            delay,
            self._last_error,
        )
        await self._sleep(delay)
