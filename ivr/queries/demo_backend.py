"""A demonstration backend with fictional records, to try the queries.

Started by the service when ``queries.demo_backend`` is true (the embedded
defaults; never in production), on its own port (``queries.demo_port``,
loopback only), and named ``base_url: demo`` in the backends file. It
speaks the reply format of :mod:`ivr.queries.backend`.

Every person here is invented: names 测试用户甲/乙, ID numbers in region
110101 that pass the check digit but belong to nobody we know of, PINs and
phone numbers of test ranges. :data:`DEMO_PEOPLE` is what the README lists
for ``ivr call``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

__all__ = ["DEMO_CERTIFICATES", "DEMO_PEOPLE", "DemoBackend", "DemoPerson", "demo_app"]

logger = logging.getLogger("ivr.queries.demo_backend")


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """One fictional insured person and what the demo says about them."""

    name: str
    id_number: str
    pin: str
    phone: str
    contributions: Mapping[str, Any]
    pension: Mapping[str, Any]
    card_stage: str


DEMO_PEOPLE = (
    DemoPerson(
        name="测试用户甲",
        id_number="11010119700101018X",
        pin="135790",
        phone="13800000000",
        contributions={"months_paid": 182, "last_month": "2026-10", "base": "6520.00"},
        pension={"last_amount": "3456.70", "last_date": "2026-11-15"},
        card_stage="ready",
    ),
    DemoPerson(
        name="测试用户乙",
        id_number="110101197001010016",
        pin="246802",
        phone="13900000000",
        contributions={"months_paid": 2, "last_month": "2026-11", "base": "4200.50"},
        pension={"last_amount": "2000", "last_date": "2026-10-15"},
        card_stage="producing",
    ),
)
"""The demo's people: key the ID number with ``*`` for X."""

DEMO_CERTIFICATES: dict[str, dict[str, Any]] = {
    "2024110100001": {
        "holder": "11010119700101018X",
        "fields": {"status": "valid", "level": "4", "issued": "2024-06-30"},
    },
    "2019110100002": {
        "holder": "110101197001010016",
        "fields": {"status": "revoked", "level": "3", "issued": "2019-03-01"},
    },
}
"""Vocational certificate number (digits only, keyable) -> holder and answer."""


def _by_pin(person: DemoPerson, body: Mapping[str, Any]) -> bool:
    return str(body.get("pin", "")) == person.pin


def _by_phone(person: DemoPerson, body: Mapping[str, Any]) -> bool:
    return str(body.get("caller", "")) == person.phone


def _verified(person: DemoPerson, body: Mapping[str, Any]) -> bool:
    """PIN when one is sent, else the registered phone."""
    return _by_pin(person, body) if "pin" in body else _by_phone(person, body)


def _person_query(
    answer: Callable[[DemoPerson], Mapping[str, Any]],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        body = await _body(request)
        person = _find(str(body.get("id_number", "")))
        if person is None:
            return _reply("not_found")
        if not _verified(person, body):
            return _reply("verification_failed")
        return _reply("ok", answer(person))

    return handle


async def _certificate(request: web.Request) -> web.Response:
    body = await _body(request)
    found = DEMO_CERTIFICATES.get(str(body.get("certificate", "")))
    if found is None:
        return _reply("not_found")
    if str(body.get("id_number", "")) != found["holder"]:
        return _reply("verification_failed")
    return _reply("ok", found["fields"])


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise web.HTTPBadRequest(text="expected a JSON body") from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="expected a JSON object")
    return body


def _find(id_number: str) -> DemoPerson | None:
    return next((p for p in DEMO_PEOPLE if p.id_number == id_number), None)


def _reply(result: str, fields: Mapping[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"result": result}
    if fields is not None:
        body["fields"] = dict(fields)
    return web.json_response(body)


def demo_app() -> web.Application:
    """The demo backend's routes (one POST per query of the shipped flow)."""
    app = web.Application()
    app.router.add_post("/si/contributions", _person_query(lambda p: p.contributions))
    app.router.add_post("/pension/payments", _person_query(lambda p: p.pension))
    app.router.add_post(
        "/card/progress", _person_query(lambda p: {"stage": p.card_stage})
    )
    app.router.add_post("/certificates/check", _certificate)
    return app


class DemoBackend:
    """The demo app listening on its own loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self._port = host, port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The base URL the backends with ``base_url: demo`` use."""
        return f"http://{self.host}:{self.port}"

    @property
    def port(self) -> int:
        """The port it listens on (the real one when 0 was asked)."""
        for site in self._runner.sites if self._runner else ():
            server = getattr(site, "_server", None)
            if server is not None and server.sockets:
                port: int = server.sockets[0].getsockname()[1]
                return port
        return self._port

    async def start(self) -> None:
        """Listen; raise ``OSError`` when the port is taken."""
        # No access log: even fictional ID numbers stay out of log files, as
        # real ones must (they travel in the body, but the habit matters).
        self._runner = web.AppRunner(demo_app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self._port).start()
        logger.info("demo query backend on %s (fictional records)", self.url)

    async def close(self) -> None:
        """Stop listening (idempotent)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
