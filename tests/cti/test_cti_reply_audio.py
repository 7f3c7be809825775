"""Recorded replies: only a WAV Asterisk plays is taken, stored whole."""

from __future__ import annotations

import io
import os
import stat
import wave
from pathlib import Path

import pytest

from cti.errors import TicketActionError
from cti.reply_audio import ReplyAudio, check_wav, store_reply


def wav_bytes(
    seconds: float = 1.0, rate: int = 8000, channels: int = 1, width: int = 2
) -> bytes:
    """Silence as a WAV file of the given shape."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(b"\0" * int(seconds * rate) * channels * width)
    return buffer.getvalue()


def test_a_mono_16_bit_8k_wav_is_accepted_with_its_length() -> None:
    """8 kHz 16-bit mono is Asterisk's wav format."""
    audio = check_wav(wav_bytes(2.5))

    assert (audio.rate, audio.seconds) == (8000, 2.5)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"ID3 not a wav at all", "not a PCM WAV"),
        (wav_bytes(channels=2), "mono"),
        (wav_bytes(width=1), "16-bit"),
        (wav_bytes(rate=44100), "8000 or 16000"),
        (wav_bytes(0.1), "lasts 0.1 s"),
    ],
)
def test_other_uploads_are_refused_with_the_reason(data: bytes, words: str) -> None:
    """Each refusal names what is wrong."""
    with pytest.raises(TicketActionError, match=words):
        check_wav(data)


def test_replies_are_numbered_and_the_prompt_has_no_extension(tmp_path: Path) -> None:
    """A second reply keeps the first; the prompt path is for Playback."""
    audio = check_wav(wav_bytes())

    first = store_reply(tmp_path, "1203100000018", audio)
    second = store_reply(tmp_path, "1203100000018", audio)

    assert first == str(tmp_path / "1203100000018-reply-1")
    assert second == str(tmp_path / "1203100000018-reply-2")
    assert Path(second + ".wav").read_bytes() == audio.data
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "1203100000018-reply-1.wav",
        "1203100000018-reply-2.wav",
    ]


def test_reply_files_are_group_readable_only(tmp_path: Path) -> None:
    """0640 even under a permissive umask: Asterisk reads through the group,
    other local accounts cannot; a folder the service makes is 0750."""
    old = os.umask(0o002)
    try:
        prompt = store_reply(
            tmp_path / "replies", "1203100000018", check_wav(wav_bytes())
        )
    finally:
        os.umask(old)

    assert stat.S_IMODE(Path(prompt + ".wav").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "replies").stat().st_mode) == 0o750


def test_a_relative_folder_gives_an_absolute_prompt_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the embedded relative recordings folder the prompt path is still
    absolute: Asterisk reads a relative one under its own sounds folder."""
    monkeypatch.chdir(tmp_path)

    prompt = store_reply(Path("ticket-recordings/replies"), "1203100000018", audio())

    assert Path(prompt).is_absolute()
    assert prompt == str(tmp_path / "ticket-recordings/replies/1203100000018-reply-1")
    assert Path(prompt + ".wav").exists()


def audio() -> ReplyAudio:
    """A valid one-second reply."""
    return check_wav(wav_bytes())
