"""Classic AGI: Asterisk runs our script with the call on stdin and stdout.

stdout is the command channel, so it carries only framed commands: while the
handler runs, ``sys.stdout`` points at stderr so a stray ``print`` cannot
reach Asterisk (Asterisk issue #2069 crashed on such output). Asterisk
signals a hang-up with SIGHUP unless ``AGISIGHUP=no`` (res/res_agi.c run_agi,
``kill(pid, SIGHUP)``); we turn it into the session's dead mode instead of
dying, so the handler can still save its call record.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator

from ivr.agi.call import AGIHandler, read_environment, run_call
from ivr.agi.errors import AGIHandshakeError
from ivr.agi.session import AGISession

__all__ = ["run_classic_agi"]

logger = logging.getLogger("ivr.agi.classic")


async def open_pipes(
    stdin: int, stdout: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Wrap two file descriptors (pipes) in an asyncio stream pair."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    read_pipe = os.fdopen(stdin, "rb", buffering=0, closefd=False)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), read_pipe
    )
    write_pipe = os.fdopen(stdout, "wb", buffering=0, closefd=False)
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader()), write_pipe
    )
    return reader, asyncio.StreamWriter(transport, protocol, reader, loop)


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send stray ``print`` output to stderr while the call runs."""
    saved = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = saved


@contextlib.contextmanager
def _hangup_signals(session: AGISession) -> Iterator[None]:
    """Mark the session hung up on SIGHUP; let writes fail instead of SIGPIPE."""
    loop = asyncio.get_running_loop()
    previous_pipe = signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    loop.add_signal_handler(signal.SIGHUP, session.mark_hung_up)
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGHUP)
        signal.signal(signal.SIGPIPE, previous_pipe)


async def run_classic_agi(
    handler: AGIHandler,
    *,
    stdin: int = 0,
    stdout: int = 1,
    reply_timeout: float | None = None,
) -> int:
    """Run one classic AGI call on ``stdin``/``stdout``; return an exit status.

    0 when the handler finished (a hang-up counts as finished), 1 when the
    environment never arrived or the handler crashed.
    """
    reader, writer = await open_pipes(stdin, stdout)
    try:
        env = await read_environment(reader)
    except AGIHandshakeError as exc:
        logger.warning("classic AGI environment incomplete: %s", exc)
        writer.close()
        return 1
    session = AGISession(
        reader, writer, reply_timeout=reply_timeout, label=env.get("agi_uniqueid")
    )
    with _stdout_to_stderr(), _hangup_signals(session):
        finished = await run_call(handler, session, env)
    return 0 if finished else 1
