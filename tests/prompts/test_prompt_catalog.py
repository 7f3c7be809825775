"""The prompt catalog: loading, lookups, errors, and the shipped scripts."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from ivr.flow import load_flow
from ivr.flow.query_model import INPUTS, VERIFY_METHODS, fixed_prompts
from ivr.flow.ticket_model import TICKET_PROMPTS
from ivr.flow.yamlpos import PMap, PNode, PScalar, PSeq, parse_yaml
from ivr.prompts import DIALPLAN_PROMPTS, PromptCatalog, PromptCatalogError
from ivr.prompts.freshness import render_sidecar
from ivr.prompts.render import script_digest
from ivr.prompts.voice import voice_for
from ivr.speech import PIECE_SCRIPTS
from ivr.tickets.memory_desk import DEFAULT_FAX_DOCUMENTS

REPO = Path(__file__).resolve().parents[2]
PROMPTS = REPO / "prompts"
NORM_FILE = "seed/000_b3fcf28da32a2f4a.txt"


def _norm_text() -> str:
    env = os.environ.get("IVR_SHARED_DIR")
    shared = Path(env) if env else REPO.parent / "shared"
    return (shared / NORM_FILE).read_text(encoding="utf-8")


def _forbidden_phrases() -> list[str]:
    """The example phrases of Annex 2 (服务禁忌用语), split at ! and ?."""
    annex = _norm_text().split("服务禁忌用语", 1)[1]
    examples = re.findall(r"例如[:：](.+)", annex)
    phrases = re.split(r"[！？!?]", "".join(examples))
    return [phrase.strip() for phrase in phrases if phrase.strip()]


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "prompts.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def catalog() -> PromptCatalog:
    """The shipped catalog."""
    return PromptCatalog.load(PROMPTS)


def test_lookup_by_id_with_position(tmp_path: Path) -> None:
    """Ids keep file order, text and the line/column they are written at."""
    directory = _write(tmp_path, "# c\nhello: 您好\nbye: >-\n  再见\n")

    catalog = PromptCatalog.load(directory)

    assert catalog.ids == ("hello", "bye")
    assert catalog.text("bye") == "再见"
    assert catalog.position("bye") == (3, 1)
    assert catalog.has("hello") and not catalog.has("nope")


def test_audio_path_and_existence(tmp_path: Path) -> None:
    """Audio is looked up at <dir>/<lang>/<id>.wav."""
    directory = _write(tmp_path, "hello: 您好\n")
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "hello.wav").write_bytes(b"RIFF")

    catalog = PromptCatalog.load(directory)

    assert catalog.audio_path("hello") == tmp_path / "zh" / "hello.wav"
    assert catalog.has_audio("hello")
    assert not catalog.has_audio("hello", "yue")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: x\nb: y\na: z\n", "prompts.yaml:3:1: prompt id 'a' is defined twice"),
        ("Bad_Id: x\n", "prompts.yaml:1:1: prompt id 'Bad_Id' must use only"),
        ("a: [x]\n", "prompts.yaml:1:4: the script of 'a' must be text"),
        ("- a\n", "prompts.yaml:1:1: expected 'id: script' lines"),
        ("a: [x\n", "not valid YAML"),
    ],
)
def test_malformed_catalogs_are_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    """Errors name the file, line and column of the bad entry."""
    directory = _write(tmp_path, text)

    with pytest.raises(PromptCatalogError) as caught:
        PromptCatalog.load(directory)

    assert message in str(caught.value)


def test_missing_catalog_is_refused(tmp_path: Path) -> None:
    """A directory without prompts.yaml cannot be loaded."""
    with pytest.raises(PromptCatalogError, match="cannot read"):
        PromptCatalog.load(tmp_path)


def test_no_script_uses_a_forbidden_phrase(catalog: PromptCatalog) -> None:
    """No shipped script contains an Annex 2 forbidden phrase."""
    phrases = _forbidden_phrases()

    used = [
        (prompt_id, phrase)
        for prompt_id in catalog.ids
        for phrase in phrases
        if phrase in catalog.text(prompt_id)
    ]

    assert len(phrases) >= 15
    assert used == []


@pytest.mark.parametrize(
    "prompt_id", ["recording-notice", "closing", "closing-holiday", "transfer-agent"]
)
def test_norm_lines_are_quoted_exactly(catalog: PromptCatalog, prompt_id: str) -> None:
    """Lines taken from Annex 1 keep the norm's exact wording."""
    assert catalog.text(prompt_id) in _norm_text()


def test_welcome_lines_follow_annex_1(catalog: PromptCatalog) -> None:
    """The three welcomes are Annex 1 一.(一) for each time of day."""
    tail = "欢迎拨打人力资源社会保障咨询服务热线。"

    texts = [
        catalog.text(f"welcome-{part}") for part in ("morning", "noon", "afternoon")
    ]

    assert texts == [f"{hello}，{tail}" for hello in ("早上好", "中午好", "下午好")]


def test_every_prompt_menus_yaml_names_exists(catalog: PromptCatalog) -> None:
    """The shipped flow names only prompts the catalog defines."""
    flow, problems = load_flow(REPO / "menus.yaml", catalog)

    assert flow is not None
    assert not [p for p in problems if "prompt" in p.message]


def test_every_script_is_used_by_the_flow_or_the_dialplan(
    catalog: PromptCatalog,
) -> None:
    """No script is dead text: menus.yaml names it, the dialplan plays it, the
    ticket nodes say it by fixed id, or it offers a sample fax document."""
    root = parse_yaml((REPO / "menus.yaml").read_text(encoding="utf-8"), "m").root
    fixed = {p for verify in VERIFY_METHODS for p in fixed_prompts(INPUTS, verify)}
    words = set(_scalars(root)) | set(DIALPLAN_PROMPTS) | set(TICKET_PROMPTS)
    words |= set(fixed)

    unused = [prompt_id for prompt_id in catalog.ids if prompt_id not in words]

    assert set(unused) == {document.prompt for document in DEFAULT_FAX_DOCUMENTS}


def test_fixed_ticket_prompts_are_in_the_catalog(catalog: PromptCatalog) -> None:
    """Every fixed line of the ticket nodes has a script and audio."""
    missing = [
        prompt_id
        for prompt_id in TICKET_PROMPTS
        if not (catalog.has(prompt_id) and catalog.has_audio(prompt_id))
    ]

    assert missing == []


def test_dialplan_prompts_are_in_the_catalog_and_rendered(
    catalog: PromptCatalog,
) -> None:
    """The dialplan's fallback apology exists, with audio, unused by menus.yaml."""
    menus = (REPO / "menus.yaml").read_text(encoding="utf-8")

    assert "ivr-sorry-fallback" in DIALPLAN_PROMPTS
    for prompt_id in DIALPLAN_PROMPTS:
        assert catalog.has(prompt_id) and catalog.has_audio(prompt_id)
        assert prompt_id not in menus
    assert catalog.text("ivr-sorry-fallback").startswith("很抱歉，系统正在调整")


def test_flow_with_dialplan_prompts_checks_clean(catalog: PromptCatalog) -> None:
    """Scripts no node uses are not reported by the flow check."""
    _, problems = load_flow(REPO / "menus.yaml", catalog, today=date(2026, 3, 1))

    assert not [p for p in problems if "ivr-sorry-fallback" in p.message]
    assert [p.severity.value for p in problems] == ["warning"]


def test_every_script_has_current_audio(catalog: PromptCatalog) -> None:
    """Each script has a rendered file made from its current text."""
    stale = [
        f"{lang}/{prompt_id}"
        for lang in catalog.languages
        for prompt_id in catalog.scripts(lang)
        if not _audio_is_current(catalog, prompt_id, lang)
    ]

    assert stale == [], "run: .venv/bin/ivr prompts render"


def _audio_is_current(catalog: PromptCatalog, prompt_id: str, lang: str = "zh") -> bool:
    wav = catalog.audio_path(prompt_id, lang)
    sidecar = render_sidecar(catalog.directory / lang, prompt_id)
    digest = script_digest(catalog.text(prompt_id, lang), voice_for(lang))
    if not sidecar.exists():
        return wav.is_file()
    return wav.is_file() and sidecar.read_text(encoding="ascii").strip() == digest


def test_no_script_sends_callers_to_the_line_they_are_on(
    catalog: PromptCatalog,
) -> None:
    """Callers are on 12333 already: no "拨打12333查询/咨询"."""
    slips = [
        prompt_id
        for prompt_id in catalog.ids
        if re.search(r"拨打12333(查询|咨询|办理)", catalog.text(prompt_id))
    ]

    assert slips == []


def _scalars(node: PNode | None) -> list[str]:
    if isinstance(node, PScalar):
        return [node.value]
    if isinstance(node, PSeq):
        return [value for item in node.items for value in _scalars(item)]
    if isinstance(node, PMap):
        return [value for _, item in node.entries for value in _scalars(item)]
    return []


def test_mandarin_only_catalog(tmp_path: Path) -> None:
    """Without language files the catalog is zh-CN; unknown ones raise KeyError."""
    catalog = PromptCatalog.load(_write(tmp_path, "hello: 您好\n"))

    assert catalog.languages == ("zh",)
    assert catalog.text("hello", "zh") == "您好"
    assert catalog.text_or_none("hello") == "您好"
    assert catalog.text_or_none("nope") is None
    with pytest.raises(KeyError):
        catalog.text("hello", "en")


def test_folded_chinese_script_has_no_stray_spaces(tmp_path: Path) -> None:
    """A script folded over two YAML lines reads as one Chinese sentence."""
    (tmp_path / "prompts.yaml").write_text(
        "main-menu: >-\n  社会保险业务请按1；\n  就业业务请按2。\n"
        "hotline: 欢迎拨打 12333 热线\n",
        encoding="utf-8",
    )

    catalog = PromptCatalog.load(tmp_path)

    assert catalog.text("main-menu") == "社会保险业务请按1；就业业务请按2。"
    assert catalog.text("hotline") == "欢迎拨打12333热线"


def test_shipped_scripts_have_no_spaces_between_chinese() -> None:
    """No shipped prompt reads with a gap in the middle of a sentence."""
    catalog = PromptCatalog.load(Path(__file__).resolve().parents[2] / "prompts")

    gaps = [
        pid for pid in catalog.ids if re.search(r"[\u4e00-\u9fff]\s", catalog.text(pid))
    ]

    assert gaps == []


def test_pieces_file_matches_the_speech_pieces(catalog: PromptCatalog) -> None:
    """prompts/pieces.yaml holds exactly the pieces ivr.speech plays."""
    assert {pid: catalog.text(pid) for pid in catalog.piece_ids} == PIECE_SCRIPTS
    assert not set(catalog.piece_ids) & set(catalog.ids)


def _two_languages(tmp_path: Path) -> PromptCatalog:
    _write(tmp_path, "hello: 您好\nbye: 再见\n")
    (tmp_path / "prompts.yue.yaml").write_text("hello: 你好\n", encoding="utf-8")
    for lang, prompt_id in (("zh", "hello"), ("zh", "bye"), ("yue", "hello")):
        (tmp_path / lang).mkdir(exist_ok=True)
        (tmp_path / lang / f"{prompt_id}.wav").write_bytes(b"RIFF")
    return PromptCatalog.load(tmp_path)


def test_language_route_and_fallback(tmp_path: Path) -> None:
    """A yue caller hears yue where it exists, the Mandarin file otherwise."""
    catalog = _two_languages(tmp_path)

    assert catalog.languages == ("zh", "yue")
    assert catalog.text("hello", "yue") == "你好"
    assert catalog.resolve("hello", "yue") == ("yue", tmp_path / "yue" / "hello.wav")
    assert catalog.resolve("bye", "yue") == ("zh", tmp_path / "zh" / "bye.wav")
    assert catalog.playback_name("hello", "yue") == "hello"
    assert catalog.playback_name("bye", "yue") == "zh/bye"
    assert catalog.playback_name("bye", "zh") == "bye"
    assert catalog.missing_by_language() == {"yue": ["bye"]}


def test_script_without_audio_falls_back(tmp_path: Path) -> None:
    """A yue script not yet rendered still plays the Mandarin recording."""
    catalog = _two_languages(tmp_path)
    (tmp_path / "yue" / "hello.wav").unlink()

    assert catalog.playback_name("hello", "yue") == "zh/hello"
    assert catalog.missing_audio("yue") == ["hello"]


def test_translation_of_an_unknown_id_is_refused(tmp_path: Path) -> None:
    """A language file may only translate prompts that prompts.yaml has."""
    _write(tmp_path, "hello: 您好\n")
    (tmp_path / "prompts.yue.yaml").write_text("helo: 你好\n", encoding="utf-8")

    with pytest.raises(
        PromptCatalogError, match=re.escape("prompts.yue.yaml:1:1: prompt id")
    ):
        PromptCatalog.load(tmp_path)


@pytest.mark.parametrize(
    "prompt_id",
    ["welcome-morning", "recording-notice", "main-menu", "no-input-1", "invalid-1",
     "closing"],
)  # fmt: skip
def test_cantonese_route_has_the_core_prompts(
    catalog: PromptCatalog, prompt_id: str
) -> None:
    """The yue route translates the welcome, notice, menu, retries and closing."""
    assert catalog.text(prompt_id, "yue") != catalog.text(prompt_id)
    assert catalog.playback_name(prompt_id, "yue") == prompt_id


def test_spoken_text_follows_the_played_name() -> None:
    """`ivr call` shows the script the caller really hears for each played name."""
    catalog = PromptCatalog.load(REPO / "prompts")

    cantonese = catalog.spoken_text("welcome-morning", "yue")
    fallback = catalog.spoken_text("zh/menu-social-insurance", "yue")

    assert cantonese is not None and "歡迎致電" in cantonese
    assert fallback == catalog.text("menu-social-insurance")
    assert catalog.spoken_text("no-such-prompt", "yue") is None
