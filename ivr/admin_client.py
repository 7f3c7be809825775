"""``ivr reload``, ``ivr rollback`` and ``ivr versions``: the admin API from a shell.

They talk to the running service's admin HTTP API with the admin token from
the same configuration the service reads (``IVR_ADMIN_TOKEN`` or the token
file), print what happened in plain words, and exit non-zero when the
service refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO

import aiohttp

from ivr.config import Config

__all__ = ["AdminClientError", "call_admin", "print_result", "print_versions"]


class AdminClientError(Exception):
    """The admin API could not be reached or refused the token."""


async def call_admin(
    config: Config, method: str, path: str, body: Mapping[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    """Call one admin route; return the HTTP status and the JSON body."""
    host = "127.0.0.1" if config.http.host in ("0.0.0.0", "::") else config.http.host
    url = f"http://{host}:{config.http.port}{path}"
    headers = {"Authorization": f"Bearer {config.admin.token.decode()}"}
    try:
        async with aiohttp.ClientSession() as session:
            async with session.request(
                method, url, json=body, headers=headers
            ) as response:
                status, reply = response.status, await response.json()
    except aiohttp.ClientConnectionError as exc:
        raise AdminClientError(
            f"no IVR service answers at {url}; is it running (`ivr serve`)?"
        ) from exc
    if status in (401, 403):
        raise AdminClientError(f"the service refused: {reply.get('error', status)}")
    return status, dict(reply)


def print_result(result: Mapping[str, Any], out: TextIO) -> int:
    """Print a reload or roll-back result; return the exit status."""
    if not result.get("ok"):
        out.write(f"refused; still running {result.get('version')}\n")
        for problem in result.get("problems", []):
            out.write(f"  {problem}\n")
        return 1
    if result.get("changed"):
        out.write(f"now running {result['version']} (was {result['previous']})\n")
    else:
        out.write(f"unchanged: already running {result['version']}\n")
    for problem in result.get("problems", []):
        out.write(f"  {problem}\n")
    return 0


def print_versions(reply: Mapping[str, Any], out: TextIO) -> int:
    """Print the version history, newest first."""
    for entry in reply.get("versions", []):
        out.write(
            f"{entry['version']}  {entry['loaded_at']}  {entry['source']}"
            f"  ({', '.join(entry['files'])})\n"
        )
    if not reply.get("versions"):
        out.write(json.dumps(reply) + "\n")
    return 0
