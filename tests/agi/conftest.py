"""Fixtures for the AGI tests; the helpers live in ``agi_wire``."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from agi_wire import SessionPeer

from ivr.agi.session import AGISession


@pytest.fixture
async def peer() -> AsyncIterator[SessionPeer]:
    """A session over a connected socket pair, closed after the test."""
    ours, theirs = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=ours)
    peer_reader, peer_writer = await asyncio.open_connection(sock=theirs)
    session = AGISession(reader, writer, label="test")
    try:
        yield SessionPeer(session, peer_reader, peer_writer)
    finally:
        await session.close()
        peer_writer.close()
        await peer_writer.wait_closed()
