"""Render prompt scripts into Asterisk audio with espeak-ng, and check them.

For each script of a language: speak it (:mod:`ivr.prompts.voice`), check
that the phonemes spoken are the expected reading
(:mod:`ivr.prompts.intelligibility`), then convert to the requested formats
at the shared loudness (:mod:`ivr.prompts.audio`). A ``.<id>.sha`` sidecar
keeps the hash of what the file was rendered from (script, voice, rate), so
only changed prompts are rendered again; a studio recording is never
replaced (:func:`ivr.prompts.studio.is_studio`), and a format asked for that
it lacks (or has older than its ``.wav``) is made from the recording, so the
studio voice is the one heard in every format.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ivr.prompts.audio import FORMATS, convert, normalising_gain, output_format
from ivr.prompts.catalog import PromptCatalog
from ivr.prompts.freshness import render_sidecar, script_digest
from ivr.prompts.intelligibility import Mismatch, check_utterance
from ivr.prompts.studio import is_studio
from ivr.prompts.voice import Voice, speak, voice_for

__all__ = ["RenderResult", "check_scripts", "render_scripts", "script_digest"]

logger = logging.getLogger("ivr.prompts.render")

Status = Literal["rendered", "kept", "studio"]


@dataclass(frozen=True, slots=True)
class RenderResult:
    """What happened to one prompt, and what the check found in its speech."""

    prompt_id: str
    status: Status
    files: tuple[Path, ...] = ()
    mismatches: tuple[Mismatch, ...] = ()


def render_scripts(
    catalog: PromptCatalog,
    language: str | None = None,
    *,
    formats: Sequence[str] = ("wav",),
    force: bool = False,
    only: Iterable[str] | None = None,
) -> list[RenderResult]:
    """Render the scripts of ``language`` whose audio is missing or stale.

    ``force`` renders every script again, except studio recordings, which
    are never replaced. ``only`` limits the run to those ids.
    """
    language = language or catalog.language
    voice = voice_for(language)
    directory = catalog.directory / language
    directory.mkdir(parents=True, exist_ok=True)
    chosen = [output_format(f) for f in dict.fromkeys(["wav", *formats])]
    results = []
    for prompt_id, text in _selected(catalog.scripts(language), only).items():
        if is_studio(directory, prompt_id):
            results.append(_studio(directory, prompt_id, chosen))
        elif not force and _current(directory, prompt_id, text, voice, chosen):
            results.append(RenderResult(prompt_id, "kept"))
        else:
            results.append(_render(directory, prompt_id, text, voice, chosen))
    return results


def _selected(scripts: dict[str, str], only: Iterable[str] | None) -> dict[str, str]:
    if only is None:
        return scripts
    wanted = set(only)
    return {pid: text for pid, text in scripts.items() if pid in wanted}


def _studio(directory: Path, prompt_id: str, formats: list[str]) -> RenderResult:
    """Make the formats a studio prompt lacks from its recording, gain 0."""
    wav = directory / f"{prompt_id}.wav"
    made = []
    for fmt in formats:
        target = directory / f"{prompt_id}{FORMATS[fmt][0]}"
        if fmt != "wav" and _older(target, wav):
            made.append(convert(wav, directory / prompt_id, fmt, 0.0))
            logger.info("made %s from the studio recording", target)
    return RenderResult(prompt_id, "studio", tuple(made))


def _older(target: Path, source: Path) -> bool:
    if not target.exists():
        return True
    return target.stat().st_mtime < source.stat().st_mtime


def _current(
    directory: Path, prompt_id: str, text: str, voice: Voice, formats: list[str]
) -> bool:
    sidecar = render_sidecar(directory, prompt_id)
    if not sidecar.exists():
        return False
    files_there = all(
        (directory / f"{prompt_id}{FORMATS[f][0]}").exists() for f in formats
    )
    recorded = sidecar.read_text(encoding="ascii").strip()
    return files_there and recorded == script_digest(text, voice)


def _render(
    directory: Path, prompt_id: str, text: str, voice: Voice, formats: list[str]
) -> RenderResult:
    with tempfile.TemporaryDirectory(prefix="ivr-render-") as scratch:
        utterance = speak(text, voice, Path(scratch) / "voice.wav")
        mismatches = check_utterance(text, utterance.phonemes, voice)
        gain = normalising_gain(utterance.wav)
        files = [
            convert(utterance.wav, directory / prompt_id, f, gain) for f in formats
        ]
    render_sidecar(directory, prompt_id).write_text(
        script_digest(text, voice) + "\n", encoding="ascii"
    )
    for mismatch in mismatches:
        logger.warning("%s/%s: %s", directory.name, prompt_id, mismatch)
    logger.info("rendered %s/%s", directory.name, prompt_id)
    return RenderResult(prompt_id, "rendered", tuple(files), tuple(mismatches))


def check_scripts(
    catalog: PromptCatalog,
    language: str | None = None,
    *,
    only: Iterable[str] | None = None,
    voice: Voice | None = None,
) -> dict[str, list[Mismatch]]:
    """Speak every script of ``language`` again and check it; write nothing.

    Returns the mismatches per prompt id (an empty list: spoken as expected).
    ``voice`` overrides the voice that speaks (the check still expects the
    language's reading), to show what another voice gets wrong.
    """
    language = language or catalog.language
    expected = voice_for(language)
    voice = voice or expected
    found: dict[str, list[Mismatch]] = {}
    with tempfile.TemporaryDirectory(prefix="ivr-check-") as scratch:
        wav = Path(scratch) / "voice.wav"
        for prompt_id, text in _selected(catalog.scripts(language), only).items():
            utterance = speak(text, voice, wav)
            found[prompt_id] = check_utterance(text, utterance.phonemes, expected)
    return found
