"""Authentication and seat rules for every ``/cti/`` route.

Each route is declared with who may call it (:class:`Access`): anyone
logged in, the agent of the seat in the path (``{agent}``) or a
supervisor, or supervisors only. :func:`authenticate` is a middleware that
answers 401 to requests under ``/cti/`` without a live bearer token
(``Authorization: Bearer``, or ``access_token=`` for WebSockets, which
browsers cannot give headers); :func:`guarded` wraps each handler with the
403 check. Only ``POST /cti/login`` is open: it is how one logs in.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from cti.service import CTIService
from cti.staff import StaffMember

__all__ = [
    "CTI",
    "STAFF",
    "Access",
    "Route",
    "authenticate",
    "bearer_token",
    "guarded",
    "staff_of",
]

CTI: web.AppKey[CTIService] = web.AppKey("cti_service")
STAFF: web.RequestKey[StaffMember] = web.RequestKey("cti_staff_member", StaffMember)
PREFIX = "/cti/"
OPEN_PATHS = frozenset({"/cti/login"})


class Access(enum.Enum):
    """Who may call a route."""

    OPEN = "open"
    ANY = "any"
    SEAT = "seat"
    SUPERVISOR = "supervisor"


@dataclass(frozen=True, slots=True)
class Route:
    """One row of the route table: method, path, handler and access."""

    method: str
    path: str
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    access: Access


def bearer_token(request: web.Request) -> str:
    """The bearer token of a request, or ``""``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if request.method == "GET":
        return request.query.get("access_token", "")
    return ""


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """401 for ``/cti/`` requests without a live session; else go on."""
    if not request.path.startswith(PREFIX) or request.path in OPEN_PATHS:
        return await handler(request)
    service = request.app[CTI]
    token = bearer_token(request)
    member = await service.staff.authenticate(token, service.now()) if token else None
    if member is None:
        raise web.HTTPUnauthorized(
            reason="log in first (POST /cti/login)",
            headers={"WWW-Authenticate": 'Bearer realm="cti"'},
        )
    request[STAFF] = member
    return await handler(request)


def staff_of(request: web.Request) -> StaffMember:
    """The logged-in staff member of a request."""
    return request[STAFF]


def guarded(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Wrap a handler with its route's 403 rule."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if route.access is not Access.OPEN:
            _check(route.access, staff_of(request), request)
        return await route.handler(request)

    handler.__doc__ = route.handler.__doc__
    return handler


def _check(access: Access, member: StaffMember, request: web.Request) -> None:
    if member.supervises or access is Access.ANY:
        return
    if access is Access.SEAT and member.agent_number == request.match_info["agent"]:
        return
    raise web.HTTPForbidden(
        reason="not your seat" if access is Access.SEAT else "supervisors only"
    )
