"""Middleware of the HTTP service: every error answered as JSON.

aiohttp answers unknown paths and wrong methods with plain-text pages;
monitoring and the staff tools expect JSON everywhere, so this middleware
turns each HTTP error into ``{"status": 404, "error": "Not Found", ...}`` and
keeps the headers that matter (``Allow`` for 405, RFC 9110 section 15.5.6).
It is the outermost middleware, so errors raised by later ones (an
authentication check) are JSON too.
"""

from __future__ import annotations

import functools
import json

from aiohttp import web
from aiohttp.typedefs import Handler

__all__ = ["json_dumps", "json_errors"]

_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")

json_dumps = functools.partial(json.dumps, ensure_ascii=False, default=str)
"""JSON encoding for responses: Chinese kept readable, times as strings."""


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer HTTP errors (4xx, 5xx raised as exceptions) with a JSON body."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _error_response(request, exc)


def _error_response(request: web.Request, exc: web.HTTPException) -> web.Response:
    headers = {name: exc.headers[name] for name in _KEPT_HEADERS if name in exc.headers}
    body = {"status": exc.status, "error": exc.reason, "path": request.path}
    return web.json_response(body, status=exc.status, headers=headers, dumps=json_dumps)
