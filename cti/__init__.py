"""CTI adapter: the link between Asterisk's queues and the agents' desktops.

``cti.ami`` is the foundation: the Asterisk Manager Interface wire protocol
(sans-IO parser, action framing), an asyncio client that survives restarts,
and an emulated Asterisk peer for tests. The CTI domain (agents, queues,
statistics, staff, HTTP and WebSocket) sits above it and talks to Asterisk
only through :class:`cti.ami.AMIClient`.
"""

from cti.errors import (
    AMIUnavailableError,
    CTIError,
    NotFoundError,
    SeatError,
    StaffError,
)
from cti.service import CTIOptions, CTIService
from cti.service_levels import CallFacts, OfferFacts, ServiceLevelPolicy, summarise
from cti.staff import ROLES, StaffDirectory, StaffMember
from cti.web import ROUTES, add_cti_routes, cti_errors
from cti.web_auth import authenticate

__all__ = [
    "ROLES",
    "ROUTES",
    "AMIUnavailableError",
    "CTIError",
    "CTIOptions",
    "CTIService",
    "CallFacts",
    "NotFoundError",
    "OfferFacts",
    "SeatError",
    "ServiceLevelPolicy",
    "StaffDirectory",
    "StaffError",
    "StaffMember",
    "add_cti_routes",
    "authenticate",
    "cti_errors",
    "summarise",
]
