"""The service with the CTI on: AMI link state in /health, staff see details.

The AMI peer is the project's emulator (cti/ami/emulator.py), which speaks as
Asterisk 22's manager does.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from service_calls import MakeConfig, staff_token, with_cti

from cti.ami.emulator import AMIEmulator
from ivr.service import Service


async def _health(service: Service, token: str) -> dict[str, Any]:
    url = f"http://127.0.0.1:{service.http_port}/health"
    async with aiohttp.ClientSession() as client:
        async with client.get(url, headers={"Authorization": f"Bearer {token}"}) as got:
            return dict(await got.json())


async def _until(service: Service, token: str, connected: bool) -> dict[str, Any]:
    """Read /health until the AMI link is (or is not) connected, at most 10 s."""
    async with asyncio.timeout(10):
        while True:
            report = await _health(service, token)
            if report["ami"]["connected"] is connected:
                return report
            await asyncio.sleep(0.05)


async def test_ami_link_in_health_and_staff_see_details(
    make_config: MakeConfig, asterisk: AMIEmulator
) -> None:
    """/health reports the AMI link (up, then down with the time), for staff."""
    config = make_config(**with_cti(asterisk.port))
    service = Service(config)
    await service.start()
    try:
        token = await staff_token(service, "wang", "supervisor", interface="PJSIP/9001")
        up = await _until(service, token, connected=True)
        await asterisk.close()
        down = await _until(service, token, connected=False)
    finally:
        await service.stop()

    assert up["status"] == "ok" and up["ami"]["stale"] is False
    assert down["status"] == "ok", "the IVR keeps answering without AMI"
    assert down["ami"]["down_since"] is not None
