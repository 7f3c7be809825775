"""The AMI client's settings and connection states."""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["ACTION_STATES", "AMIConfig", "ConnectionState"]


class ConnectionState(enum.Enum):
    """Where the link is; actions are accepted from BOOTING on."""

    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    LOGGING_IN = "logging in"
    BOOTING = "booting"
    SYNCING = "syncing"
    READY = "ready"
    STOPPED = "stopped"


ACTION_STATES = frozenset(
    {ConnectionState.BOOTING, ConnectionState.SYNCING, ConnectionState.READY}
)


@dataclass(frozen=True, slots=True)
class AMIConfig:
    """How to reach and log in to Asterisk, and the client's deadlines.

    ``login_timeout`` must exceed manager.c's one-second sleep before
    "Authentication failed" (action_login). ``events`` is Login's Events
    mask (``on``, ``off`` or classes such as ``call,agent,system``). Without
    system read permission no FullyBooted comes: set ``expect_fully_booted``
    to False and CoreStatus is polled instead.
    """

    username: str
    secret: str
    host: str = "127.0.0.1"
    port: int = 5038
    events: str = "on"
    connect_timeout: float = 5.0
    login_timeout: float = 5.0
    action_timeout: float = 10.0
    originate_timeout: float = 60.0
    expect_fully_booted: bool = True
    boot_timeout: float = 30.0
    core_status_interval: float = 2.0
    fallback_encoding: str = "gb18030"
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    auth_backoff_base: float = 10.0
    auth_backoff_cap: float = 600.0
