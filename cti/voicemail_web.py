"""``/cti/mailboxes``: message waiting on the voicemail boxes the CTI follows.

Any logged-in staff member may read them (the desk phone's lamp on the
desktop, a department's box on the wallboard). Counts Asterisk could not
give read ``null`` with ``display`` saying why (:mod:`cti.voicemail`).
"""

from __future__ import annotations

from aiohttp import web

from cti.errors import NotFoundError
from cti.web_auth import CTI
from ivr.web.middleware import json_dumps

__all__ = ["mailbox_list", "mailbox_state"]


async def mailbox_list(request: web.Request) -> web.Response:
    """``GET /cti/mailboxes``: every mailbox followed, by name."""
    monitor = request.app[CTI].mailboxes
    states = [monitor.mailboxes[name].to_json() for name in sorted(monitor.mailboxes)]
    body = {"directory_known": monitor.directory is not None, "mailboxes": states}
    return web.json_response(body, dumps=json_dumps)


async def mailbox_state(request: web.Request) -> web.Response:
    """``GET /cti/mailboxes/{mailbox}``: one mailbox (``1001`` is ``1001@default``)."""
    state = request.app[CTI].mailboxes.state(request.match_info["mailbox"])
    if state is None:
        raise NotFoundError(
            f"mailbox {request.match_info['mailbox']!r} is not followed"
        )
    return web.json_response(state.to_json(), dumps=json_dumps)
