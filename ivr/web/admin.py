"""The admin API: reload the flow, roll it back, list the versions loaded.

``POST /admin/reload``, ``POST /admin/rollback`` (body ``{"to": VERSION}``,
optional) and ``GET /admin/versions``. Every route needs the admin bearer
token (``Authorization: Bearer <token>``); without a configured token the
API is switched off and answers 403. The token is compared in constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ivr.web.middleware import json_dumps

__all__ = ["ADMIN_API", "AdminAPI", "add_admin_routes"]

Result = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class AdminAPI:
    """What the admin routes call; each returns a JSON-able result."""

    token: bytes
    reload: Callable[[str], Awaitable[Result]]
    rollback: Callable[[str | None], Awaitable[Result]]
    versions: Callable[[], Awaitable[Sequence[Result]]]


ADMIN_API: web.AppKey[AdminAPI] = web.AppKey("admin_api")


def _authorise(request: web.Request) -> AdminAPI:
    """Return the admin API for an authorised request, or raise 401/403."""
    api = request.app[ADMIN_API]
    if not api.token:
        raise web.HTTPForbidden(reason="the admin API is switched off (no token)")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), api.token
    ):
        raise web.HTTPUnauthorized(
            reason="admin token required",
            headers={"WWW-Authenticate": 'Bearer realm="ivr-admin"'},
        )
    return api


def _json(body: Any, ok: bool = True) -> web.Response:
    status = 200 if ok else 422
    return web.json_response(body, status=status, dumps=json_dumps)


async def reload(request: web.Request) -> web.Response:
    """``POST /admin/reload``: 200 with the new version, 422 with the errors."""
    result = await _authorise(request).reload("admin API")
    return _json(result, bool(result.get("ok")))


async def rollback(request: web.Request) -> web.Response:
    """``POST /admin/rollback``: restore ``to`` or the previous version."""
    api = _authorise(request)
    body = await request.json() if request.can_read_body else {}
    target = body.get("to") if isinstance(body, dict) else None
    if target is not None and not isinstance(target, str):
        raise web.HTTPBadRequest(reason='"to" must be a version string')
    result = await api.rollback(target)
    return _json(result, bool(result.get("ok")))


async def versions(request: web.Request) -> web.Response:
    """``GET /admin/versions``: the versions loaded, newest first."""
    return _json({"versions": list(await _authorise(request).versions())})


def add_admin_routes(app: web.Application, api: AdminAPI) -> None:
    """Mount the admin routes on ``app``."""
    app[ADMIN_API] = api
    app.router.add_post("/admin/reload", reload)
    app.router.add_post("/admin/rollback", rollback)
    app.router.add_get("/admin/versions", versions)
