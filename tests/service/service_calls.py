"""Place a simulated call through a running service and fetch its record;
read its HTTP API as staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp

from ivr.config import Config
from ivr.service import Service
from ivr.sim import CallLog, CallSetup, FastAGIEmulator, ScriptedCaller
from ivr.sim.cli import call_arguments

CALLER = "13812345678"
AMI_SECRET = "cti-test-secret"
"""The secret of the ``cti`` user of the emulated Asterisk manager."""

MakeConfig = Callable[..., Config]
"""Builds a configuration on spare ports; keyword overrides use dotted keys."""


@dataclass
class Placed:
    """One finished call: what the caller heard and what the service stored."""

    log: CallLog
    record: dict[str, Any]

    @property
    def path(self) -> list[str]:
        """The node ids the service announced with IVR_NODE, in order."""
        return [e.value for e in self.log.of_kind("set") if e.name == "IVR_NODE"]

    @property
    def prompts(self) -> list[str]:
        """The prompt files the caller heard, in order."""
        return [event.name for event in self.log.of_kind("prompt")]

    @property
    def stored_path(self) -> list[str]:
        """The node ids in the stored record, in order."""
        return [step["node_id"] for step in self.record["steps"]]


async def place(
    service: Service,
    keys: str = "",
    *,
    at: str | None = "2026-10-08 09:30",
    caller: str | None = CALLER,
    **options: Any,
) -> Placed:
    """Call the service with a scripted caller and return the stored record."""
    setup = CallSetup(args=tuple(call_arguments(at, caller)), callerid=CALLER)
    emulator = FastAGIEmulator(
        "127.0.0.1",
        service.fastagi_port,
        ScriptedCaller(keys, **options),
        setup=setup,
    )
    log = await emulator.run()
    await service.records.flush()
    record = await service.records.get_call(log.setup.uniqueid)
    assert record is not None, "the call left no record"
    return Placed(log, record)


def with_cti(ami_port: int) -> dict[str, object]:
    """Configuration overrides that run the CTI against the emulated manager."""
    return {"ami.enabled": True, "ami.port": ami_port, "ami.secret": AMI_SECRET}


async def http_get(service: Service, token: str, path: str) -> tuple[int, Any]:
    """GET ``path`` with a bearer token: the status and the JSON (else bytes)."""
    url = f"http://127.0.0.1:{service.http_port}{path}"
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as client:
        async with client.get(url, headers=headers) as reply:
            if reply.content_type == "application/json":
                return reply.status, await reply.json()
            return reply.status, await reply.read()


async def staff_token(
    service: Service, username: str, role: str, **details: str
) -> str:
    """Add a staff account (password: the name twice, padded) and log it in."""
    assert service.cti is not None
    password, now = f"{username}-{username}-password", datetime.now(UTC)
    await service.cti.staff.add(username, role, password, now, **details)
    token = await service.cti.staff.log_in(username, password, now)
    assert token is not None
    return token
