"""Annex 2 (服务禁忌用语): forbidden phrases are errors, their patterns warnings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flow_edits import TODAY
from flow_fakes import MENUS
from shared_material import shared_dir

from ivr.flow import Severity, load_flow
from ivr.flow.phrases import (
    ANNEX2,
    ForbiddenPhrase,
    find_forbidden,
    find_suspect,
    normalise,
)
from ivr.prompts import PromptCatalog

NORM_FILE = "seed/000_b3fcf28da32a2f4a.txt"


def _annex2_from_the_norm() -> list[tuple[str, str]]:
    """(article, phrase) pairs as the norm's Annex 2 writes them."""
    text = (shared_dir() / NORM_FILE).read_text(encoding="utf-8")
    annex = text.split("服务禁忌用语", 1)[1].split("[bookmark", 1)[0]
    pairs = re.findall(r"^(\S+言语)\n例如[:：](.+)$", annex, flags=re.MULTILINE)
    return [
        (article, phrase)
        for article, examples in pairs
        for phrase in re.findall(r"[^！？]+[！？]", examples)
    ]


def _catalog_with(tmp_path: Path, scripts: dict[str, str]) -> PromptCatalog:
    shipped = (MENUS.parent / "prompts" / "prompts.yaml").read_text(encoding="utf-8")
    extra = "".join(f'{key}: "{text}"\n' for key, text in scripts.items())
    (tmp_path / "prompts.yaml").write_text(shipped + extra, encoding="utf-8")
    return PromptCatalog.load(tmp_path)


def _problems_of(tmp_path: Path, scripts: dict[str, str]) -> list[str]:
    catalog = _catalog_with(tmp_path, scripts)
    _, problems = load_flow(MENUS, catalog, today=TODAY)
    prompts_file = str(catalog.path)
    return [str(p) for p in problems if p.file == prompts_file]


def test_the_list_in_code_is_the_norm_s_annex_2() -> None:
    """Every example phrase of Annex 2, with its article, and nothing else."""
    ours = [(phrase.article, phrase.text) for phrase in ANNEX2]

    assert ours == _annex2_from_the_norm()
    assert len(ours) == 18


@pytest.mark.parametrize("phrase", ANNEX2, ids=lambda phrase: phrase.key)
def test_each_phrase_is_found_inside_a_longer_script(phrase: ForbiddenPhrase) -> None:
    """The exact phrase, wrapped in polite words, is still found."""
    script = f"您好，{phrase.text}谢谢您的配合。"

    found = find_forbidden(script)

    assert [finding.found for finding in found] == [phrase.text]


@pytest.mark.parametrize(
    "script",
    ["请你 挂电话", "请你挂电话。", "别再来电话了……", "你问我 ，我问谁", "喂，您好"],
)
def test_punctuation_and_spaces_do_not_hide_a_phrase(script: str) -> None:
    """Phrases are compared without punctuation, spaces or full-width forms."""
    assert find_forbidden(script)


@pytest.mark.parametrize(
    "script",
    ["哺乳期喂养假按规定执行。", "请您不要挂机。", "您好，请问您需要什么帮助？"],
)
def test_harmless_scripts_are_not_flagged(script: str) -> None:
    """喂养 is not the interjection 喂; the norm's own phrases pass."""
    assert find_forbidden(script) == []
    assert find_suspect(script) == []


@pytest.mark.parametrize(
    ("script", "article"),
    [
        ("难道您没有听到菜单吗？", "五、反问（质问）、教训的言语"),
        ("您怎么还没有按键？", "五、反问（质问）、教训的言语"),
        ("您必须按键，不许挂机。", "一、不规范的言语"),
        ("你好，欢迎来电。", "一、不规范的言语"),
        ("请别再按错了。", "四、嘲讽、激化矛盾的言语"),
        ("您急什么呢，请稍等。", "二、埋怨来电者的言语"),
    ],
)
def test_patterns_are_found_with_their_article(script: str, article: str) -> None:
    """Rhetorical questions, commands, blame and sarcasm name their article."""
    found = find_suspect(script)

    assert article in [finding.article for finding in found]


def test_normalise_folds_full_width_and_drops_punctuation() -> None:
    """NFKC folding, no spaces, no punctuation: the form phrases are kept in."""
    assert normalise("请你 挂电话！ＡＢ１") == "请你挂电话AB1"


def test_check_rejects_a_forbidden_script_at_its_line(tmp_path: Path) -> None:
    """``ivr check`` reports the script's line:col in prompts.yaml as an error."""
    problems = _problems_of(tmp_path, {"bad-line": "请你挂电话！"})

    line = len((tmp_path / "prompts.yaml").read_text(encoding="utf-8").splitlines())
    assert problems == [
        f"{tmp_path / 'prompts.yaml'}:{line}:1: error: the script of 'bad-line' says "
        "'请你挂电话！', a forbidden phrase (服务禁忌用语), 附件2 一、不规范的言语; "
        "reword it with the standard phrases of 附件1"
    ]


def test_check_warns_on_a_pattern_and_the_flow_still_loads(tmp_path: Path) -> None:
    """A pattern is a warning: the flow loads, the line is named."""
    catalog = _catalog_with(tmp_path, {"doubtful": "难道您没有听到吗？"})

    flow, problems = load_flow(MENUS, catalog, today=TODAY)

    warned = [p for p in problems if p.file == str(catalog.path)]
    assert flow is not None
    assert [p.severity for p in warned] == [Severity.WARNING]
    assert "'难道': a rhetorical question (反问), 附件2 五、" in warned[0].message


def test_shipped_scripts_pass(catalog: PromptCatalog) -> None:
    """No shipped script has a forbidden phrase or a pattern."""
    said = {prompt: catalog.text(prompt) for prompt in catalog.ids}

    flagged = {p: s for p, s in said.items() if find_forbidden(s) or find_suspect(s)}

    assert flagged == {}


def test_other_languages_are_checked_in_their_own_file(tmp_path: Path) -> None:
    """A Cantonese script is checked too, at its line in prompts.yue.yaml.

    Written Cantonese says 你 to everyone, so that Mandarin-only pattern is
    not applied to it.
    """
    catalog = _catalog_with(tmp_path, {})
    yue = tmp_path / "prompts.yue.yaml"
    yue.write_text('closing: "多謝你嘅來電。"\nclosing-holiday: "別再來電話了！"\n')
    catalog = PromptCatalog.load(tmp_path)

    _, problems = load_flow(MENUS, catalog, today=TODAY)

    in_yue = [str(p) for p in problems if p.file == str(yue)]
    assert len(in_yue) == 1
    assert in_yue[0].startswith(f"{yue}:2:1: error: the script of 'closing-holiday'")
    assert "(yue) says '别再来电话了！'" in in_yue[0]


@pytest.mark.parametrize(
    ("script", "found"),
    [
        ("请您挂电话。", "请你挂电话！"),
        ("您的问题不归我们管。", "你的问题不归我们管！"),
        ("请你\u200b挂\u2060电话", "请你挂电话！"),
        ("你煩唔煩？", "你煩唔煩？"),
        ("唔好再打嚟喇！", "唔好再打嚟！"),
        ("呢個我點知？", "呢個我點知？"),
    ],
)
def test_polite_invisible_and_cantonese_variants_are_errors(
    script: str, found: str
) -> None:
    """您 for 你, zero-width characters and Cantonese wording do not hide a phrase."""
    assert [finding.found for finding in find_forbidden(script)] == [found]


def test_polite_command_is_warned() -> None:
    """您必须 is a command like 你必须."""
    assert [f.found for f in find_suspect("您必须按键。")] == ["您必须"]


def test_unreadable_script_is_an_error_at_its_line(tmp_path: Path) -> None:
    """Latin letters are refused by ``ivr check``, not only when rendering."""
    problems = _problems_of(tmp_path, {"app-line": "请下载APP办理。"})

    line = len((tmp_path / "prompts.yaml").read_text(encoding="utf-8").splitlines())
    assert problems == [
        f"{tmp_path / 'prompts.yaml'}:{line}:1: error: the script of 'app-line' has "
        "'AP', which the voice cannot read: write it in Chinese characters, "
        "e.g. 手机应用程序 for APP"
    ]


def test_bare_number_is_a_warning(tmp_path: Path) -> None:
    """A bare 12 (十二 or 一二?) is reported; 12333 and 按1 are not."""
    problems = _problems_of(tmp_path, {"num-line": "请记下12，拨打12333请按1。"})

    assert len(problems) == 1
    assert "warning: the script of 'num-line' has the bare number '12'" in (problems[0])


def test_stale_audio_is_a_warning_and_old_studio_take_a_note(tmp_path: Path) -> None:
    """A sidecar from another script warns; a studio marker's old script notes."""
    from ivr.flow.prompt_check import coverage_notes

    catalog = _catalog_with(tmp_path, {})
    audio = tmp_path / "zh"
    audio.mkdir()
    (audio / "closing.wav").write_bytes(b"RIFF")
    (audio / ".closing.sha").write_text("0123456789abcdef\n", encoding="ascii")
    (audio / "main-menu.wav").write_bytes(b"RIFF")
    (audio / ".main-menu.studio").write_text('{"script_sha256": "old"}\n', "utf-8")

    _, problems = load_flow(MENUS, catalog, today=TODAY)
    notes = [str(note) for note in coverage_notes(catalog)]

    line, column = catalog.position("closing")
    assert [str(p) for p in problems if "older script" in p.message] == [
        f"{catalog.path}:{line}:{column}: warning: the audio of 'closing' was "
        "rendered from an older script; run: ivr prompts render --lang zh closing"
    ]
    assert any("'main-menu'" in n and "may be out of date" in n for n in notes)
