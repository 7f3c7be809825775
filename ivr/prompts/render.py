"""Render placeholder prompt audio that Asterisk can play.

Until real voice rendering lands, each prompt gets a placeholder: soft
450 Hz tone bursts whose total length follows the script at a calm Mandarin
pace (about four characters a second), so a paced simulation or a test call
on a real switch takes as long as the spoken prompt will. Files are 8 kHz,
16-bit, mono WAV, the format Asterisk's ``format_wav`` plays without
transcoding on narrowband calls.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Mapping
from pathlib import Path

with warnings.catch_warnings():
    # pydub warns at import when ffmpeg is absent; we only write WAV, which it
    # handles natively, so that warning does not apply. It also imports the
    # stdlib ``audioop``, deprecated since 3.11 and gone in 3.13, where the
    # ``audioop-lts`` backport (a dependency on 3.13+) takes its place.
    warnings.simplefilter("ignore", RuntimeWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    from pydub import AudioSegment
    from pydub.generators import Sine

__all__ = ["CHARS_PER_SECOND", "placeholder_audio", "render_placeholders"]

logger = logging.getLogger("ivr.prompts.render")

CHARS_PER_SECOND = 4.0
"""Speaking pace used to size placeholders: a calm pace suits elderly callers."""

_SAMPLE_RATE = 8000
_BURST_MS = 180
_GAP_MS = 70
_TONE_HZ = 450


def spoken_seconds(text: str) -> float:
    """Return how long ``text`` takes to say at :data:`CHARS_PER_SECOND`."""
    spoken = [ch for ch in text if not ch.isspace()]
    return max(0.5, len(spoken) / CHARS_PER_SECOND)


def placeholder_audio(text: str) -> AudioSegment:
    """Return tone bursts as long as ``text`` takes to say."""
    total_ms = int(spoken_seconds(text) * 1000)
    burst = Sine(_TONE_HZ, sample_rate=_SAMPLE_RATE).to_audio_segment(
        duration=_BURST_MS, volume=-18.0
    )
    gap = AudioSegment.silent(duration=_GAP_MS, frame_rate=_SAMPLE_RATE)
    audio = AudioSegment.silent(duration=0, frame_rate=_SAMPLE_RATE)
    while len(audio) < total_ms:
        audio += burst.fade_in(20).fade_out(20) + gap
    return audio[:total_ms].set_frame_rate(_SAMPLE_RATE).set_channels(1)


def render_placeholders(
    texts: Mapping[str, str], out_dir: Path, *, force: bool = False
) -> list[Path]:
    """Write ``<out_dir>/<id>.wav`` for every prompt; return the files written.

    A file is rewritten only when its script changed (a ``.sha`` sidecar keeps
    the hash of the text it was rendered from) or when ``force`` is set, so a
    recorded studio prompt dropped in by hand is never overwritten unless it
    has no sidecar and ``force`` is given.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for prompt_id, text in sorted(texts.items()):
        wav = out_dir / f"{prompt_id}.wav"
        sidecar = out_dir / f".{prompt_id}.sha"
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        if not force and _up_to_date(wav, sidecar, digest):
            continue
        with wav.open("wb") as out:
            placeholder_audio(text).set_sample_width(2).export(out, format="wav")
        sidecar.write_text(digest + "\n", encoding="ascii")
        written.append(wav)
        logger.info("rendered placeholder %s (%.1f s)", wav, spoken_seconds(text))
    return written


def _up_to_date(wav: Path, sidecar: Path, digest: str) -> bool:
    if not wav.exists():
        return False
    if not sidecar.exists():
        return True
    return sidecar.read_text(encoding="ascii").strip() == digest
