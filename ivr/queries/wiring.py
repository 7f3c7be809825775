"""Build the query services from the configuration, start and stop them.

:class:`QueryServices` is what :class:`ivr.service.Service` owns: the demo
backend (when ``queries.demo_backend`` is on), one :class:`BackendClient`
per configured backend, the Redis client of the daily limits and the
lockout book. A missing backends file is not fatal (the flow's queries then
answer "unavailable", with a warning at start); a wrong one is.
"""

from __future__ import annotations

import logging
from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from ivr.config import QueriesSettings
from ivr.queries.backend import BackendClient
from ivr.queries.backend_config import (
    DEMO_URL,
    BackendSettings,
    load_backends,
    with_demo_url,
)
from ivr.queries.counters import REDIS_TIMEOUT
from ivr.queries.demo_backend import DemoBackend
from ivr.queries.desk import QueryDesk
from ivr.queries.limiter import AttemptLimiter, AttemptLimits, LockoutBook

__all__ = ["QueryServices"]

logger = logging.getLogger("ivr.queries.wiring")

DEMO_HOST = "127.0.0.1"


class QueryServices:
    """The query services of one running service."""

    def __init__(
        self, settings: QueriesSettings, hash_key: bytes, engine: AsyncEngine
    ) -> None:
        self.settings = settings
        self._hash_key = hash_key
        self._engine = engine
        self.demo: DemoBackend | None = None
        self.desk: QueryDesk | None = None
        self._redis: Redis | None = None

    async def start(self) -> QueryDesk:
        """Read the backends, start the demo if configured; raise on a bad file.

        Raises ``BackendConfigError`` for a wrong backends file and
        ``OSError`` when the demo port is taken.
        """
        backends = self._backends()
        if self.settings.demo_backend:
            self.demo = DemoBackend(DEMO_HOST, self.settings.demo_port)
            await self.demo.start()
            backends = with_demo_url(backends, self.demo.url)
        backends = _without_demo(backends)
        self._redis = self._redis_client()
        limits = AttemptLimits(self.settings.per_caller_day, self.settings.per_id_day)
        limiter = AttemptLimiter(limits, self._redis, LockoutBook(self._engine))
        clients = {name: BackendClient(item) for name, item in backends.items()}
        self.desk = QueryDesk(clients, limiter, self._hash_key)
        return self.desk

    async def stop(self) -> None:
        """Close the backends' sessions, Redis and the demo (idempotent)."""
        if self.desk is not None:
            await self.desk.close()
            self.desk = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None
        if self.demo is not None:
            await self.demo.close()
            self.demo = None

    def _backends(self) -> dict[str, BackendSettings]:
        path = self.settings.backends_file
        if not path or not Path(path).is_file():
            logger.warning(
                "no backends file at %r: self-service queries answer unavailable",
                path,
            )
            return {}
        return load_backends(path)

    def _redis_client(self) -> Redis | None:
        if not self.settings.redis_url:
            logger.warning("queries.redis_url is empty: daily query limits are off")
            return None
        return Redis.from_url(
            self.settings.redis_url,
            socket_timeout=REDIS_TIMEOUT,
            socket_connect_timeout=REDIS_TIMEOUT,
        )


def _without_demo(backends: dict[str, BackendSettings]) -> dict[str, BackendSettings]:
    """Drop backends still pointing at the demo (it is off), with a warning."""
    kept = {}
    for name, item in backends.items():
        if item.base_url == DEMO_URL:
            logger.warning(
                "backend %s uses the demo backend, which is off "
                "(queries.demo_backend): its queries answer unavailable",
                name,
            )
            continue
        kept[name] = item
    return kept
