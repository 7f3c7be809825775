"""The HTTP service: health check and a read-only view of the loaded flow.

:func:`make_app` builds the aiohttp application from two providers, so this
package knows nothing of the flow engine or the call records: the service
passes in what to show. Nothing served here is personal data, so there is no
authentication yet; staff accounts will come as one more middleware passed
to ``make_app``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from ivr.web.admin import AdminAPI, add_admin_routes
from ivr.web.middleware import json_dumps, json_errors

__all__ = ["FLOW_PROVIDER", "HEALTH_PROVIDER", "Provider", "make_app"]

Provider = Callable[[], Mapping[str, Any] | Awaitable[Mapping[str, Any]]]
"""A function, plain or async, returning a JSON-able mapping."""

FLOW_PROVIDER: web.AppKey[Provider] = web.AppKey("flow_provider")
HEALTH_PROVIDER: web.AppKey[Provider] = web.AppKey("health_provider")

HEALTHY = "ok"

Viewer = Callable[[web.Request], Awaitable[bool]]
"""Whether a request comes from someone allowed to see the service's details."""

VIEWER: web.AppKey[Viewer] = web.AppKey("viewer")


async def _provided(provider: Provider) -> Mapping[str, Any]:
    result = provider()
    if inspect.isawaitable(result):
        return await result
    return result


def _json(body: Mapping[str, Any], status: int = 200) -> web.Response:
    # Health and flow change while the service runs; caches must not keep them.
    headers = {"Cache-Control": "no-store"}
    return web.json_response(body, status=status, headers=headers, dumps=json_dumps)


async def health(request: web.Request) -> web.Response:
    """``GET /health``: 200 when the status is ``"ok"``, else 503 (degraded).

    Load balancers and monitoring read the status code and ``status``, open
    to all; the details (open calls, flow version, database, AMI and
    calendar state) only go to an authenticated viewer.
    """
    report = await _provided(request.app[HEALTH_PROVIDER])
    status = 200 if report.get("status") == HEALTHY else 503
    if not await request.app[VIEWER](request):
        return _json({"status": report.get("status")}, status)
    return _json(report, status)


async def flow(request: web.Request) -> web.Response:
    """``GET /flow``: the loaded flow (version, load time, nodes), for staff."""
    if not await request.app[VIEWER](request):
        raise web.HTTPUnauthorized(
            reason="login required",
            headers={"WWW-Authenticate": 'Bearer realm="ivr"'},
        )
    return _json(await _provided(request.app[FLOW_PROVIDER]))


async def _nobody(request: web.Request) -> bool:
    return False


def make_app(
    *,
    flow_provider: Provider,
    health_provider: Provider,
    middlewares: Sequence[Middleware] = (),
    admin: AdminAPI | None = None,
    viewer: Viewer | None = None,
) -> web.Application:
    """Build the HTTP application.

    ``flow_provider`` returns the flow view, ``health_provider`` the health
    report (``{"status": "ok" | "degraded", ...}``); either may be async.
    ``middlewares`` run inside the JSON error handling, in order (for
    example an authentication check). ``admin`` mounts the token-protected
    admin API (:mod:`ivr.web.admin`). ``viewer`` decides who may read the
    flow and the health details (by default nobody: status only).
    """
    app = web.Application(middlewares=[json_errors, *middlewares])
    app[FLOW_PROVIDER] = flow_provider
    app[HEALTH_PROVIDER] = health_provider
    app[VIEWER] = viewer or _nobody
    app.router.add_get("/health", health)
    app.router.add_get("/flow", flow)
    if admin is not None:
        add_admin_routes(app, admin)
    return app
