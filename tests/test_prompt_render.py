"""Tests for the placeholder prompt renderer."""

import wave
from pathlib import Path

from ivr.prompts.render import render_placeholders, spoken_seconds


def test_placeholder_is_asterisk_wav(tmp_path: Path) -> None:
    """Placeholders are 8 kHz 16-bit mono WAV, as long as the script is to say."""
    text = "您好，为保证服务质量，本次通话可能将被录音，敬请谅解。"

    render_placeholders({"recording-notice": text}, tmp_path)

    with wave.open(str(tmp_path / "recording-notice.wav")) as wav:
        seconds = wav.getnframes() / wav.getframerate()
        assert (wav.getframerate(), wav.getsampwidth(), wav.getnchannels()) == (
            8000,
            2,
            1,
        )
    assert abs(seconds - spoken_seconds(text)) < 0.05


def test_rerender_only_when_script_changed(tmp_path: Path) -> None:
    """An unchanged script is not rendered again; a changed one is."""
    render_placeholders({"bye": "感谢您的来电，再见。"}, tmp_path)

    unchanged = render_placeholders({"bye": "感谢您的来电，再见。"}, tmp_path)
    changed = render_placeholders({"bye": "欢迎再次拨打12333，再见。"}, tmp_path)

    assert unchanged == []
    assert changed == [tmp_path / "bye.wav"]


def test_studio_recording_without_sidecar_is_kept(tmp_path: Path) -> None:
    """A recording put in place by hand is never overwritten by a placeholder."""
    studio = tmp_path / "welcome.wav"
    studio.write_bytes(b"RIFF-studio")

    written = render_placeholders({"welcome": "欢迎"}, tmp_path)

    assert written == []
    assert studio.read_bytes() == b"RIFF-studio"
