"""Reading requests and writing replies for the ``/cti/`` handlers.

Bad input is a 400 whose reason names the field and what is expected, so a
desktop can show it as it is; replies are JSON with Chinese kept readable.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ivr.web.middleware import json_dumps

__all__ = ["json_body", "reply", "text_field", "whole_field"]


def reply(body: Any, status: int = 200) -> web.Response:
    """A JSON reply."""
    return web.json_response(body, status=status, dumps=json_dumps)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The JSON object of the body (``{}`` without a body); 400 otherwise."""
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError as exc:
        raise web.HTTPBadRequest(reason="the body must be JSON") from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(reason="the body must be a JSON object")
    return body


def text_field(body: dict[str, Any], key: str, limit: int = 200) -> str:
    """A string field (``""`` when absent) of at most ``limit`` characters."""
    value = body.get(key, "")
    if not isinstance(value, str):
        raise web.HTTPBadRequest(reason=f'"{key}" must be a string')
    if len(value) > limit:
        raise web.HTTPBadRequest(
            reason=f'"{key}" is {len(value)} characters; the limit is {limit}'
        )
    return value


def whole_field(body: dict[str, Any], key: str, low: int, high: int) -> int:
    """An integer field in ``low..high``; JSON ``true`` is refused (bool is int)."""
    value = body.get(key)
    if type(value) is not int or not low <= value <= high:
        raise web.HTTPBadRequest(reason=f'"{key}" must be a whole number {low}-{high}')
    return value
