"""The self-service queries through the running service, as ``ivr call``
places them: FastAGI, the demo backend the service starts, call records.

Everything these calls leave (the numbers keyed, log lines, the database,
Redis, and every reply staff can get about them) goes to the privacy scan
that runs last (``tests/zz_privacy``)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from privacy_evidence import (
    DATABASES,
    REDIS_URLS,
    REPLIES,
    collecting_logs,
    remember_demo_answers,
    remember_keyed,
)
from service_calls import MakeConfig, http_get, place, staff_token, with_cti

from cti.ami.emulator import AMIEmulator
from ivr.service import Service

WRONG_PINS = ("740213", "518362", "962047")
"""PINs no demo person has (the same as the query tests' own)."""
ID_A = "11010119700101018*"
PRIVACY_CALLS = (
    f"7 1 {ID_A} 135790 !",
    f"7 1 {ID_A} {WRONG_PINS[0]} {ID_A} {WRONG_PINS[1]} {ID_A} {WRONG_PINS[2]} "
    "2 rec6# 3 !",
    "7 2 110101197001010016 !",
    "7 3 # 2 rec6# 3 !",
    f"7 4 2024110100001 {ID_A} !",
)
"""Answered; locked out after three wrong PINs, then a message; a pension
asked from another phone; help asked at once, then a message; a
certificate checked."""


@pytest.fixture(autouse=True)
def evidence_logging() -> Iterator[None]:
    """Everything logged here, DEBUG included, goes to the privacy scan."""
    with collecting_logs():
        yield


async def place_query(service: Service, keys: str) -> None:
    """Place a call whose keyed numbers, and the demo's answers as the flow
    reads them, are secrets for the privacy scan."""
    remember_keyed(keys.split())
    remember_demo_answers(service.flow)
    await place(service, keys)


async def test_demo_backend_answers_a_query_through_the_service(
    service: Service,
) -> None:
    """The embedded defaults start the demo: a contributions query is read."""
    remember_keyed(["11010119700101018*", "135790"])
    call = await place(service, "7 1 11010119700101018* 135790")

    start = call.prompts.index("query-wait")
    assert call.prompts[start : start + 3] == ["query-wait", "query-si-months", "num-1"]
    assert "query-si-base" in call.prompts
    steps = [step for step in call.record["steps"] if step["kind"] == "query"]
    assert [(s["keys"], s["result"]) for s in steps] == [
        ("110*************8X ******", "answered")
    ]
    assert service.queries.demo is not None


async def test_numbers_ended_with_hash_as_the_requests_say(
    service: Service,
) -> None:
    """The ID number and PIN each keyed with the `#` their request asks
    for: the query is answered (the `#` after the 18th digit once reached
    the PIN request and sent the caller to the help menu)."""
    remember_keyed(["11010119700101018*", "135790"])
    call = await place(service, "7 1 11010119700101018*# 135790# _")

    steps = [step for step in call.record["steps"] if step["kind"] == "query"]
    assert [(s["keys"], s["result"]) for s in steps] == [
        ("110*************8X ******", "answered")
    ]


async def test_stop_closes_the_demo_backend(service: Service) -> None:
    """Stopping the service stops the demo backend and the query desk."""
    await service.stop()

    assert service.queries.demo is None
    assert service.queries.desk is None


async def _health(service: Service) -> dict[str, Any]:
    """/health as the admin sees it."""
    _, report = await http_get(service, service.config.admin.token.decode(), "/health")
    assert isinstance(report, dict)
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
            await place_query(service, "7 1 11010119700101018* 135790")
            reports.append((before, (await _health(service))["queries"]))
        finally:
            await service.stop()

    circuits = {"hrss": "closed"}
    assert reports[0] == (
        {"redis": "ok", "backends": circuits},
        {"redis": "down", "backends": circuits},
    )
    assert reports[1][1] == {"redis": "off", "backends": circuits}


async def test_query_calls_and_staff_replies_feed_the_privacy_scan(
    make_config: MakeConfig, asterisk: AMIEmulator
) -> None:
    """Queries of each kind through the running service with the CTI on,
    then every reply staff get about them: /health, /flow, the knowledge
    base and the tickets, each message opened in full. All of it is
    evidence for the scan; here, that each reply was served."""
    config = make_config(
        **with_cti(asterisk.port), **{"privacy.hash_key": secrets.token_hex(16)}
    )
    service = Service(config)
    await service.start()
    try:
        for keys in PRIVACY_CALLS:
            await place_query(service, keys)
        replies = await _staff_replies(service)
    finally:
        await service.stop()
    DATABASES.append(config.database.url)
    REDIS_URLS.append(config.queries.redis_url)
    REPLIES.extend(replies.values())

    assert list(replies)[:4] == [
        "/health",
        "/flow",
        "/cti/knowledge",
        "/cti/tickets",
    ]
    assert len(replies) == 6, "both messages, opened in full"


async def _staff_replies(service: Service) -> dict[str, str]:
    """Each path staff read, with its reply as text (all must be 200)."""
    staff = await staff_token(service, "wang", "supervisor", interface="PJSIP/9001")
    admin = service.config.admin.token.decode()
    replies = {
        "/health": await http_get(service, admin, "/health"),
        "/flow": await http_get(service, admin, "/flow"),
        "/cti/knowledge": await http_get(service, staff, "/cti/knowledge"),
        "/cti/tickets": await http_get(service, staff, "/cti/tickets"),
    }
    for ticket in replies["/cti/tickets"][1]["tickets"]:
        path = f"/cti/tickets/{ticket['number']}"
        replies[path] = await http_get(service, staff, path)
    assert {path: status for path, (status, _) in replies.items()} == dict.fromkeys(
        replies, 200
    )
    return {
        path: json.dumps(body, ensure_ascii=False)
        for path, (_, body) in replies.items()
    }
