"""Many calls at once through the whole service, and start-up refusals."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from service_calls import MakeConfig

from ivr.service import Service, ServiceError
from ivr.sim import run_calls
from ivr.sim.cli import call_arguments

CONCURRENT_CALLS = 500


async def test_500_concurrent_calls_each_keep_their_own_path(
    service: Service,
) -> None:
    """500 callers at once each take their path and leave their own record."""
    args = call_arguments("2026-10-08 09:30", None)

    logs = await run_calls(
        CONCURRENT_CALLS,
        host="127.0.0.1",
        port=service.fastagi_port,
        keys="2 1 * !",
        args=args,
    )
    await service.records.flush()

    assert await service.records.count_calls() == CONCURRENT_CALLS
    expected = ["welcome", "recording-notice", "main-menu", "employment"]
    outcomes: Counter[str] = Counter()
    for log in logs:
        record = await service.records.get_call(log.setup.uniqueid)
        assert record is not None
        path = [step["node_id"] for step in record["steps"]]
        assert path[:4] == expected
        assert path[-2:] == ["employment", "main-menu"]
        outcomes[record["outcome_kind"]] += 1
    assert outcomes == {"hangup": CONCURRENT_CALLS}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The shipped flow with one misspelt node id."""
    path = tmp_path / "menus.yaml"
    text = (Path(__file__).resolve().parents[2] / "menus.yaml").read_text("utf-8")
    path.write_text(text.replace("next: main-menu", "next: main-menuu", 1), "utf-8")
    return path


async def test_invalid_flow_is_refused_with_one_readable_message(
    make_config: MakeConfig, broken: Path
) -> None:
    """A flow with errors stops start-up; the message names file, line and column."""
    with pytest.raises(ServiceError) as refused:
        await Service(make_config(**{"flow.path": str(broken)})).start()

    message = str(refused.value)
    assert message.startswith("refusing to start: the flow has 1 problem")
    assert "main-menuu" in message
    assert f"{broken}:" in message and "ivr check" in message


async def test_health_and_flow_view_over_http(service: Service) -> None:
    """With the admin token, the HTTP service reports health and the flow;
    without it, only the status."""
    base = f"http://127.0.0.1:{service.http_port}"
    ops = {"Authorization": f"Bearer {service.config.admin.token.decode()}"}
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{base}/health", headers=ops) as response:
            health = await response.json()
            health_status = response.status
        async with client.get(f"{base}/flow", headers=ops) as response:
            flow = await response.json()
        async with client.get(f"{base}/health") as response:
            anonymous = await response.json()
        async with client.get(f"{base}/flow") as response:
            anonymous_flow = response.status

    assert anonymous == {"status": "ok"} and anonymous_flow == 401
    assert health_status == 200
    assert health["flow_version"] == service.flow.version if service.flow else False
    assert flow["start"] == "welcome"
    assert {node["id"] for node in flow["nodes"]} >= {"main-menu", "queue-general"}


async def test_missing_prompt_catalog_is_refused_readably(
    make_config: MakeConfig, tmp_path: Path
) -> None:
    """A prompts folder without prompts.yaml stops start-up with one message."""
    config = make_config(**{"prompts.dir": str(tmp_path / "no-prompts")})

    with pytest.raises(ServiceError, match=r"refusing to start: .*prompts\.yaml"):
        await Service(config).start()


def test_new_sqlite_database_is_private(service: Service, tmp_path: Path) -> None:
    """The embedded database (staff hashes, call records) is mode 0600."""
    mode = (tmp_path / "ivr.sqlite3").stat().st_mode & 0o777

    assert mode == 0o600


BACKENDS = str(Path(__file__).resolve().parents[2] / "config" / "backends.yaml")


@pytest.fixture
def misspelt_query(tmp_path: Path) -> Path:
    """The shipped flow with one query name misspelt."""
    path = tmp_path / "menus.yaml"
    text = (Path(__file__).resolve().parents[2] / "menus.yaml").read_text("utf-8")
    path.write_text(text.replace("query: si-contributions", "query: si-contrib"))
    return path


async def test_a_query_naming_no_backend_query_is_refused(
    make_config: MakeConfig, misspelt_query: Path
) -> None:
    """A typo in a query node's ``query:`` stops start-up at its line."""
    config = make_config(
        **{"flow.path": str(misspelt_query), "queries.backends_file": BACKENDS}
    )

    with pytest.raises(ServiceError) as refused:
        await Service(config).start()

    message = str(refused.value)
    assert message.startswith("refusing to start: the flow has 1 problem")
    assert "has no query 'si-contrib' (did you mean 'si-contributions'?)" in message
