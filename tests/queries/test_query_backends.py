"""Failing backends: timeouts, server errors and the circuit breaker, as the
caller hears them (always a polite line and a way on, never silence)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import circuitbreaker  # type: ignore[import-untyped]
import pytest
from aiohttp import web
from query_rig import (
    KEYED_A,
    PERSON_A,
    Handler,
    MakeRig,
    base_url,
    heard,
    query_step,
    serve,
    serve_demo,
)
from redis.asyncio import Redis

from ivr.queries import (
    AttemptLimiter,
    AttemptLimits,
    BackendBreaker,
    BackendClient,
    BackendError,
    BackendSettings,
    CircuitOpenError,
    CircuitState,
    Endpoint,
    Found,
    NotFound,
    QueryDesk,
    Unavailable,
)

PENSION = ["7", "2", KEYED_A]
UNAVAILABLE_END = ["query-wait", "query-unavailable", "query-help"]


@dataclass
class Faults:
    """How the faulty backend behaves now, and how many requests it saw."""

    mode: str = "ok"
    requests: int = 0
    api_key: str = ""
    redirect_to: str = ""


@pytest.fixture
async def faulty() -> AsyncIterator[tuple[str, Faults]]:
    """The demo backend behind a switch: ok, slow (1 s), error (HTTP 500),
    forbidden (HTTP 403), missing (a bare HTTP 404, as for a mistyped URL) or
    not_found_404 (HTTP 404 with the agreed not-found body), unreadable
    (an ``ok`` answer whose fields cannot be read out), redirect (HTTP 307
    to ``redirect_to``) or not_json (HTTP 200 with an HTML page)."""
    faults = Faults()

    @web.middleware
    async def inject(request: web.Request, handler: Handler) -> web.StreamResponse:
        faults.requests += 1
        faults.api_key = request.headers.get("X-Api-Key", "")
        if faults.mode == "slow":
            await asyncio.sleep(1)
        if faults.mode == "error":
            return web.json_response({"error": "database down"}, status=500)
        if faults.mode == "forbidden":
            return web.json_response({"error": "no such key"}, status=403)
        if faults.mode == "missing":
            return web.Response(text="404: Not Found", status=404)
        if faults.mode == "unreadable":
            fields = {"last_amount": "many", "other": "3456.70"}
            return web.json_response({"result": "ok", "fields": fields})
        if faults.mode == "not_found_404":
            return web.json_response({"result": "not_found"}, status=404)
        if faults.mode == "redirect":
            raise web.HTTPTemporaryRedirect(faults.redirect_to + request.path)
        if faults.mode == "not_json":
            return web.Response(text="<html>maintenance</html>")
        return await handler(request)

    server = await serve_demo(inject)
    yield base_url(server), faults
    await server.close()


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The circuit breaker library's clock, moved by hand (no real waits)."""
    fake = FakeClock()
    monkeypatch.setattr(circuitbreaker, "monotonic", fake)
    return fake


async def _fails() -> None:
    """A backend request that fails."""
    raise BackendError("HTTP 500")


async def _answers() -> str:
    """A backend request that succeeds."""
    return "answer"


async def _outcome(
    breaker: BackendBreaker, send: Callable[[], Awaitable[str | None]]
) -> str:
    """What the breaker made of one request: its answer or the error's name."""
    try:
        return str(await breaker.call(send))
    except (BackendError, CircuitOpenError) as exc:
        return type(exc).__name__


async def test_backend_timeout_is_told_politely(
    make_rig: MakeRig, faulty: tuple[str, Faults], redis: Redis
) -> None:
    """A backend slower than its timeout: retried once, then "unavailable"."""
    url, faults = faulty
    faults.mode = "slow"
    rig = make_rig(url, redis, backend={"timeout": 0.2, "retries": 1, "backoff": 0})

    trace, channel = await rig.call(PENSION)

    assert heard(channel)[2:] == UNAVAILABLE_END
    assert query_step(trace).result == "unavailable: no answer"
    assert faults.requests == 2


async def test_backend_error_is_retried_then_told(
    make_rig: MakeRig, faulty: tuple[str, Faults], redis: Redis
) -> None:
    """HTTP 500: the retry fails too; the caller is offered an agent."""
    url, faults = faulty
    faults.mode = "error"
    rig = make_rig(url, redis, backend={"retries": 1, "backoff": 0})

    trace, channel = await rig.call(PENSION)

    assert heard(channel)[2:] == UNAVAILABLE_END
    assert query_step(trace).result == "unavailable: no answer"
    assert faults.requests == 2


async def test_backoff_doubles_and_a_4xx_is_not_retried(
    faulty: tuple[str, Faults], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retries wait ``backoff`` seconds, then twice that; a 403 is a setup
    mistake: told at once, one request only."""
    url, faults = faulty
    endpoints = {"pension-payments": Endpoint("POST", "/pension/payments")}
    settings = BackendSettings("hrss", url, endpoints, retries=2, backoff=0.5)
    client = BackendClient(settings)
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", no_wait)
    faults.mode = "error"
    failed = await client.query("pension-payments", {"id_number": "x"})
    errors_seen, faults.requests = faults.requests, 0
    faults.mode = "forbidden"
    refused = await client.query("pension-payments", {"id_number": "x"})
    await client.close()

    assert (failed, errors_seen) == (Unavailable("no answer"), 3)
    assert [w for w in waits if w > 0] == [0.5, 1.0]
    assert (refused, faults.requests) == (Unavailable("HTTP 403"), 1)


async def test_a_bare_404_is_a_fault_not_an_unknown_caller(
    make_rig: MakeRig,
    faulty: tuple[str, Faults],
    redis: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 404 without the not-found body (a mistyped URL): the caller hears
    "unavailable", is not locked out, the breaker counts it and a warning
    names backend, query and status (never the inputs)."""
    url, faults = faulty
    faults.mode = "missing"
    rig = make_rig(url, redis, backend={"retries": 0, "failures_to_open": 1})

    trace, channel = await rig.call(PENSION)

    assert heard(channel)[2:] == UNAVAILABLE_END
    assert query_step(trace).result == "unavailable: HTTP 404"
    assert rig.build().backends["hrss"].breaker.state is CircuitState.OPEN
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(
        "backend hrss query pension-payments failed: HTTP 404" in line
        for line in warnings
    )
    assert not any(PERSON_A.id_number in line for line in warnings)


async def test_a_redirect_is_a_fault_and_never_followed(
    faulty: tuple[str, Faults],
) -> None:
    """A 307 to another host would send the credentials, the ID number and the
    PIN there again: it is not followed, the caller hears "unavailable" and
    the circuit counts it."""
    url, faults = faulty
    elsewhere: list[web.Request] = []

    async def record(request: web.Request) -> web.Response:
        elsewhere.append(request)
        return web.json_response({"result": "ok", "fields": {}})

    other = web.Application()
    other.router.add_route("*", "/{tail:.*}", record)
    server = await serve(other)
    faults.mode = "redirect"
    faults.redirect_to = base_url(server)
    endpoints = {"si-contributions": Endpoint("POST", "/si/contributions")}
    settings = BackendSettings(
        "hrss",
        url,
        endpoints,
        retries=0,
        failures_to_open=1,
        headers={"X-Api-Key": "secret-api-key-123"},
        username="ivr",
        password="secret-password-123",
    )
    client = BackendClient(settings)
    inputs = {"id_number": PERSON_A.id_number, "pin": PERSON_A.pin}

    result = await client.query("si-contributions", inputs)
    await client.close()
    await server.close()

    assert elsewhere == []
    assert result == Unavailable("HTTP 307, a redirect (not followed)")
    assert client.breaker.state is CircuitState.OPEN


async def test_a_200_that_is_not_json_says_so(faulty: tuple[str, Faults]) -> None:
    """An HTML page with HTTP 200 (a proxy's maintenance page): the reason
    names both, so the warning and the call record explain the fault."""
    url, faults = faulty
    faults.mode = "not_json"
    endpoints = {"pension-payments": Endpoint("POST", "/pension/payments")}
    client = BackendClient(BackendSettings("hrss", url, endpoints, retries=0))

    result = await client.query("pension-payments", {"id_number": "x"})
    await client.close()

    assert result == Unavailable("HTTP 200, not JSON")


async def test_a_404_with_the_not_found_body_is_not_found(
    faulty: tuple[str, Faults],
) -> None:
    """The agreed body decides: ``{"result": "not_found"}`` with HTTP 404 is
    an answer, and it does not count towards the circuit."""
    url, faults = faulty
    faults.mode = "not_found_404"
    endpoints = {"pension-payments": Endpoint("POST", "/pension/payments")}
    settings = BackendSettings("hrss", url, endpoints, failures_to_open=1)
    client = BackendClient(settings)

    result = await client.query("pension-payments", {"id_number": "x"})
    await client.close()

    assert result == NotFound()
    assert client.breaker.state is CircuitState.CLOSED


async def test_an_answer_with_nothing_readable_is_unavailable(
    make_rig: MakeRig,
    faulty: tuple[str, Faults],
    redis: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An ``ok`` answer none of whose fields can be said: the caller hears the
    polite "unavailable" line and a way on, not "please wait" then the
    closing line; one warning names the fields, not their values."""
    url, faults = faulty
    faults.mode = "unreadable"
    rig = make_rig(url, redis)

    trace, channel = await rig.call(PENSION)

    assert heard(channel)[2:] == UNAVAILABLE_END
    assert query_step(trace).result == "unavailable: nothing readable"
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert [line for line in warnings if "unreadable" in line] == [
        "call 1700000000.1: query query-pension: unreadable field(s) skipped: "
        "last_amount, last_date"
    ]


async def test_circuit_opens_then_a_probe_closes_it(
    make_rig: MakeRig, faulty: tuple[str, Faults], redis: Redis, clock: FakeClock
) -> None:
    """Two failures open the circuit; callers are told at once without a
    request (before keying the ID number, so the refused call keys only the
    menu choices); after the cool-down one probe goes through and closes it."""
    url, faults = faulty
    faults.mode = "error"
    options = {"retries": 0, "failures_to_open": 2, "open_seconds": 30}
    rig = make_rig(url, redis, backend=options)

    await rig.call(PENSION)
    await rig.call(PENSION)
    refused, refused_channel = await rig.call(PENSION[:2])
    requests_while_open = faults.requests
    faults.mode = "ok"
    clock.now += 31
    probe, _ = await rig.call(PENSION)

    assert query_step(refused).result == "unavailable: circuit open"
    assert heard(refused_channel, "query-unavailable")[:2] == UNAVAILABLE_END[1:]
    assert requests_while_open == 2
    assert query_step(probe).result == "answered"
    assert rig.build().backends["hrss"].breaker.state is CircuitState.CLOSED


async def test_an_open_circuit_is_told_before_anything_is_keyed(
    make_rig: MakeRig, faulty: tuple[str, Faults], redis: Redis, clock: FakeClock
) -> None:
    """With the circuit open the caller hears "unavailable" at once, without
    keying the ID number; checking does not use up the half-open probe."""
    url, faults = faulty
    faults.mode = "error"
    options = {"retries": 0, "failures_to_open": 1, "open_seconds": 30}
    rig = make_rig(url, redis, backend=options)
    await rig.call(PENSION)
    breaker = rig.build().backends["hrss"].breaker

    refused, channel = await rig.call(["7", "2"])
    clock.now += 31
    refusing_after_cool_down = breaker.refusing
    faults.mode = "ok"
    probe, _ = await rig.call(PENSION)

    assert query_step(refused).result == "unavailable: circuit open"
    assert "query-intro" not in channel.played
    assert "query-ask-id-number" not in channel.played
    assert heard(channel, "query-unavailable")[:2] == UNAVAILABLE_END[1:]
    assert query_step(refused).keys == ""
    assert refusing_after_cool_down is False
    assert query_step(probe).result == "answered"


async def test_breaker_half_open_probe_failure_reopens(clock: FakeClock) -> None:
    """After the cool-down a probe goes through; its failure opens the circuit
    again at once (no new run of failures needed), for another cool-down."""
    breaker = BackendBreaker("b", failures_to_open=3, open_seconds=10)
    opening = [await _outcome(breaker, _fails) for _ in range(3)]

    states = [breaker.state]
    refused = await _outcome(breaker, _answers)
    clock.now += 10
    states.append(breaker.state)
    probe = await _outcome(breaker, _fails)
    states.append(breaker.state)
    clock.now += 9
    still_refused = await _outcome(breaker, _answers)
    clock.now += 1
    recovered = await _outcome(breaker, _answers)

    assert opening == ["BackendError"] * 3
    assert states == [CircuitState.OPEN, CircuitState.HALF_OPEN, CircuitState.OPEN]
    assert (refused, probe, still_refused) == (
        "CircuitOpenError",
        "BackendError",
        "CircuitOpenError",
    )
    assert recovered == "answer"
    assert breaker.state is CircuitState.CLOSED


async def test_breaker_counts_consecutive_failures_only() -> None:
    """A success in between resets the count: the circuit stays closed."""
    breaker = BackendBreaker("b", failures_to_open=2, open_seconds=10)

    outcomes = [
        await _outcome(breaker, _fails),
        await _outcome(breaker, _answers),
        await _outcome(breaker, _fails),
    ]

    assert outcomes == ["BackendError", "answer", "BackendError"]
    assert breaker.state is CircuitState.CLOSED


async def test_client_sends_configured_headers_and_hides_them(
    faulty: tuple[str, Faults],
) -> None:
    """Headers from the configuration reach the backend; repr never shows them."""
    url, faults = faulty
    settings = BackendSettings(
        name="hrss",
        base_url=url,
        queries={"pension-payments": Endpoint("POST", "/pension/payments")},
        headers={"X-Api-Key": "secret-api-key-123"},
    )
    client = BackendClient(settings)
    inputs = {"id_number": PERSON_A.id_number, "caller": PERSON_A.phone}

    result = await client.query("pension-payments", inputs)
    missing = await client.query("no-such-query", inputs)
    await client.close()

    assert faults.api_key == "secret-api-key-123"
    assert isinstance(result, Found)
    assert result.fields["last_amount"] == "3456.70"
    assert missing == Unavailable("unknown query")
    assert "secret-api-key-123" not in repr(settings)


async def test_desk_names_queries_no_backend_answers(
    faulty: tuple[str, Faults],
) -> None:
    """A flow's backend or query missing from the configuration is named."""
    url, _ = faulty
    endpoints = {"pension-payments": Endpoint("POST", "/pension/payments")}
    client = BackendClient(BackendSettings("hrss", url, endpoints))
    limiter = AttemptLimiter(AttemptLimits(), None)
    desk = QueryDesk({"hrss": client}, limiter, b"k" * 32)

    problems = [
        desk.problem("hrss", "pension-payments"),
        desk.problem("hrss", "card-progress"),
        desk.problem("other", "pension-payments"),
    ]
    answer = await desk.ask("other", "pension-payments", {}, "call-1")
    await desk.close()

    assert problems == [
        None,
        "backend 'hrss' has no query 'card-progress'",
        "no backend 'other' is configured",
    ]
    assert answer == Unavailable("no backend 'other' is configured")
