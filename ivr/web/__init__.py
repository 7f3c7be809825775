"""The HTTP service (aiohttp): ``GET /health`` and ``GET /flow``, JSON only."""

from ivr.web.admin import AdminAPI
from ivr.web.app import FLOW_PROVIDER, HEALTH_PROVIDER, Provider, Viewer, make_app
from ivr.web.middleware import json_errors

__all__ = [
    "FLOW_PROVIDER",
    "HEALTH_PROVIDER",
    "AdminAPI",
    "Provider",
    "Viewer",
    "json_errors",
    "make_app",
]
