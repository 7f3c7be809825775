"""``/cti/knowledge``: the texts the IVR speaks, for every logged-in staff member.

Agents answer with the words callers already heard (norm art. 33), so the
desktop reads them from the running flow's catalog
(:mod:`cti.knowledge`), each with its version, the nodes and keys where
the IVR plays it, and the recording itself. The routes are rows of
:data:`cti.web.ROUTES`, so the route-table auth test covers them.
"""

from __future__ import annotations

from aiohttp import web

from cti.errors import NotFoundError
from cti.knowledge import KnowledgeBase
from cti.web_auth import CTI
from ivr.web.middleware import json_dumps

__all__ = ["knowledge_audio", "knowledge_entry", "knowledge_list"]

_MAX_QUERY = 100


def _base(request: web.Request) -> KnowledgeBase:
    source = request.app[CTI].knowledge
    if source is None:
        raise web.HTTPServiceUnavailable(reason="no flow is loaded in this service")
    return source.base()


def _language(request: web.Request) -> str | None:
    return request.query.get("lang") or None


async def knowledge_list(request: web.Request) -> web.Response:
    """``GET /cti/knowledge?q=&lang=``: every text, or those matching ``q``."""
    words = request.query.get("q", "").strip()
    if len(words) > _MAX_QUERY:
        raise web.HTTPBadRequest(reason=f"q is limited to {_MAX_QUERY} characters")
    base = _base(request)
    entries = base.entries(_language(request), words)
    body = {
        "flow_version": base.flow_version,
        "loaded_at": base.loaded.loaded_at.isoformat(),
        "languages": list(base.catalog.languages),
        "entries": [entry.to_json() for entry in entries],
    }
    return web.json_response(body, dumps=json_dumps)


async def knowledge_entry(request: web.Request) -> web.Response:
    """``GET /cti/knowledge/{prompt_id}?lang=``: one text (Mandarin by default)."""
    entry = _base(request).entry(request.match_info["prompt_id"], _language(request))
    return web.json_response(entry.to_json(), dumps=json_dumps)


async def knowledge_audio(request: web.Request) -> web.StreamResponse:
    """``GET /cti/knowledge/{prompt_id}/audio?lang=``: the wav the IVR plays."""
    entry = _base(request).entry(request.match_info["prompt_id"], _language(request))
    if entry.audio is None:
        raise NotFoundError(f"no recording of {entry.prompt_id!r} yet")
    return web.FileResponse(entry.audio, headers={"Content-Type": "audio/wav"})
