"""Safe reload: calls in progress keep their flow, new calls take the new one.

The reload test holds 200 simulated calls at the main menu (their callers
wait on a gate before pressing a key), swaps two main-menu keys on disk,
reloads, starts new calls, then lets everyone go on; no sleeps are involved.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from service_calls import MakeConfig

from ivr.service import Service
from ivr.sim import CallSetup, DigitRequest, FastAGIEmulator, KeyAnswer, ScriptedCaller
from ivr.sim.cli import call_arguments

ROOT = Path(__file__).resolve().parents[2]
HELD_CALLS = 200
NEW_CALLS = 20
SWAPPED = (
    '"1": social-insurance\n      "2": employment',
    '"1": employment\n      "2": social-insurance',
)


class GatedCaller(ScriptedCaller):
    """Presses its keys only once the gate opens; counts who is waiting."""

    def __init__(
        self, keys: str, gate: asyncio.Event, waiting: list[int], all_in: asyncio.Event
    ) -> None:
        super().__init__(keys)
        self._gate, self._waiting, self._all_in = gate, waiting, all_in

    async def on_digits(self, request: DigitRequest) -> KeyAnswer:
        """Wait at the first request for digits until the test opens the gate."""
        if request.index == 1:
            self._waiting.append(1)
            if len(self._waiting) == HELD_CALLS:
                self._all_in.set()
            await self._gate.wait()
        return await super().on_digits(request)


@pytest.fixture
def flow_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the shipped flow and prompts."""
    shutil.copytree(
        ROOT / "prompts", tmp_path / "prompts", ignore=shutil.ignore_patterns("*.wav")
    )
    menus = (ROOT / "menus.yaml").read_text("utf-8")
    # The simulated caller gives up on a key after the menu's timeout in real
    # time; held callers must outlast a slow machine, so menus wait longer.
    assert "\n    timeout: 6 " in menus
    menus = menus.replace("\n    timeout: 6 ", "\n    timeout: 120 ", 1)
    (tmp_path / "menus.yaml").write_text(menus, "utf-8")
    return tmp_path / "menus.yaml", tmp_path / "prompts"


@pytest.fixture
async def editable(make_config: MakeConfig, flow_copy: tuple[Path, Path]) -> Service:
    """A running service on the writable copy."""
    menus, prompts = flow_copy
    service = Service(
        make_config(**{"flow.path": str(menus), "prompts.dir": str(prompts)})
    )
    await service.start()
    yield service
    await service.stop()


def _swap_keys_1_and_2(menus: Path) -> None:
    text = menus.read_text("utf-8")
    assert SWAPPED[0] in text
    menus.write_text(text.replace(SWAPPED[0], SWAPPED[1]), "utf-8")


def _call(service: Service, caller: ScriptedCaller) -> FastAGIEmulator:
    setup = CallSetup(args=tuple(call_arguments("2026-10-08 09:30", None)))
    return FastAGIEmulator("127.0.0.1", service.fastagi_port, caller, setup=setup)


async def test_reload_under_200_calls_drops_none(
    editable: Service, flow_copy: tuple[Path, Path]
) -> None:
    """Held calls finish on their flow; calls after the reload run the new one."""
    gate, all_in, waiting = asyncio.Event(), asyncio.Event(), []
    old_version = editable.flow.version
    held = [
        asyncio.create_task(
            _call(editable, GatedCaller("1 !", gate, waiting, all_in)).run()
        )
        for _ in range(HELD_CALLS)
    ]
    await asyncio.wait_for(all_in.wait(), 60)

    await asyncio.to_thread(_swap_keys_1_and_2, flow_copy[0])
    result = await editable.reload("test")
    fresh = [_call(editable, ScriptedCaller("1 !")).run() for _ in range(NEW_CALLS)]
    fresh_logs = await asyncio.gather(*fresh)
    gate.set()
    held_logs = await asyncio.gather(*held)
    await editable.records.flush()

    assert result.ok and result.changed and result.previous == old_version
    for log, version, area in [
        *((log, old_version, "social-insurance") for log in held_logs),
        *((log, result.version, "employment") for log in fresh_logs),
    ]:
        record = await editable.records.get_call(log.setup.uniqueid)
        assert record is not None
        assert record["flow_version"] == version
        assert [s["node_id"] for s in record["steps"]][3] == area
        assert record["outcome_kind"] == "hangup"
    assert await editable.records.count_calls() == HELD_CALLS + NEW_CALLS


async def test_an_invalid_flow_is_refused_and_the_running_one_stays(
    editable: Service, flow_copy: tuple[Path, Path]
) -> None:
    """A broken menus.yaml is rejected with its errors; calls go on as before."""
    running = editable.flow.version
    menus = flow_copy[0]
    await asyncio.to_thread(
        menus.write_text,
        menus.read_text("utf-8").replace("next: main-menu", "next: nowhere", 1),
        "utf-8",
    )

    result = await editable.reload("test")
    log = await _call(editable, ScriptedCaller("!")).run()

    assert not result.ok and result.version == running
    assert any("nowhere" in problem for problem in result.problems)
    assert editable.flow.version == running
    assert log.variables.get("IVR_DONE") == "1"


async def test_a_query_typo_is_refused_on_reload(
    editable: Service, flow_copy: tuple[Path, Path]
) -> None:
    """A backend name the backends file lacks keeps the running flow."""
    running = editable.flow.version
    menus = flow_copy[0]
    text = menus.read_text("utf-8")
    assert "backend: hrss" in text
    await asyncio.to_thread(
        menus.write_text, text.replace("backend: hrss", "backend: hrs", 1), "utf-8"
    )

    result = await editable.reload("test")

    assert not result.ok and editable.flow.version == running
    assert any(
        "has no backend 'hrs' (did you mean 'hrss'?)" in problem
        for problem in result.problems
    )


async def test_rollback_restores_the_previous_files(
    editable: Service, flow_copy: tuple[Path, Path]
) -> None:
    """After a reload, one rollback writes the old files back and runs them."""
    menus = flow_copy[0]
    original = menus.read_bytes()
    first = editable.flow.version
    await asyncio.to_thread(_swap_keys_1_and_2, menus)
    await editable.reload("test")

    result = await editable.rollback()
    history = await editable.versions()

    assert result.ok and result.version == first
    assert menus.read_bytes() == original
    assert [entry["source"] for entry in history][:3] == [
        f"rollback to {first}",
        "test",
        "start",
    ]


async def test_admin_api_needs_the_token(editable: Service) -> None:
    """Reload over HTTP: 401 without or with a wrong token, 200 with it."""
    url = f"http://127.0.0.1:{editable.http_port}/admin/reload"
    token = editable.config.admin.token.decode()
    statuses = []
    async with aiohttp.ClientSession() as client:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": f"Bearer {token}"},
        ):
            async with client.post(url, headers=headers) as response:
                statuses.append(response.status)
                body = await response.json()

    assert statuses == [401, 401, 200]
    assert body["ok"] is True and body["changed"] is False


async def test_admin_api_is_off_without_a_token(make_config: MakeConfig) -> None:
    """With no admin token configured, the admin API answers 403 to everyone."""
    service = Service(make_config(**{"admin.token": "", "admin.token_file": ""}))
    await service.start()
    try:
        async with aiohttp.ClientSession() as client:
            url = f"http://127.0.0.1:{service.http_port}/admin/versions"
            async with client.get(
                url, headers={"Authorization": "Bearer x"}
            ) as response:
                status = response.status
    finally:
        await service.stop()

    assert status == 403


async def test_rollback_to_a_too_short_version_is_refused(editable: Service) -> None:
    """`ivr rollback --to ""` must not quietly roll back to the previous version."""
    running = editable.flow.version

    result = await editable.rollback("")

    assert not result.ok and editable.flow.version == running
    assert "at least 6 characters" in result.problems[0]


async def test_version_times_are_stored_as_utc(editable: Service) -> None:
    """The start-up version's time matches the flow's load time, in UTC."""
    history = await editable.versions()
    async with aiohttp.ClientSession() as client:
        ops = {"Authorization": f"Bearer {editable.config.admin.token.decode()}"}
        url = f"http://127.0.0.1:{editable.http_port}/flow"
        async with client.get(url, headers=ops) as got:
            view = await got.json()

    stored = datetime.fromisoformat(history[-1]["loaded_at"])
    assert stored == datetime.fromisoformat(view["loaded_at"])
    assert stored.utcoffset() == timedelta(0)
