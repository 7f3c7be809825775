"""The query services a call uses: backends, attempt limits, the hash key.

:class:`QueryDesk` is built once by the service; each call gets its own
:class:`QueryCall` (:meth:`QueryDesk.for_call`), which holds the caller's
number (for the registered-phone check, never logged) and the call's
failed verifications.

The caller's number is used in one form only, China's national one
(:func:`ivr.privacy.national_number`: ``+8613800000000`` is
``13800000000``), both for the backend's registered-phone check and for
the per-caller daily counter. A withheld caller ID (``anonymous``, empty)
is nobody's number: it is sent as an empty ``caller`` and has no
per-caller counter, since all withheld callers would otherwise share one
and ten failures by anyone would lock every one of them out; such calls
are held by the per-call and per-ID-number limits only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ivr.privacy import hash_number, national_number
from ivr.queries.backend import BackendClient, QueryResult, Unavailable
from ivr.queries.limiter import AttemptLimiter, CallAttempts

__all__ = ["QueryCall", "QueryDesk"]


class QueryDesk:
    """The configured backends and the limiter, shared by every call."""

    def __init__(
        self,
        backends: Mapping[str, BackendClient],
        limiter: AttemptLimiter,
        hash_key: bytes,
    ) -> None:
        self.backends = dict(backends)
        self.limiter = limiter
        self.hash_key = hash_key

    def for_call(self, caller: str | None) -> QueryCall:
        """The per-call view: ``caller`` is the full number, or ``None``."""
        return QueryCall(self, caller)

    def problem(self, backend: str, query: str) -> str | None:
        """Why ``query`` of ``backend`` cannot be asked here, or ``None``."""
        client = self.backends.get(backend)
        if client is None:
            return f"no backend {backend!r} is configured"
        if query not in client.settings.queries:
            return f"backend {backend!r} has no query {query!r}"
        return None

    def health(self) -> dict[str, Any]:
        """The ``queries`` block of /health, from state already known.

        ``redis`` is the limiter's last known state (``ok``, ``down`` or
        ``off``); ``backends`` maps each backend to its circuit's state. No
        request is sent, so monitoring may poll it freely.
        """
        circuits = {name: c.breaker.state.value for name, c in self.backends.items()}
        return {"redis": self.limiter.redis_state, "backends": circuits}

    def refusal(self, backend: str) -> str | None:
        """Why ``backend`` would not be asked now, or ``None``.

        Checked before the caller keys anything, so no one keys 18 digits
        and a PIN to hear that the system is being adjusted.
        """
        client = self.backends.get(backend)
        if client is None:
            return f"no backend {backend!r} is configured"
        return "circuit open" if client.refusing else None

    async def ask(
        self, backend: str, query: str, inputs: Mapping[str, str], call_id: str
    ) -> QueryResult:
        """Ask ``query`` of ``backend``; an unknown backend is unavailable."""
        client = self.backends.get(backend)
        if client is None:
            return Unavailable(f"no backend {backend!r} is configured")
        return await client.query(query, inputs, call_id)

    async def close(self) -> None:
        """Close every backend's HTTP session."""
        for client in self.backends.values():
            await client.close()


@dataclass(slots=True)
class QueryCall:
    """One call's access to the queries: its caller and its failed tries."""

    desk: QueryDesk
    caller: str | None = field(repr=False)
    attempts: CallAttempts = field(default_factory=CallAttempts)

    @property
    def number(self) -> str | None:
        """The caller's national number, or ``None`` when it is withheld."""
        return national_number(self.caller)

    @property
    def caller_hash(self) -> str:
        """The keyed hash of :attr:`number` (the per-caller counter's name).

        Empty for a withheld number: it gets no per-caller counter.
        """
        return hash_number(self.number, self.desk.hash_key)
