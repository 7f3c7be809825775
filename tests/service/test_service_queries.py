"""The self-service queries through the running service, as ``ivr call``
places them: FastAGI, the demo backend the service starts, call records."""

from __future__ import annotations

from typing import Any

import aiohttp
from service_calls import MakeConfig, place

from ivr.service import Service


async def test_demo_backend_answers_a_query_through_the_service(
    service: Service,
) -> None:
    """The embedded defaults start the demo: a contributions query is read."""
    call = await place(service, "7 1 11010119700101018* 135790")

    start = call.prompts.index("query-wait")
    assert call.prompts[start : start + 3] == ["query-wait", "query-si-months", "num-1"]
    assert "query-si-base" in call.prompts
    steps = [step for step in call.record["steps"] if step["kind"] == "query"]
    assert [(s["keys"], s["result"]) for s in steps] == [
        ("110*************8X ******", "answered")
    ]
    assert service.queries.demo is not None


async def test_stop_closes_the_demo_backend(service: Service) -> None:
    """Stopping the service stops the demo backend and the query desk."""
    await service.stop()

    assert service.queries.demo is None
    assert service.queries.desk is None


async def _health(service: Service) -> dict[str, Any]:
    """/health as the admin sees it."""
    url = f"http://127.0.0.1:{service.http_port}/health"
    ops = {"Authorization": f"Bearer {service.config.admin.token.decode()}"}
    async with aiohttp.ClientSession() as client:
        async with client.get(url, headers=ops) as response:
            report: dict[str, Any] = await response.json()
    return report


async def test_health_reports_redis_and_each_backend_circuit(
    make_config: MakeConfig,
) -> None:
    """/health has a queries block: Redis as last seen (down after a failed
    count, off when not configured) and each backend's circuit state."""
    dead_redis = make_config(**{"queries.redis_url": "redis://127.0.0.1:1/0"})
    no_redis = make_config(**{"queries.redis_url": ""})
    reports = []
    for config in (dead_redis, no_redis):
        service = Service(config)
        await service.start()
        try:
            before = (await _health(service))["queries"]
            await place(service, "7 1 11010119700101018* 135790")
            reports.append((before, (await _health(service))["queries"]))
        finally:
            await service.stop()

    circuits = {"hrss": "closed"}
    assert reports[0] == (
        {"redis": "ok", "backends": circuits},
        {"redis": "down", "backends": circuits},
    )
    assert reports[1][1] == {"redis": "off", "backends": circuits}
