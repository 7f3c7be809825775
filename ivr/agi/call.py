"""Per-call glue shared by FastAGI and classic AGI.

Both transports read the environment the same way and run the handler under
the same top-level guard; only how the streams are obtained differs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ivr.agi.errors import AGIHandshakeError
from ivr.agi.messages import AGIEnvironment
from ivr.agi.parser import EnvironmentParser
from ivr.agi.session import AGISession
from ivr.channel import CallerHungUp

__all__ = ["AGIHandler", "read_environment", "run_call"]

logger = logging.getLogger("ivr.agi.call")

AGIHandler = Callable[[AGISession, AGIEnvironment], Awaitable[None]]
"""What runs one call: ``async def handler(session, env) -> None``."""


async def read_environment(reader: asyncio.StreamReader) -> AGIEnvironment:
    """Read lines up to the empty line that ends the AGI environment.

    Reads line by line so no byte after the environment is consumed. Raises
    :class:`AGIHandshakeError` on end of stream (a zero-byte health check or
    a hang-up mid-handshake) or on a line that is not ``key: value``.
    """
    parser = EnvironmentParser()
    while not parser.done:
        try:
            line = await reader.readline()
        except ValueError as exc:
            raise AGIHandshakeError("environment line too long") from exc
        if not line.endswith(b"\n"):
            raise AGIHandshakeError(f"end of stream after {parser.lines} lines")
        parser.feed(line)
    return parser.environment()


async def run_call(
    handler: AGIHandler, session: AGISession, env: AGIEnvironment
) -> bool:
    """Run the handler for one call; the per-call top handler.

    Returns False when the handler crashed. A hang-up escaping the handler
    is normal and logged at info; any other exception is logged with its
    traceback (messages carry no caller data). The session is closed either
    way; cancellation propagates.
    """
    try:
        async with session:
            await handler(session, env)
    except CallerHungUp:
        logger.info("call %s ended by hang-up", session.label)
    except Exception:
        logger.exception("call %s failed in its handler", session.label)
        return False
    return True
