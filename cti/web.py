"""The CTI HTTP and WebSocket API, mounted under ``/cti/``.

Agents act on their own seat (``/cti/agents/{agent}/...``, agent number in
the path); supervisors see and act on every seat, the wallboard, the
statistics and the recordings. :data:`ROUTES` is the one route table: the
auth test walks it (the ticket rows come from :mod:`cti.tickets_web`).
Errors are JSON (the service's ``json_errors``
middleware); caller numbers appear only masked.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web
from sqlalchemy.exc import OperationalError

from cti.ami import AMIError
from cti.errors import (
    AMIUnavailableError,
    NotFoundError,
    SeatError,
    StaffError,
    TicketActionError,
)
from cti.knowledge_web import knowledge_audio, knowledge_entry, knowledge_list
from cti.seats import Seats
from cti.service import CTIService
from cti.staff import StaffMember
from cti.stats import daily_figures
from cti.tickets_web import TICKET_ROUTES
from cti.voicemail_web import mailbox_list, mailbox_state
from cti.web_auth import (
    CTI,
    Access,
    Route,
    bearer_token,
    guarded,
    staff_of,
)
from cti.web_input import json_body as _body
from cti.web_input import reply as _json
from cti.web_input import text_field as _text
from cti.web_input import whole_field as _whole
from ivr.tickets.errors import (
    RecordingExpiredError,
    TicketAccessError,
    TicketNotFoundError,
    TicketStateError,
)
from ivr.web.middleware import json_dumps

__all__ = ["ROUTES", "add_cti_routes", "cti_errors"]

logger = logging.getLogger("cti.web")

_ERRORS: dict[type[Exception], type[web.HTTPException]] = {
    NotFoundError: web.HTTPNotFound,
    SeatError: web.HTTPConflict,
    StaffError: web.HTTPBadRequest,
    AMIUnavailableError: web.HTTPServiceUnavailable,
    AMIError: web.HTTPBadGateway,
    TicketActionError: web.HTTPBadRequest,
    TicketNotFoundError: web.HTTPNotFound,
    TicketAccessError: web.HTTPForbidden,
    TicketStateError: web.HTTPConflict,
    RecordingExpiredError: web.HTTPGone,
}


async def _seat_owner(request: web.Request) -> StaffMember:
    """The staff account of the seat in the path."""
    member = staff_of(request)
    if member.agent_number == request.match_info["agent"]:
        return member
    return await request.app[CTI].staff.by_agent_number(request.match_info["agent"])


async def login(request: web.Request) -> web.Response:
    """``POST /cti/login`` {username, password}: a bearer token, 401 or 429.

    Failures are logged (the name, never the password) and throttled per
    user name and per client address (:class:`~cti.login_guard.LoginGuard`).
    """
    body = await _body(request)
    service = request.app[CTI]
    username, password = _text(body, "username"), _text(body, "password")
    address = request.remote or "unknown"
    wait = service.login_guard.wait(username, address)
    if wait > 0:
        logger.warning("login of %r from %s refused: throttled", username, address)
        raise web.HTTPTooManyRequests(
            reason=f"too many failed logins; try again in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    token = await service.staff.log_in(username, password, service.now())
    if token is None:
        service.login_guard.failed(username, address)
        logger.warning("failed login of %r from %s", username, address)
        raise web.HTTPUnauthorized(reason="wrong user name or password")
    service.login_guard.succeeded(username)
    return _json({"token": token, "me": (await service.staff.get(username)).to_json()})


async def logout(request: web.Request) -> web.Response:
    """``POST /cti/logout``: end this session."""
    await request.app[CTI].staff.log_out(bearer_token(request))
    return _json({"ok": True})


async def me(request: web.Request) -> web.Response:
    """``GET /cti/me``: the logged-in account."""
    return _json(staff_of(request).to_json())


async def seat_state(request: web.Request) -> web.Response:
    """``GET /cti/agents/{agent}/state``: the seat's status."""
    service = request.app[CTI]
    seat = service.state.seat_of(request.match_info["agent"])
    if seat is None:
        return _json({"agent": request.match_info["agent"], "status": "logged_out"})
    return _json(seat.to_json(service.clock()))


async def seat_login(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/login`` {queues?}: join skill queues."""
    body = await _body(request)
    queues = body.get("queues", [])
    if not isinstance(queues, list) or not all(isinstance(q, str) for q in queues):
        raise web.HTTPBadRequest(reason='"queues" must be a list of names')
    joined = await Seats(request.app[CTI]).log_in(await _seat_owner(request), queues)
    return _json({"queues": joined})


async def seat_logout(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/logout``: leave every queue."""
    await Seats(request.app[CTI]).log_out(await _seat_owner(request))
    return _json({"ok": True})


async def ready(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/ready``."""
    await Seats(request.app[CTI]).ready(await _seat_owner(request))
    return _json({"ok": True})


async def not_ready(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/not-ready`` {reason: break|training|closed}."""
    reason = _text(await _body(request), "reason")
    await Seats(request.app[CTI]).not_ready(await _seat_owner(request), reason)
    return _json({"ok": True, "reason": reason})


async def transfer(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/transfer`` {exten, attended?}."""
    body = await _body(request)
    exten = _text(body, "exten", 40)
    if not exten.isalnum():
        raise web.HTTPBadRequest(reason='"exten" must be letters and digits')
    owner = await _seat_owner(request)
    await Seats(request.app[CTI]).transfer(owner, exten, bool(body.get("attended")))
    return _json({"ok": True})


async def hang_up(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/hangup``: end the seat's own call."""
    await Seats(request.app[CTI]).hang_up(await _seat_owner(request))
    return _json({"ok": True})


async def classify(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/calls/{uniqueid}/classification``."""
    body = await _body(request)
    await request.app[CTI].calls.classify(
        request.match_info["uniqueid"],
        request.match_info["agent"],
        _text(body, "business_area", 64),
        _text(body, "topic", 128),
        _text(body, "note", 2000),
    )
    return _json({"ok": True})


async def desktop(request: web.Request) -> web.StreamResponse:
    """``GET /cti/agents/{agent}/desktop``: the agent's WebSocket stream."""
    return await _stream(request, request.match_info["agent"])


async def wallboard_live(request: web.Request) -> web.StreamResponse:
    """``GET /cti/wallboard/live``: the supervisors' WebSocket stream."""
    return await _stream(request, None)


async def _stream(request: web.Request, agent: str | None) -> web.StreamResponse:
    service = request.app[CTI]
    socket = web.WebSocketResponse(heartbeat=30)
    await socket.prepare(request)
    listener = service.hub.listen(agent)
    first = service.wallboard() if agent is None else await _state_of(service, agent)
    await socket.send_json({"type": "hello", **first}, dumps=json_dumps)
    closed = asyncio.create_task(_until_closed(socket))
    try:
        while True:
            getter = asyncio.ensure_future(listener.queue.get())
            done, _ = await asyncio.wait(
                {getter, closed}, return_when=asyncio.FIRST_COMPLETED
            )
            if closed in done:
                getter.cancel()
                break
            await socket.send_json(getter.result(), dumps=json_dumps)
    finally:
        service.hub.leave(listener)
        closed.cancel()
    return socket


async def _until_closed(socket: web.WebSocketResponse) -> None:
    """Read (and ignore) what the client sends until it closes."""
    async for _message in socket:
        pass


async def _state_of(service: CTIService, agent: str) -> dict[str, Any]:
    seat = service.state.seat_of(agent)
    return seat.to_json(service.clock()) if seat else {"agent": agent}


async def wallboard(request: web.Request) -> web.Response:
    """``GET /cti/wallboard``: queues, waiting, agents by state, today."""
    return _json(request.app[CTI].wallboard())


async def stats(request: web.Request) -> web.Response:
    """``GET /cti/stats?date=YYYY-MM-DD``: per queue, agent and hour."""
    service = request.app[CTI]
    try:
        day = date.fromisoformat(
            request.query.get("date", service.hour_of(service.clock())[:10])
        )
    except ValueError as exc:
        raise web.HTTPBadRequest(reason="date must be YYYY-MM-DD") from exc
    return _json(await daily_figures(service.calls, day, service.options.policy))


async def alerts(request: web.Request) -> web.Response:
    """``GET /cti/alerts``: autopause, urgent and AMI alerts, newest first."""
    return _json({"alerts": await request.app[CTI].calls.alerts()})


async def spy(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/spy`` {mode: listen|whisper|barge}."""
    mode = _text(await _body(request), "mode")
    outcome = await Seats(request.app[CTI]).spy(
        staff_of(request), request.match_info["agent"], mode
    )
    return _json({"mode": mode, "outcome": outcome})


async def urgent(request: web.Request) -> web.Response:
    """``POST /cti/agents/{agent}/urgent``: flag the call, barge in."""
    result = await Seats(request.app[CTI]).urgent(
        staff_of(request), request.match_info["agent"]
    )
    return _json(result)


async def recordings(request: web.Request) -> web.Response:
    """``GET /cti/recordings``: indexed recordings, newest first."""
    service = request.app[CTI]
    await service.recordings.scan()
    rows = await service.recordings.listing(staff_of(request).username, service.now())
    return _json({"recordings": rows})


async def recording_audio(request: web.Request) -> web.StreamResponse:
    """``GET /cti/recordings/{id}/audio``: the file, streamed."""
    service = request.app[CTI]
    path = await service.recordings.path(
        _id(request), staff_of(request).username, service.now()
    )
    return web.FileResponse(path, headers={"Content-Type": "audio/wav"})


async def recording_check(request: web.Request) -> web.Response:
    """``POST /cti/recordings/{id}/check`` {score 0-100, comment}."""
    body = await _body(request)
    score = _whole(body, "score", 0, 100)
    service = request.app[CTI]
    row = await service.recordings.check(
        _id(request),
        staff_of(request).username,
        score,
        _text(body, "comment", 2000),
        service.now(),
    )
    return _json(row)


async def survey(request: web.Request) -> web.Response:
    """``POST /cti/calls/{uniqueid}/survey`` {score 1-5}: the caller's rating."""
    score = _whole(await _body(request), "score", 1, 5)
    service = request.app[CTI]
    agent = await service.calls.record_survey(
        request.match_info["uniqueid"], score, service.now()
    )
    return _json({"agent": agent, "score": score})


def _id(request: web.Request) -> int:
    text = request.match_info["id"]
    if not text.isdigit():
        raise web.HTTPNotFound(reason="no such recording")
    return int(text)


ROUTES = (
    Route("POST", "/cti/login", login, Access.OPEN),
    Route("POST", "/cti/logout", logout, Access.ANY),
    Route("GET", "/cti/me", me, Access.ANY),
    Route("GET", "/cti/agents/{agent}/state", seat_state, Access.SEAT),
    Route("POST", "/cti/agents/{agent}/login", seat_login, Access.SEAT),
    Route("POST", "/cti/agents/{agent}/logout", seat_logout, Access.SEAT),
    Route("POST", "/cti/agents/{agent}/ready", ready, Access.SEAT),
    Route("POST", "/cti/agents/{agent}/not-ready", not_ready, Access.SEAT),
    Route("POST", "/cti/agents/{agent}/transfer", transfer, Access.SEAT),
    Route("POST", "/cti/agents/{agent}/hangup", hang_up, Access.SEAT),
    Route(
        "POST",
        "/cti/agents/{agent}/calls/{uniqueid}/classification",
        classify,
        Access.SEAT,
    ),
    Route("GET", "/cti/agents/{agent}/desktop", desktop, Access.SEAT),
    Route("POST", "/cti/agents/{agent}/spy", spy, Access.SUPERVISOR),
    Route("POST", "/cti/agents/{agent}/urgent", urgent, Access.SUPERVISOR),
    Route("GET", "/cti/wallboard", wallboard, Access.SUPERVISOR),
    Route("GET", "/cti/wallboard/live", wallboard_live, Access.SUPERVISOR),
    Route("GET", "/cti/stats", stats, Access.SUPERVISOR),
    Route("GET", "/cti/alerts", alerts, Access.SUPERVISOR),
    Route("GET", "/cti/recordings", recordings, Access.SUPERVISOR),
    Route("GET", "/cti/recordings/{id}/audio", recording_audio, Access.SUPERVISOR),
    Route("POST", "/cti/recordings/{id}/check", recording_check, Access.SUPERVISOR),
    Route("POST", "/cti/calls/{uniqueid}/survey", survey, Access.SUPERVISOR),
    Route("GET", "/cti/knowledge", knowledge_list, Access.ANY),
    Route("GET", "/cti/knowledge/{prompt_id}", knowledge_entry, Access.ANY),
    Route("GET", "/cti/knowledge/{prompt_id}/audio", knowledge_audio, Access.ANY),
    Route("GET", "/cti/mailboxes", mailbox_list, Access.ANY),
    Route("GET", "/cti/mailboxes/{mailbox}", mailbox_state, Access.ANY),
    *TICKET_ROUTES,
)
"""Every CTI route with who may call it (the auth test walks this table)."""


@web.middleware
async def cti_errors(
    request: web.Request,
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Turn CTI, ticket and AMI errors into HTTP errors (then JSON)."""
    try:
        return await handler(request)
    except tuple(_ERRORS) as exc:
        status = next(v for k, v in _ERRORS.items() if isinstance(exc, k))
        raise status(reason=str(exc)) from exc
    except OperationalError as exc:
        # A database busy (SQLite locked by a writer) or out of reach: the
        # desktop tries again shortly rather than showing a server fault.
        logger.warning(
            "%s %s: database unavailable (%s)",
            request.method,
            request.path,
            type(exc.orig).__name__,
        )
        raise web.HTTPServiceUnavailable(
            reason="the database is busy or unreachable; try again shortly",
            headers={"Retry-After": "1"},
        ) from exc


def add_cti_routes(app: web.Application, service: CTIService) -> None:
    """Mount :data:`ROUTES` on ``app`` (pass :func:`authenticate` and
    :func:`cti_errors` to ``make_app`` as middlewares)."""
    app[CTI] = service
    for route in ROUTES:
        app.router.add_route(route.method, route.path, guarded(route))
