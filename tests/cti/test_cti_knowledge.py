"""The knowledge base: the texts and recordings agents are served (art. 33)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cti_rig import Rig

from cti import NotFoundError, add_cti_routes, authenticate, cti_errors
from cti.knowledge import AudioDigests, KnowledgeBase, KnowledgeSource
from ivr.calls import LoadedFlow
from ivr.flow import AnnouncementNode, Flow, WorkCalendar, load_flow
from ivr.flow.reachability import successors
from ivr.prompts import PromptCatalog
from ivr.web import make_app

ROOT = Path(__file__).resolve().parents[2]


def _loaded(menus: Path, prompts: Path) -> LoadedFlow:
    """Load a flow and catalog as ``ivr.reload.read_flow`` does."""
    catalog = PromptCatalog.load(prompts)
    flow, problems = load_flow(menus, catalog, today=date(2026, 3, 1))
    assert flow is not None, [str(p) for p in problems]
    return LoadedFlow(
        flow, WorkCalendar.for_flow(flow), datetime(2026, 3, 1, tzinfo=UTC), catalog
    )


@pytest.fixture(scope="module")
def shipped() -> LoadedFlow:
    """The shipped menus.yaml and prompts."""
    return _loaded(ROOT / "menus.yaml", ROOT / "prompts")


@pytest.fixture
def editable(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of menus.yaml and the Mandarin catalog with two recordings."""
    prompts = tmp_path / "prompts"
    shutil.copytree(ROOT / "prompts", prompts, ignore=shutil.ignore_patterns("*.wav"))
    for name in ("si-pension-claim", "main-menu"):
        shutil.copy(ROOT / "prompts/zh" / f"{name}.wav", prompts / "zh")
    shutil.copy(ROOT / "menus.yaml", tmp_path / "menus.yaml")
    return tmp_path / "menus.yaml", prompts


def _reachable_announcements(flow: Flow) -> dict[str, AnnouncementNode]:
    """Announcement nodes a caller can reach, walked here apart from the code."""
    seen: set[str] = set()
    todo = [flow.start]
    while todo:
        node_id = todo.pop()
        if node_id not in seen and node_id in flow.nodes:
            seen.add(node_id)
            todo += successors(flow.nodes[node_id])
    return {
        node_id: node
        for node_id, node in flow.nodes.items()
        if node_id in seen and isinstance(node, AnnouncementNode)
    }


def test_every_reachable_announcement_prompt_is_served(shipped: LoadedFlow) -> None:
    """Each announcement's prompts are entries naming that node, with keys."""
    base = KnowledgeBase(shipped, AudioDigests())
    announcements = _reachable_announcements(shipped.flow)
    served = {(e.prompt_id, e.language): e for e in base.entries()}

    assert len(announcements) >= 10
    for node in announcements.values():
        for prompt in node.prompts:
            for language in shipped.catalog.languages:
                entry = served[(prompt, language)]
                nodes = {s.node_id: s for s in entry.speakers}
                assert node.id in nodes, (prompt, language)
                assert nodes[node.id].path is not None
                assert entry.text
                assert entry.audio is not None and entry.audio.is_file()


def test_speakers_carry_the_keys_from_the_main_menu(shipped: LoadedFlow) -> None:
    """si-pension-claim is 1-2; the campaign item and the retry lines too."""
    base = KnowledgeBase(shipped, AudioDigests())

    claim = base.entry("si-pension-claim").speakers
    campaign = base.entry("campaign-graduates").speakers
    retry = {s.node_id: s for s in base.entry("no-input-1").speakers}
    main = base.entry("main-menu").speakers

    assert [(s.node_id, s.kind, s.field, s.path) for s in claim] == [
        ("si-pension-claim", "announcement", "prompts", "1-2")
    ]
    assert [(s.node_id, s.path) for s in campaign] == [("campaign-graduates", "9")]
    assert (retry["social-insurance"].field, retry["social-insurance"].path) == (
        "no_input",
        "1",
    )
    assert [(s.node_id, s.path) for s in main] == [("main-menu", "")]


def test_fixed_lines_name_the_nodes_that_say_them(shipped: LoadedFlow) -> None:
    """Lines a node kind says by itself (the ticket read-back, a query's
    refusals) list those nodes and their keys, like lines named in menus.yaml."""
    base = KnowledgeBase(shipped, AudioDigests())

    saved = {s.node_id: s for s in base.entry("message-saved").speakers}
    locked = {s.node_id for s in base.entry("query-locked").speakers}
    not_found = {s.node_id for s in base.entry("query-not-found").speakers}
    status = {s.node_id: s for s in base.entry("status-reply").speakers}

    assert saved["leave-message"].field == "fixed wording"
    assert saved["leave-message"].kind == "message"
    assert {"query-contributions", "query-pension"} <= locked
    assert not_found == {"query-certificate"}, "only where no one is verified"
    assert status["ticket-status"].path == "6-4"  # the shortest: complaints, 4


def test_text_and_audio_follow_the_language_route(shipped: LoadedFlow) -> None:
    """yue entries speak Cantonese where recorded, Mandarin where not."""
    base = KnowledgeBase(shipped, AudioDigests())
    catalog = shipped.catalog

    cantonese = base.entry("main-menu", "yue")
    fallback = base.entry("si-pension-claim", "yue")

    assert cantonese.spoken_language == "yue"
    assert cantonese.text == catalog.text("main-menu", "yue")
    assert cantonese.audio == ROOT / "prompts/yue/main-menu.wav"
    assert fallback.spoken_language == "zh"
    assert fallback.text == catalog.text("si-pension-claim", "zh")
    assert fallback.audio == ROOT / "prompts/zh/si-pension-claim.wav"
    assert cantonese.version != base.entry("main-menu", "zh").version


def test_search_and_language_filters(shipped: LoadedFlow) -> None:
    """?q= matches script words or ids; an unknown language or id is not found."""
    base = KnowledgeBase(shipped, AudioDigests())

    pension = base.entries("zh", "养老")
    by_id = base.entries("zh", "SI-PENSION")

    assert pension and all("养老" in e.text for e in pension)
    assert {e.language for e in pension} == {"zh"}
    assert {e.prompt_id for e in by_id} >= {"si-pension-claim"}
    with pytest.raises(NotFoundError):
        base.entries("fr")
    with pytest.raises(NotFoundError):
        base.entry("no-such-prompt")


def test_version_changes_with_the_script_and_the_recording(
    editable: tuple[Path, Path],
) -> None:
    """A new script or new audio bytes give a new version; others keep theirs."""
    menus, prompts = editable
    before = KnowledgeBase(_loaded(menus, prompts), AudioDigests())
    old_claim, old_menu = before.entry("si-pension-claim"), before.entry("main-menu")
    catalog = prompts / "prompts.yaml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace("达到法定退休年龄", "达到法定的退休年龄", 1), encoding="utf-8"
    )

    after = KnowledgeBase(_loaded(menus, prompts), AudioDigests())
    new_claim = after.entry("si-pension-claim")
    audio = prompts / "zh/main-menu.wav"
    audio.write_bytes(audio.read_bytes() + b"\0\0")
    new_menu = after.entry("main-menu")

    assert "法定的退休" in new_claim.text
    assert new_claim.version != old_claim.version
    assert old_menu.version != new_menu.version
    assert after.entry("no-input-1").version == before.entry("no-input-1").version
    assert after.entry("no-input-1").audio is None


def test_the_source_rebuilds_when_the_flow_is_replaced(
    editable: tuple[Path, Path],
) -> None:
    """A reload (a new LoadedFlow) is served on the next lookup, not before."""
    menus, prompts = editable
    running = [_loaded(menus, prompts)]
    source = KnowledgeSource(lambda: running[-1])
    first = source.base()
    catalog = prompts / "prompts.yaml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace("达到法定退休年龄", "年满退休年龄", 1), "utf-8")

    unchanged = source.base()
    running.append(_loaded(menus, prompts))
    reloaded = source.base()

    assert unchanged is first
    assert reloaded is not first
    assert "年满退休年龄" in reloaded.entry("si-pension-claim").text
    assert "年满退休年龄" not in first.entry("si-pension-claim").text


@pytest.fixture
async def desk(tmp_path: Path, shipped: LoadedFlow) -> AsyncIterator[TestClient]:
    """The CTI routes with the shipped flow's knowledge and the rig's staff."""
    rig = Rig(tmp_path)
    cti = await rig.start()
    cti.knowledge = KnowledgeSource(lambda: shipped)
    app = make_app(
        flow_provider=dict, health_provider=dict, middlewares=[authenticate, cti_errors]
    )
    add_cti_routes(app, cti)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()
    await rig.stop()


async def _token(client: TestClient) -> dict[str, str]:
    reply = await client.post(
        "/cti/login", json={"username": "agent1001", "password": "pw-1001-desk"}
    )
    return {"Authorization": f"Bearer {(await reply.json())['token']}"}


async def test_any_agent_reads_texts_and_audio_none_anonymously(
    desk: TestClient,
) -> None:
    """401 without a token; an agent gets the list, one entry, and the wav."""
    anonymous = await desk.get("/cti/knowledge/si-pension-claim")
    me = await _token(desk)

    listing = await (await desk.get("/cti/knowledge?q=养老&lang=zh", headers=me)).json()
    one = await (await desk.get("/cti/knowledge/si-pension-claim", headers=me)).json()
    audio = await desk.get(one["audio_url"], headers=me)
    missing = await desk.get("/cti/knowledge/nothing-like-this", headers=me)
    wrong_language = await desk.get("/cti/knowledge?lang=fr", headers=me)

    assert anonymous.status == 401
    assert "si-pension-claim" in {e["prompt_id"] for e in listing["entries"]}
    assert listing["flow_version"] == one["flow_version"]
    assert one["speakers"][0]["path"] == "1-2"
    assert audio.status == 200 and audio.content_type == "audio/wav"
    wav = ROOT / "prompts/zh/si-pension-claim.wav"
    assert await audio.read() == wav.read_bytes()
    assert (missing.status, wrong_language.status) == (404, 404)
