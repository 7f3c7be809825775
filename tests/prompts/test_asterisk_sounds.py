"""``prompts/asterisk.yaml``: Asterisk's own queue and digit sounds in Mandarin."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.prompts import ASTERISK_FILE, PromptCatalog, PromptCatalogError
from ivr.prompts.freshness import render_sidecar, stale_audio

REPO = Path(__file__).resolve().parents[2]
PROMPTS = REPO / "prompts"

QUEUE_SOUNDS = {
    "queue-youarenext",
    "queue-thereare",
    "queue-callswaiting",
    "queue-quantity1",
    "queue-quantity2",
    "queue-holdtime",
    "queue-minutes",
    "queue-minute",
    "queue-seconds",
    "queue-thankyou",
    "queue-reporthold",
    "queue-periodic-announce",
}
"""The default sound names of apps/app_queue.c (``init_queue``)."""

ZH_DIGITS = {
    *(f"digits/{n}" for n in range(10)),
    *(f"digits/{n}" for n in range(10, 100, 10)),
    "digits/hundred",
    "digits/thousand",
    "digits/wan",
    "digits/yi",
    "digits/minus",
}
"""Every file main/say.c ``ast_say_number_full_zh`` may play."""


@pytest.fixture(scope="module")
def catalog() -> PromptCatalog:
    """The shipped catalog."""
    return PromptCatalog.load(PROMPTS)


def _text(catalog: PromptCatalog, *names: str) -> str:
    return "".join(catalog.text(name) for name in names)


def test_asterisk_sounds_are_queue_and_digit_names(catalog: PromptCatalog) -> None:
    """The file covers Queue's defaults and say.c's zh digits, nothing else."""
    assert set(catalog.asterisk_sound_ids) == QUEUE_SOUNDS | ZH_DIGITS


def test_asterisk_sounds_are_not_flow_prompts(catalog: PromptCatalog) -> None:
    """They stay out of ``ids`` ("every script is used") and of the pieces."""
    names = set(catalog.asterisk_sound_ids)

    assert not names & set(catalog.ids)
    assert not names & set(catalog.piece_ids)
    assert names <= set(catalog.scripts())


def test_digit_sounds_render_into_the_digits_folder(catalog: PromptCatalog) -> None:
    """``digits/2`` is ``zh/digits/2.wav``, its sidecar beside it, up to date."""
    zh = catalog.directory / "zh"

    assert catalog.audio_path("digits/2") == zh / "digits" / "2.wav"
    assert render_sidecar(zh, "digits/2") == zh / "digits" / ".2.sha"
    assert catalog.missing_audio() == []
    assert stale_audio(catalog, "zh") == []


@pytest.mark.parametrize(
    ("names", "mandarin"),
    [
        (
            ("queue-thereare", "digits/2", "queue-callswaiting"),
            "您好，您现在排在第二位。",
        ),
        (("queue-holdtime", "digits/3", "queue-minutes"), "预计等待时间约为三分钟。"),
        (("digits/10", "digits/2"), "十二"),
        (("digits/1", "digits/hundred", "digits/0", "digits/5"), "一百零五"),
        (("digits/3", "digits/wan"), "三万"),
    ],
)
def test_the_pieces_asterisk_joins_read_as_mandarin(
    catalog: PromptCatalog, names: tuple[str, ...], mandarin: str
) -> None:
    """The files in the order app_queue.c and say.c play them make a sentence."""
    assert _text(catalog, *names) == mandarin


def test_thank_you_uses_the_norms_waiting_phrases(catalog: PromptCatalog) -> None:
    """Annex 1 二.(五): 感谢您的耐心等待 and 请不要挂机."""
    thanks = catalog.text("queue-thankyou")

    assert "感谢您的耐心等待" in thanks and "请不要挂机" in thanks


def test_subfolder_ids_are_refused_outside_the_asterisk_file(tmp_path: Path) -> None:
    """``digits/2`` in ``prompts.yaml`` is an id error; one folder deep only."""
    (tmp_path / "prompts.yaml").write_text('digits/2: "二"\n', encoding="utf-8")
    with pytest.raises(PromptCatalogError, match="must use only"):
        PromptCatalog.load(tmp_path)

    (tmp_path / "prompts.yaml").write_text('hello: "您好"\n', encoding="utf-8")
    (tmp_path / ASTERISK_FILE).write_text('a/b/c: "二"\n', encoding="utf-8")
    with pytest.raises(PromptCatalogError, match="one 'folder/'"):
        PromptCatalog.load(tmp_path)


def test_catalog_without_asterisk_file_has_no_sounds(tmp_path: Path) -> None:
    """The file is optional: a catalog without it loads with no sounds."""
    (tmp_path / "prompts.yaml").write_text('hello: "您好"\n', encoding="utf-8")

    assert PromptCatalog.load(tmp_path).asterisk_sound_ids == ()
