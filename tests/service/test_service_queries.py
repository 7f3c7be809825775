"""The self-service queries through the running service, as ``ivr call``
places them: FastAGI, the demo backend the service starts, call records."""

from __future__ import annotations

from service_calls import place

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
