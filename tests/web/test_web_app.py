"""Tests for the HTTP service (``ivr.web``) through aiohttp's test client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.typedefs import Handler

from ivr.web import make_app

FLOW_VIEW = {
    "version": "2025.03",
    "loaded_at": "2025-03-04T09:30:00+08:00",
    "nodes": {
        "main": {
            "kind": "menu",
            "prompts": ["您好，这里是12333。"],
            "options": {"1": "pension"},
            "targets": ["pension"],
        }
    },
}


def health_report(status: str = "ok") -> dict[str, Any]:
    """A health report as the service gives it."""
    return {"status": status, "open_calls": 2, "flow_version": "2025.03", "db": "ok"}


@asynccontextmanager
async def client_for(app: web.Application) -> AsyncIterator[TestClient[Any, Any]]:
    """A test client on an in-process server for ``app``."""
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()


async def staff_only(request: web.Request) -> bool:
    """A viewer check: the bearer token "staff" is someone allowed to look."""
    return request.headers.get("Authorization") == "Bearer staff"


STAFF = {"Authorization": "Bearer staff"}


def app_with(
    health: Callable[[], Any] = health_report, **kwargs: Any
) -> web.Application:
    """The app with the sample flow and the given health provider."""
    kwargs.setdefault("viewer", staff_only)
    return make_app(flow_provider=lambda: FLOW_VIEW, health_provider=health, **kwargs)


async def test_health_ok_is_200_json() -> None:
    """A healthy service answers 200 with the report, not cached."""
    async with client_for(app_with()) as client:
        response = await client.get("/health", headers=STAFF)
        body = await response.json()

    assert response.status == 200
    assert response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert body == health_report()


async def test_health_degraded_is_503() -> None:
    """Any status other than ok (here from an async provider) answers 503."""

    async def degraded() -> Mapping[str, Any]:
        return health_report("degraded")

    async with client_for(app_with(degraded)) as client:
        response = await client.get("/health")
        body = await response.json()

    assert response.status == 503
    assert body["status"] == "degraded"


async def test_flow_view_keeps_chinese_readable() -> None:
    """GET /flow returns the provider's view; Chinese is sent as UTF-8 text."""
    async with client_for(app_with()) as client:
        response = await client.get("/flow", headers=STAFF)
        raw = await response.read()
        body = await response.json()

    assert response.status == 200
    assert body == FLOW_VIEW
    assert "您好".encode() in raw


async def test_unknown_path_is_json_404() -> None:
    """An unknown path is a JSON 404 naming the path."""
    async with client_for(app_with()) as client:
        response = await client.get("/nope")
        body = await response.json()

    assert response.status == 404
    assert body == {"status": 404, "error": "Not Found", "path": "/nope"}


async def test_wrong_method_is_json_405_with_allow() -> None:
    """POST to a read-only route is a JSON 405 that keeps the Allow header."""
    async with client_for(app_with()) as client:
        response = await client.post("/flow", data=b"{}")
        body = await response.json()

    assert response.status == 405
    assert body["error"] == "Method Not Allowed"
    assert "GET" in response.headers["Allow"]


async def test_added_middleware_errors_are_json_too() -> None:
    """A later middleware (an auth check) runs inside the JSON error handling."""

    @web.middleware
    async def deny(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path == "/flow":
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
        return await handler(request)

    async with client_for(app_with(middlewares=[deny])) as client:
        denied = await client.get("/flow")
        body = await denied.json()
        allowed = await client.get("/health")

    assert denied.status == 401
    assert denied.headers["WWW-Authenticate"] == "Bearer"
    assert body["error"] == "Unauthorized"
    assert allowed.status == 200


async def test_anonymous_health_is_status_only_and_flow_needs_login() -> None:
    """Without a login: /health says only ok or not, /flow answers 401."""
    async with client_for(app_with()) as client:
        health = await client.get("/health")
        health_body = await health.json()
        flow = await client.get("/flow", headers={"Authorization": "Bearer forged"})

    assert health.status == 200 and health_body == {"status": "ok"}
    assert flow.status == 401
