"""Agents are served what callers hear: the running service, end to end.

A simulated caller (``ivr call``'s own code) walks the shipped menu through
the FastAGI server and prints what it hears; the same service's CTI API
must serve, for every prompt played, the text printed and the file played.
A reload must reach the agents too. The AMI peer is the project's emulator.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from service_calls import MakeConfig, http_get, staff_token, with_cti

from cti.ami.emulator import AMIEmulator
from ivr.prompts import PromptCatalog
from ivr.prompts.render import render_scripts
from ivr.service import Service
from ivr.sim import place_call

ROOT = Path(__file__).resolve().parents[2]
CLAIM_WORDS = "达到法定退休年龄"
QUERY_KEYS = "7 1 11010119700101018* 135790 !"
"""The contributions query of the demo's 测试用户甲, answered."""


@pytest.fixture
async def running(
    make_config: MakeConfig, asterisk: AMIEmulator, tmp_path: Path
) -> AsyncIterator[tuple[Service, Path]]:
    """The service with the CTI on a writable copy of the flow and prompts."""
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    shutil.copy(ROOT / "menus.yaml", tmp_path / "menus.yaml")
    config = make_config(
        **with_cti(asterisk.port),
        **{"flow.path": str(tmp_path / "menus.yaml"), "prompts.dir": str(prompts)},
    )
    service = Service(config)
    await service.start()
    try:
        yield service, prompts
    finally:
        await service.stop()


async def _token(service: Service) -> str:
    return await staff_token(service, "li", "agent", agent_number="1001")


async def _heard(
    service: Service, prompts: Path, language: str, keys: str
) -> list[str]:
    """Call with ``keys``; the transcript's lines of prompts (pieces left out:
    they read values, they are no texts agents say)."""
    catalog = PromptCatalog.load(prompts)
    out = io.StringIO()
    status = await place_call(
        host="127.0.0.1",
        port=service.fastagi_port,
        keys=keys,
        at="2026-10-08 09:30",
        caller=None,
        prompt_text=lambda name: catalog.spoken_text(name, language),
        language=language,
        out=out,
    )
    assert status == 0, out.getvalue()
    lines = [line for line in out.getvalue().splitlines() if line.startswith("♪ ")]
    return [line for line in lines if catalog.has(_prompt_id(line))]


def _prompt_id(line: str) -> str:
    """The prompt id of a transcript line (``♪ zh/main-menu  ...``)."""
    return line.removeprefix("♪ ").partition("  ")[0].rpartition("/")[2]


@pytest.mark.parametrize("language", ["zh", "yue"])
async def test_agents_are_served_the_words_and_files_callers_hear(
    running: tuple[Service, Path], language: str
) -> None:
    """Every prompt the caller heard, in a menu and in a self-service query:
    same text, same wav, on the API."""
    service, prompts = running
    token = await _token(service)

    lines = await _heard(service, prompts, language, "1 2 !")
    lines += await _heard(service, prompts, language, QUERY_KEYS)
    checked = [await _check(service, token, prompts, language, line) for line in lines]

    names = [name.rpartition("/")[2] for name, *_ in checked]
    assert names[:3] == ["welcome-morning", "recording-notice", "main-menu"]
    assert "si-pension-claim" in names
    assert {"query-ask-id-number", "query-ask-pin", "query-si-months"} <= set(names)
    for name, heard, served, status, same_audio in checked:
        assert (name, served) == (name, heard)
        assert (name, status, same_audio) == (name, 200, True)


async def _check(
    service: Service, token: str, prompts: Path, language: str, line: str
) -> tuple[str, str, str, int, bool]:
    """One transcript line against the API: name, heard, served, status, audio."""
    name, _, heard = line.removeprefix("♪ ").partition("  ")
    prompt_id = _prompt_id(line)
    status, entry = await http_get(
        service, token, f"/cti/knowledge/{prompt_id}?lang={language}"
    )
    _, audio = await http_get(service, token, entry["audio_url"])
    # Asterisk looks a bare name up in the channel's language folder and a
    # name with a folder (zh/...) as written (main/file.c fileexists_core).
    played = prompts / (name if "/" in name else f"{language}/{name}")
    same_audio = audio == played.with_suffix(".wav").read_bytes()
    return name, heard, entry["text"], status, same_audio


async def test_a_reload_reaches_the_agents(running: tuple[Service, Path]) -> None:
    """A new script after ``reload``: new text, entry and flow versions, and
    ``audio_current: false`` until the prompt is rendered again, since
    callers still hear the old recording."""
    service, prompts = running
    token = await _token(service)
    _, before = await http_get(service, token, "/cti/knowledge/si-pension-claim")
    catalog = prompts / "prompts.yaml"
    text = catalog.read_text("utf-8")
    assert CLAIM_WORDS in text
    catalog.write_text(text.replace(CLAIM_WORDS, "年满法定退休年龄", 1), "utf-8")

    unchanged = (await http_get(service, token, "/cti/knowledge/si-pension-claim"))[1]
    result = await service.reload("test")
    _, after = await http_get(service, token, "/cti/knowledge/si-pension-claim")
    reloaded = PromptCatalog.load(prompts)
    await asyncio.to_thread(render_scripts, reloaded, only=["si-pension-claim"])
    _, rendered = await http_get(service, token, "/cti/knowledge/si-pension-claim")

    assert unchanged == before, "nothing changes before the reload"
    assert result.ok and result.changed
    assert "年满法定退休年龄" in after["text"]
    assert after["version"] != before["version"]
    assert after["flow_version"] == result.version != before["flow_version"]
    assert (before["audio_current"], after["audio_current"]) == (True, False)
    assert rendered["audio_current"] is True
    assert rendered["version"] != after["version"], "the new audio is served"
