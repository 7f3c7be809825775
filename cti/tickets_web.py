"""The staff ticket API under ``/cti/tickets`` (its rows are in ``cti.web.ROUTES``).

Any logged-in staff member may list, open, claim, forward, reply to and
close tickets and hear their recordings, each within their areas
(:class:`~cti.ticket_actions.TicketActions` says who sees what);
reassigning and the daily overdue report are for supervisors. A ticket's
JSON carries the masked caller number; only ``GET /cti/tickets/{number}``
adds the full one, and that view is logged. Errors are JSON: 400 for bad
input, 403 outside one's areas, 404 no ticket, 409 not in that state, 410
recording past retention.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import BodyPartReader, web

from cti.errors import TicketActionError
from cti.overdue import report_json
from cti.reply_audio import MAX_BYTES
from cti.ticket_actions import TicketActions
from cti.web_auth import CTI, Access, Route, staff_of
from cti.web_input import json_body, reply, text_field, whole_field
from ivr.privacy import mask_number
from ivr.tickets.desk import KINDS, STATES
from ivr.tickets.models import Ticket, TicketFilter

__all__ = ["TICKET_ROUTES", "ticket_json"]

_WAV_TYPES = frozenset({"audio/wav", "audio/x-wav", "audio/wave"})
_FILTER_TEXT = ("area", "assigned_to")


def ticket_json(ticket: Ticket, *, detail: bool = False) -> dict[str, Any]:
    """A ticket for the desktop: the full caller number only when it was read
    (``ticket.caller`` set); recordings by part and length (no paths) only
    in the ``detail`` (listings and action replies do not load them, and an
    empty list there would say wrongly that there are none).

    A fax request's keyed fax number follows the caller number's rule: in
    full only in a read (and logged) ticket detail, else masked.
    """
    body: dict[str, Any] = {
        "number": ticket.number,
        "kind": ticket.kind,
        "state": ticket.state,
        "caller_masked": ticket.caller_masked,
        "saved_at": ticket.saved_at.isoformat(),
        "menu_path": list(ticket.menu_path),
        "area": ticket.area,
        "language": ticket.language,
        "deadline": ticket.deadline_at.isoformat(),
        "deadline_provisional": ticket.deadline_provisional,
        "assigned_to": ticket.assigned_to,
        "department": ticket.department,
        "department_deadline": _iso(ticket.department_deadline_at),
        "department_late": _department_late(ticket),
        "reply_kind": ticket.reply_kind,
        "replied_at": _iso(ticket.replied_at),
        "closed_at": _iso(ticket.closed_at),
        "overdue_at": _iso(ticket.overdue_at),
    }
    if detail:
        body["recordings"] = [
            {"part": part.part, "seconds": part.seconds} for part in ticket.recordings
        ]
    if ticket.kind == "fax":
        body["fax"] = {
            "number": ticket.fax_number
            if ticket.caller is not None
            else mask_number(ticket.fax_number),
            "document": ticket.fax_document,
            "state": ticket.fax_state,
            "attempts": ticket.fax_attempts,
            "result": ticket.fax_result,
        }
    if ticket.caller is not None:
        body["caller"] = ticket.caller
    return body


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _actions(request: web.Request) -> TicketActions:
    actions = request.app[CTI].ticket_actions
    if actions is None:
        raise web.HTTPServiceUnavailable(reason="tickets are not enabled here")
    return actions


def _number(request: web.Request) -> str:
    number = request.match_info["number"]
    if not number.isdigit() or len(number) > 24:
        raise web.HTTPNotFound(reason=f"no ticket {number!r}")
    return number


async def list_tickets(request: web.Request) -> web.Response:
    """``GET /cti/tickets?state=&kind=&area=&assigned_to=&overdue=&from=&to=
    &page=&page_size=``: a page of tickets, most urgent deadline first."""
    which = _filter(request)
    page = _query_int(request, "page", 1, 1, 100000)
    size = _query_int(request, "page_size", 50, 1, 500)
    found = await _actions(request).listing(staff_of(request), which, page, size)
    return reply(
        {
            "tickets": [ticket_json(t) for t in found.items],
            "total": found.total,
            "page": found.page,
            "page_size": found.page_size,
        }
    )


def _filter(request: web.Request) -> TicketFilter:
    query = request.query
    state, kind = query.get("state"), query.get("kind")
    if state is not None and state not in STATES:
        raise web.HTTPBadRequest(reason=f"state must be one of {', '.join(STATES)}")
    if kind is not None and kind not in KINDS:
        raise web.HTTPBadRequest(reason=f"kind must be one of {', '.join(KINDS)}")
    texts = {name: query.get(name) for name in _FILTER_TEXT}
    if any(value is not None and len(value) > 64 for value in texts.values()):
        raise web.HTTPBadRequest(
            reason="area and assigned_to take at most 64 characters"
        )
    tz = request.app[CTI].options.tz
    first, last = _day(query, "from"), _day(query, "to")
    return TicketFilter(
        state=state,
        kind=kind,
        overdue=_flag(query.get("overdue")),
        saved_from=_midnight(first, tz) if first else None,
        saved_to=_midnight(last + timedelta(days=1), tz) if last else None,
        **texts,
    )


def _flag(text: str | None) -> bool | None:
    if text is None:
        return None
    if text not in {"true", "false"}:
        raise web.HTTPBadRequest(reason="overdue must be true or false")
    return text == "true"


def _day(query: Any, key: str) -> date | None:
    text = query.get(key)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise web.HTTPBadRequest(reason=f"{key} must be a day, YYYY-MM-DD") from exc


def _midnight(day: date, tz: Any) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz)


def _query_int(
    request: web.Request, key: str, default: int, low: int, high: int
) -> int:
    text = request.query.get(key, str(default))
    if not text.isdigit() or not low <= int(text) <= high:
        raise web.HTTPBadRequest(reason=f"{key} must be a whole number {low}-{high}")
    return int(text)


async def open_ticket(request: web.Request) -> web.Response:
    """``GET /cti/tickets/{number}``: the ticket with the caller's number
    (the view is logged in ticket_views)."""
    ticket = await _actions(request).open(staff_of(request), _number(request))
    return reply(ticket_json(ticket, detail=True))


async def history(request: web.Request) -> web.Response:
    """``GET /cti/tickets/{number}/history``: the ticket's events, oldest first."""
    actions, number = _actions(request), _number(request)
    await actions.visible(staff_of(request), number)
    events = await actions.store.events(number)
    keep = ("actor", "action", "detail")
    return reply(
        {
            "events": [
                {"at": e["at"].isoformat(), **{k: str(e[k]) for k in keep}}
                for e in events
            ]
        }
    )


async def claim(request: web.Request) -> web.Response:
    """``POST /cti/tickets/claim``: the next ticket of one's skills; 204 if none."""
    claimed = await _actions(request).claim(staff_of(request))
    if claimed is None:
        return web.Response(status=204)
    return reply(ticket_json(claimed))


async def forward(request: web.Request) -> web.Response:
    """``POST /cti/tickets/{number}/forward`` {department, working_days 1-60}."""
    body = await json_body(request)
    department = text_field(body, "department", 64).strip()
    if not department:
        raise web.HTTPBadRequest(reason='"department" is required')
    days = whole_field(body, "working_days", 1, 60)
    ticket = await _actions(request).forward(
        staff_of(request), _number(request), department, days
    )
    body = ticket_json(ticket)
    if _department_late(ticket):
        # Forwarded all the same (the department may still answer early);
        # the desktop shows this so staff can ask for less or tell the caller.
        body["warning"] = (
            f"the department's deadline {body['department_deadline']} is after "
            f"the reply promised to the caller by {body['deadline']}"
        )
    return reply(body)


def _department_late(ticket: Ticket) -> bool:
    """Whether the department's deadline falls after the caller's promise."""
    later = ticket.department_deadline_at
    return later is not None and later > ticket.deadline_at


async def reassign(request: web.Request) -> web.Response:
    """``POST /cti/tickets/{number}/assign`` {username}: supervisors only."""
    username = text_field(await json_body(request), "username", 64).strip()
    if not username:
        raise web.HTTPBadRequest(reason='"username" is required')
    ticket = await _actions(request).reassign(
        staff_of(request), _number(request), username
    )
    return reply(ticket_json(ticket))


async def close(request: web.Request) -> web.Response:
    """``POST /cti/tickets/{number}/close`` {note?}."""
    note = text_field(await json_body(request), "note", 2000)
    ticket = await _actions(request).close(staff_of(request), _number(request), note)
    return reply(ticket_json(ticket))


async def reply_to(request: web.Request) -> web.Response:
    """``POST /cti/tickets/{number}/reply``: call back or a recorded answer.

    JSON ``{"how": "callback"}`` rings the agent's phone, then the caller
    (202; the outcome goes to the ticket's history and the desktop). A
    recorded answer is a WAV sent as ``audio/wav`` or as the ``audio`` field
    of a multipart form with ``how=recorded``.
    """
    actions, member, number = _actions(request), staff_of(request), _number(request)
    if request.content_type in _WAV_TYPES or request.content_type.startswith(
        "multipart/"
    ):
        data = await _upload(request)
        return reply(ticket_json(await actions.reply_recorded(member, number, data)))
    how = text_field(await json_body(request), "how", 16)
    if how != "callback":
        raise web.HTTPBadRequest(
            reason='"how" must be "callback" (JSON) or "recorded" (an audio upload)'
        )
    await actions.call_back(member, number)
    return reply({"number": number, "callback": "calling"}, status=202)


async def _upload(request: web.Request) -> bytes:
    """The WAV bytes of a raw or multipart upload, at most MAX_BYTES."""
    if request.content_type in _WAV_TYPES:
        return await _limited(request.content.read)
    reader = await request.multipart()
    fields: dict[str, bytes] = {}
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or part.name not in {"how", "audio"}:
            raise web.HTTPBadRequest(reason="the form takes the fields how and audio")
        fields[part.name] = await _limited(part.read_chunk)
    if fields.get("how", b"recorded") != b"recorded" or "audio" not in fields:
        raise web.HTTPBadRequest(reason='send how=recorded and the "audio" file')
    return fields["audio"]


async def _limited(read: Any) -> bytes:
    data = bytearray()
    while chunk := await read(65536):
        data += chunk
        if len(data) > MAX_BYTES:
            raise web.HTTPRequestEntityTooLarge(
                max_size=MAX_BYTES, actual_size=len(data)
            )
    return bytes(data)


async def recording(request: web.Request) -> web.StreamResponse:
    """``GET /cti/tickets/{number}/recordings/{part}``: the audio (logged)."""
    part = request.match_info["part"]
    if not part.isidentifier() or len(part) > 32:
        raise web.HTTPNotFound(reason=f"no part {part!r}")
    found = await _actions(request).recording(staff_of(request), _number(request), part)
    return web.FileResponse(found.path, headers={"Content-Type": "audio/wav"})


async def overdue_report(request: web.Request) -> web.Response:
    """``GET /cti/tickets/overdue/report?day=YYYY-MM-DD&format=csv|json``:
    the tickets late on that day (default yesterday, China time)."""
    service = request.app[CTI]
    day = _day(request.query, "day")
    if day is None:
        day = service.now().astimezone(service.options.tz).date() - timedelta(days=1)
    report = await _actions(request).store.overdue_report(day)
    wanted = request.query.get("format", "json")
    if wanted == "csv":
        name = f"overdue-{report.day}.csv"
        return web.Response(
            text=report.csv(),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    if wanted != "json":
        raise TicketActionError("format must be csv or json")
    return reply(report_json(report))


TICKET_ROUTES = (
    Route("GET", "/cti/tickets", list_tickets, Access.ANY),
    Route("POST", "/cti/tickets/claim", claim, Access.ANY),
    Route("GET", "/cti/tickets/overdue/report", overdue_report, Access.SUPERVISOR),
    Route("GET", "/cti/tickets/{number}", open_ticket, Access.ANY),
    Route("GET", "/cti/tickets/{number}/history", history, Access.ANY),
    Route("POST", "/cti/tickets/{number}/forward", forward, Access.ANY),
    Route("POST", "/cti/tickets/{number}/assign", reassign, Access.SUPERVISOR),
    Route("POST", "/cti/tickets/{number}/reply", reply_to, Access.ANY),
    Route("POST", "/cti/tickets/{number}/close", close, Access.ANY),
    Route("GET", "/cti/tickets/{number}/recordings/{part}", recording, Access.ANY),
)
"""The ticket rows of the CTI route table; access within areas is checked
by :class:`~cti.ticket_actions.TicketActions`."""
