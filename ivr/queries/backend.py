"""Ask a configured backend over HTTP: retries, timeouts, a circuit breaker.

:class:`BackendClient` sends one query and always returns a
:data:`QueryResult`, never raises for a backend's faults, so a call always
has a way on:

- :class:`Found` with the answer's fields,
- :class:`NotFound`: the backend knows no such person or certificate,
- :class:`VerificationFailed`: the PIN or registered phone does not match,
- :class:`Unavailable` with a reason (timeout, connection, server error,
  a reply not as agreed, an open circuit).

The agreed reply is JSON ``{"result": "ok", "fields": {...}}`` with HTTP 200,
or ``{"result": "not_found"}`` / ``{"result": "verification_failed"}`` with
HTTP 200 or a 4xx. Only such a body means "not found": a 404 without it is
most often a mistyped URL in ``config/backends.yaml``, so it is a fault like
any other 4xx (unavailable, counted by the breaker, logged as a warning
with the status), never an unknown caller to lock out. Timeouts, connection
faults and 5xx replies are retried (``retries`` times, ``backoff`` seconds
doubled each time, by ``tenacity``) and count as failures for the breaker
(:mod:`ivr.queries.breaker`); a 4xx reply is a configuration mistake: it
counts for the breaker but is not retried, and neither is a refusal by an
open circuit. A redirect (3xx) is never followed: it would send the
credentials and the caller's inputs to wherever it points; it is a fault
like a 4xx. Log lines name the backend and query only: inputs, URLs,
headers and replies may hold personal data or secrets.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from ivr.queries.backend_config import BackendSettings, Endpoint
from ivr.queries.breaker import BackendBreaker
from ivr.queries.errors import BackendError, BackendReplyError, CircuitOpenError

__all__ = [
    "BackendClient",
    "Found",
    "NotFound",
    "QueryResult",
    "Unavailable",
    "VerificationFailed",
]

logger = logging.getLogger("ivr.queries.backend")


@dataclass(frozen=True, slots=True)
class Found:
    """The backend answered; ``fields`` are the values to read to the caller."""

    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NotFound:
    """The backend knows no such person, card or certificate."""


@dataclass(frozen=True, slots=True)
class VerificationFailed:
    """The PIN, registered phone or holder did not match."""


@dataclass(frozen=True, slots=True)
class Unavailable:
    """No answer could be had; ``reason`` is for logs and call records."""

    reason: str


QueryResult = Found | NotFound | VerificationFailed | Unavailable


class BackendClient:
    """One configured backend: an aiohttp session and a circuit breaker."""

    def __init__(self, settings: BackendSettings) -> None:
        self.settings = settings
        self.breaker = BackendBreaker(
            settings.name, settings.failures_to_open, settings.open_seconds
        )
        self._session: aiohttp.ClientSession | None = None

    @property
    def refusing(self) -> bool:
        """Whether :meth:`query` would now answer "circuit open" unasked."""
        return self.breaker.refusing

    async def close(self) -> None:
        """Close the HTTP session (idempotent)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def query(
        self, name: str, inputs: Mapping[str, str], call_id: str = "-"
    ) -> QueryResult:
        """Ask query ``name`` with ``inputs``; see the module docstring."""
        endpoint = self.settings.queries.get(name)
        if endpoint is None:
            logger.warning(
                "call %s: backend %s has no query %s", call_id, self.settings.name, name
            )
            return Unavailable("unknown query")
        try:
            return await self._retrying()(
                self._attempt, endpoint, inputs, name, call_id
            )
        except CircuitOpenError:
            return Unavailable("circuit open")
        except BackendReplyError as exc:
            if exc.status < 500:
                return Unavailable(str(exc))
            return Unavailable("no answer")
        except BackendError:
            return Unavailable("no answer")

    def _retrying(self) -> AsyncRetrying:
        """Tenacity's policy: ``retries`` more tries, ``backoff`` s doubled."""
        return AsyncRetrying(
            retry=retry_if_exception(_worth_retrying),
            stop=stop_after_attempt(self.settings.retries + 1),
            wait=wait_exponential(multiplier=self.settings.backoff, min=0),
            reraise=True,
        )

    async def _attempt(
        self, endpoint: Endpoint, inputs: Mapping[str, str], name: str, call_id: str
    ) -> QueryResult:
        """One request through the breaker; a failure is logged and raised."""
        try:
            return await self.breaker.call(
                lambda: self._send(endpoint.method, endpoint.url, inputs)
            )
        except BackendError as exc:
            self._log_failure(call_id, name, exc)
            raise

    def _log_failure(self, call_id: str, name: str, exc: BackendError) -> None:
        logger.warning(
            "call %s: backend %s query %s failed: %s",
            call_id,
            self.settings.name,
            name,
            exc,
        )

    async def _send(
        self, method: str, template: str, inputs: Mapping[str, str]
    ) -> QueryResult:
        url = self._url(template, inputs)
        data = dict(inputs)
        post = method == "POST"
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout)
        try:
            async with self._http().request(
                method,
                url,
                json=data if post else None,
                params=None if post else data,
                timeout=timeout,
                allow_redirects=False,
            ) as response:
                return await _read_reply(response)
        except TimeoutError as exc:
            raise BackendError(f"no reply within {self.settings.timeout:g}s") from exc
        except aiohttp.ClientError as exc:
            raise BackendError(f"connection failed ({type(exc).__name__})") from exc

    def _url(self, template: str, inputs: Mapping[str, str]) -> str:
        try:
            path = template.format_map(dict(inputs))
        except (KeyError, ValueError, IndexError) as exc:
            raise BackendError("the URL template names a missing input") from exc
        if path.startswith(("http://", "https://")):
            return path
        return self.settings.base_url + "/" + path.lstrip("/")

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            headers = dict(self.settings.headers)
            if self.settings.username:
                headers["Authorization"] = _basic_auth(
                    self.settings.username, self.settings.password
                )
            self._session = aiohttp.ClientSession(
                headers=headers, raise_for_status=False
            )
        return self._session


def _basic_auth(username: str, password: str) -> str:
    """The ``Authorization`` value of HTTP basic auth (RFC 7617, UTF-8).

    Built here because ``aiohttp.BasicAuth`` warns of its removal from 3.14
    on, and its replacement does not exist before 3.14.
    """
    pair = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def _worth_retrying(exc: BaseException) -> bool:
    """Retry timeouts, connection faults and 5xx; never a 4xx or an open circuit."""
    if isinstance(exc, BackendReplyError):
        return exc.status >= 500
    return isinstance(exc, BackendError)


async def _read_reply(response: aiohttp.ClientResponse) -> QueryResult:
    """Turn a reply into a result; raise :class:`BackendReplyError` otherwise.

    Only the body says "not found" or "verification failed" (with HTTP 200
    or a 4xx): a bare 404 is a wrong URL or a backend fault, not an answer.
    """
    status = response.status
    answered = status == 200 or 400 <= status < 500
    body = await _json_body(response) if answered else None
    reply = body if isinstance(body, dict) else {}
    result = reply.get("result")
    if status == 200 and result == "ok" and isinstance(reply.get("fields"), dict):
        return Found(reply["fields"])
    if answered and result in _REFUSALS:
        return _REFUSALS[result]
    if 300 <= status < 400:
        raise BackendReplyError(f"HTTP {status}, a redirect (not followed)", status)
    if status != 200:
        raise BackendReplyError(f"HTTP {status}", status)
    if body is None:
        raise BackendReplyError("HTTP 200, not JSON", status)
    raise BackendReplyError("HTTP 200, no known result", status)


_REFUSALS: dict[object, QueryResult] = {
    "not_found": NotFound(),
    "verification_failed": VerificationFailed(),
}


async def _json_body(response: aiohttp.ClientResponse) -> object:
    """The reply's JSON, or ``None`` when it has none."""
    try:
        body: object = await response.json()
    except (aiohttp.ContentTypeError, ValueError):
        return None
    return body
