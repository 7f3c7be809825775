"""Rendering with espeak-ng and sox, and the check of what was spoken.

These tests run the real tools (installed by scripts/bootstrap) on a few
short scripts only, to stay fast.
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from ivr.prompts import PromptCatalog, StudioImportError
from ivr.prompts.audio import levels
from ivr.prompts.intelligibility import check_pinyin, parse_phonemes
from ivr.prompts.render import check_scripts, render_scripts
from ivr.prompts.studio import import_recording
from ivr.prompts.voice import PLAIN_CMN, VOICES, phonemes_of
from ivr.speech import to_pinyin

SCRIPTS = (
    "redial: 重听请按井号键。\nbank: 银行还款，请按1。\nbye: 感谢您的来电，再见。\n"
)


def _catalog(tmp_path: Path, text: str = SCRIPTS) -> PromptCatalog:
    (tmp_path / "prompts.yaml").write_text(text, encoding="utf-8")
    return PromptCatalog.load(tmp_path)


def test_pinyin_voice_speaks_every_syllable_as_written(tmp_path: Path) -> None:
    """Rendered with the pinyin voice, the check finds no mismatch."""
    found = check_scripts(_catalog(tmp_path))

    assert found == {"redial": [], "bank": [], "bye": []}


def test_plain_cmn_voice_is_caught(tmp_path: Path) -> None:
    """The character-reading cmn voice misreads 重听 and spells 银行 in English."""
    found = check_scripts(_catalog(tmp_path), voice=PLAIN_CMN)

    first = found["redial"][0]
    assert (first.position, first.expected, first.heard) == (0, "chong2", "zhong4")
    assert any("English" in m.heard for m in found["bank"])


def test_wrong_reading_of_zhong_is_caught() -> None:
    """Speech of zhong4 where 重听 needs chong2 is reported at that syllable."""
    spoken = phonemes_of("zhong4 ting1 qing3 an4", VOICES["zh"])

    mismatches = check_pinyin(to_pinyin("重听请按"), spoken)

    assert [(m.position, m.expected, m.heard) for m in mismatches] == [
        (0, "chong2", "zhong4")
    ]


def test_wrong_tone_and_dropped_syllable_are_caught() -> None:
    """A tone changed or a syllable left out each show up as a mismatch."""
    wrong_tone = phonemes_of("yin2 hang4", VOICES["zh"])
    dropped = phonemes_of("yin2", VOICES["zh"])

    assert [str(m) for m in check_pinyin(["yin2", "hang2"], wrong_tone)] == [
        "syllable 2: expected hang2, heard hang4"
    ]
    assert [m.heard for m in check_pinyin(["yin2", "hang2"], dropped)] == ["(nothing)"]


def test_third_tone_sandhi_is_expected() -> None:
    """你好 is heard ni2 hao3, as Mandarin speakers say it; no mismatch."""
    spoken = phonemes_of("ni3 hao3", VOICES["zh"])

    assert [h.tone for h in parse_phonemes(spoken)] == [2, 3]
    assert check_pinyin(["ni3", "hao3"], spoken) == []


def test_render_writes_asterisk_formats_once(tmp_path: Path) -> None:
    """8 kHz 16-bit mono WAV plus alaw; an unchanged script is kept next time."""
    catalog = _catalog(tmp_path, "bye: 感谢您的来电，再见。\n")

    first = render_scripts(catalog, formats=["wav", "alaw"])
    again = render_scripts(catalog, formats=["wav", "alaw"])

    assert [(r.status, r.mismatches) for r in first] == [("rendered", ())]
    assert [r.status for r in again] == ["kept"]
    with wave.open(str(tmp_path / "zh" / "bye.wav")) as wav:
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (
            8000,
            2,
            1,
        )
        assert wav.getnframes() > 8000
    assert (tmp_path / "zh" / "bye.alaw").stat().st_size > 8000
    assert abs(levels(tmp_path / "zh" / "bye.wav")[0] + 20.0) < 1.0


def test_changed_script_is_rendered_again(tmp_path: Path) -> None:
    """Editing a script makes its audio stale; only that prompt is rendered."""
    render_scripts(_catalog(tmp_path, "a: 您好。\nb: 再见。\n"))

    results = render_scripts(_catalog(tmp_path, "a: 您好。\nb: 谢谢，再见。\n"))

    assert {r.prompt_id: r.status for r in results} == {"a": "kept", "b": "rendered"}


def test_studio_recording_wins_over_rendering(tmp_path: Path) -> None:
    """An imported FLAC is converted, normalised and never re-rendered."""
    catalog = _catalog(tmp_path, "bye: 再见。\n")
    render_scripts(catalog)
    source = tmp_path / "bye-take3.flac"
    _tone(source, rate=44100)

    import_recording(source, catalog, prompt_id="bye")
    results = render_scripts(catalog, force=True)

    assert [r.status for r in results] == ["studio"]
    assert (tmp_path / "zh" / ".bye.studio").is_file()
    with wave.open(str(tmp_path / "zh" / "bye.wav")) as wav:
        assert wav.getframerate() == 8000
        assert abs(wav.getnframes() - 8000) < 10
    assert abs(levels(tmp_path / "zh" / "bye.wav")[0] + 20.0) < 0.5


def test_hand_dropped_wav_is_kept(tmp_path: Path) -> None:
    """A .wav put in place by hand (no render sidecar) is never overwritten."""
    catalog = _catalog(tmp_path, "bye: 再见。\n")
    (tmp_path / "zh").mkdir()
    (tmp_path / "zh" / "bye.wav").write_bytes(b"RIFF-studio")

    results = render_scripts(catalog, force=True)

    assert [r.status for r in results] == ["studio"]
    assert (tmp_path / "zh" / "bye.wav").read_bytes() == b"RIFF-studio"


def test_import_refuses_an_unknown_id(tmp_path: Path) -> None:
    """A recording named after no prompt is refused rather than shipped unused."""
    source = tmp_path / "welcom.wav"
    _tone(source, rate=16000)

    with pytest.raises(StudioImportError, match="no prompt 'welcom'"):
        import_recording(source, _catalog(tmp_path))


def test_cantonese_route_renders_and_checks(tmp_path: Path) -> None:
    """yue scripts go to the yue voice; each character is one spoken syllable."""
    catalog = _catalog(tmp_path, "bye: 感谢您的来电，再见。\n")
    (tmp_path / "prompts.yue.yaml").write_text("bye: 多謝你嘅來電，再見。\n", "utf-8")
    catalog = PromptCatalog.load(tmp_path)

    results = render_scripts(catalog, "yue")

    assert [(r.status, r.mismatches) for r in results] == [("rendered", ())]
    assert catalog.resolve("bye", "yue") == ("yue", tmp_path / "yue" / "bye.wav")


def _tone(path: Path, *, rate: int) -> None:
    """Write one second of a quiet 440 Hz tone with sox."""
    import subprocess

    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            str(rate),
            str(path),
            "synth",
            "1",
            "sine",
            "440",
            "vol",
            "0.05",
        ],
        check=True,
    )
