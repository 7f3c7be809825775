"""Lines a person types at the terminal, for :class:`~ivr.sim.InteractiveCaller`.

A request for digits has a timeout, and the service may close the call while
the person is still typing: either must end the wait at once. A thread
blocked in ``readline()`` cannot be stopped and would keep ``ivr call`` from
exiting, so a terminal or a pipe is watched with ``loop.add_reader()`` and
read with ``os.read()`` only once it has something. A stream that cannot be
watched (a regular file, ``io.StringIO``) never blocks and is read directly.

A line belongs to the read that waits when Enter is pressed. Several lines
that arrive at once (keys piped in) are kept for the following reads. A line
that arrives while no read waits (the last request timed out and the service
has not asked again) is dropped and handed to ``on_late``: Asterisk also
drops keys pressed between AGI commands (run_agi() in res/res_agi.c reads
and frees the channel's frames while it waits for the next command).
"""

from __future__ import annotations

import asyncio
import codecs
import os
from collections import deque
from collections.abc import Callable
from typing import TextIO

__all__ = ["Keyboard"]

_CHUNK = 4096


class Keyboard:
    """One person's lines from ``stream``; reads can be cancelled at any time."""

    def __init__(self, stream: TextIO, on_late: Callable[[str], None]) -> None:
        self.stream = stream
        self.on_late = on_late
        self._lines: deque[str] = deque()
        self._text = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._eof = False
        self._waiter: asyncio.Future[None] | None = None
        self._fd: int | None = None
        self._watchable: bool | None = None

    async def read_line(self) -> str:
        """The next line with its newline, ``""`` at end of input.

        Cancelling the read leaves the stream watched, so a line finished
        afterwards is reported late unless another read waits for it.
        """
        if not self._lines and not self._eof and not self._watch():
            return self.stream.readline()
        while not self._lines and not self._eof:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._lines.popleft() if self._lines else ""

    def close(self) -> None:
        """Stop watching the stream (the call is over)."""
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)
            self._fd = None

    def _watch(self) -> bool:
        if self._fd is not None or self._watchable is False:
            return self._fd is not None
        try:
            fd = self.stream.fileno()
            asyncio.get_running_loop().add_reader(fd, self._on_readable)
        except (OSError, ValueError):
            # io.UnsupportedOperation (no descriptor), or epoll's EPERM for a
            # regular file: such a stream never blocks, so read it directly.
            self._watchable = False
            return False
        self._watchable = True
        self._fd = fd
        return True

    def _on_readable(self) -> None:
        self._take(self._read_chunk())
        waiting = self._waiter is not None and not self._waiter.done()
        if not waiting:
            self._drop_late()
        elif self._lines or self._eof:
            assert self._waiter is not None
            self._waiter.set_result(None)
            self.close()
        if self._eof:
            self.close()

    def _read_chunk(self) -> bytes:
        assert self._fd is not None
        try:
            return os.read(self._fd, _CHUNK)
        except OSError:
            return b""

    def _take(self, chunk: bytes) -> None:
        self._eof = not chunk
        self._text += self._decoder.decode(chunk, final=self._eof)
        *complete, self._text = self._text.split("\n")
        self._lines.extend(line + "\n" for line in complete)
        if self._eof and self._text:
            self._lines.append(self._text)
            self._text = ""

    def _drop_late(self) -> None:
        while self._lines:
            self.on_late(self._lines.popleft())
