"""Dispatch a ticket node to its handler (message and complaint, status, fax).

Kept apart from :mod:`ivr.flow.interpreter` so the interpreter has one case
for all ticket nodes; the handlers are :mod:`ivr.flow.message_nodes` and
:mod:`ivr.flow.desk_nodes`.
"""

from __future__ import annotations

from ivr.flow.desk_call import DeskCall
from ivr.flow.desk_nodes import run_fax, run_ticket_status
from ivr.flow.message_nodes import run_message
from ivr.flow.ticket_model import FaxNode, MessageNode, TicketNode, TicketStatusNode
from ivr.trace import Outcome

__all__ = ["run_ticket_node"]


async def run_ticket_node(call: DeskCall, node: TicketNode) -> str | Outcome:
    """Run ``node`` on ``call``: the next node id, or the call's outcome."""
    match node:
        case MessageNode():
            return await run_message(call, node)
        case TicketStatusNode():
            return await run_ticket_status(call, node)
        case FaxNode():
            return await run_fax(call, node)
    raise TypeError(f"no handler for ticket node kind {node.kind!r}")
