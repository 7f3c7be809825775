"""Is a prompt's audio made from its current script?

A rendered prompt has a ``.<id>.sha`` sidecar holding :func:`script_digest`
of what it was rendered from: the voice, the speaking rate, the script and
the exact input the voice read (so a change in how digits or tones are read
makes the audio out of date too, not only an edited script). A studio
recording's ``.<id>.studio`` marker holds :func:`text_digest` of the script
when it was imported: a later edit means the recording may no longer say it.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ivr.prompts.catalog import PromptCatalog
from ivr.prompts.voice import SPEED_WPM, VOICES, Voice, voice_for
from ivr.speech import SpeechError

__all__ = [
    "Staleness",
    "render_sidecar",
    "script_digest",
    "stale_audio",
    "staleness",
    "studio_marker",
    "text_digest",
]

StaleKind = Literal["rendered", "studio"]


@dataclass(frozen=True, slots=True)
class Staleness:
    """Audio of ``prompt_id`` in ``language`` not made from its current script."""

    prompt_id: str
    language: str
    kind: StaleKind

    def describe(self) -> str:
        """What ops should do, in a few words."""
        if self.kind == "studio":
            return "script changed after the studio recording: it may be out of date"
        return "script changed since the audio was rendered: render it again"


def studio_marker(directory: Path, prompt_id: str) -> Path:
    """The file that marks ``prompt_id`` in ``directory`` as a studio recording."""
    return _hidden_beside(directory, prompt_id, ".studio")


def render_sidecar(directory: Path, prompt_id: str) -> Path:
    """The file holding the digest a rendered prompt was made from."""
    return _hidden_beside(directory, prompt_id, ".sha")


def _hidden_beside(directory: Path, prompt_id: str, suffix: str) -> Path:
    """``.<name><suffix>`` in the audio's own folder (``digits/.2.sha``)."""
    folder, _, name = prompt_id.rpartition("/")
    return directory / folder / f".{name}{suffix}"


def text_digest(text: str) -> str:
    """The hash of a script alone, kept in a studio marker."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@functools.lru_cache(maxsize=4096)
def script_digest(text: str, voice: Voice) -> str:
    """The sidecar hash: changes with the script, voice, rate or its reading.

    Cached: reading a script (pypinyin) costs far more than a lookup, and
    the knowledge API asks it for every prompt on every listing.
    """
    try:
        spoken = voice.input_text(text)
    except SpeechError:
        spoken = ""
    key = f"{voice.espeak_voice}|{SPEED_WPM}|{text}|{spoken}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def stale_audio(catalog: PromptCatalog, language: str) -> list[Staleness]:
    """Prompts of ``language`` whose audio exists but is not from the script."""
    directory = catalog.directory / language
    found = []
    for prompt_id, text in catalog.scripts(language).items():
        kind = _stale_kind(directory, prompt_id, text, language)
        if kind is not None:
            found.append(Staleness(prompt_id, language, kind))
    return found


def staleness(
    catalog: PromptCatalog, prompt_id: str, language: str
) -> StaleKind | None:
    """Whether the audio of one prompt in ``language`` is older than its script.

    ``None`` when it was made from the current script, or when nothing
    says what it was made from (no sidecar or studio marker, no script in
    that language).
    """
    text = catalog.scripts(language).get(prompt_id)
    if text is None:
        return None
    return _stale_kind(catalog.directory / language, prompt_id, text, language)


def _stale_kind(
    directory: Path, prompt_id: str, text: str, language: str
) -> StaleKind | None:
    marker = studio_marker(directory, prompt_id)
    if marker.is_file():
        recorded = _marker_field(marker, "script_sha256")
        return "studio" if recorded not in (None, text_digest(text)) else None
    sidecar = render_sidecar(directory, prompt_id)
    if not sidecar.is_file() or language not in VOICES:
        return None
    digest = script_digest(text, voice_for(language))
    return None if sidecar.read_text("ascii").strip() == digest else "rendered"


def _marker_field(marker: Path, name: str) -> str | None:
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = record.get(name) if isinstance(record, dict) else None
    return value if isinstance(value, str) else None
