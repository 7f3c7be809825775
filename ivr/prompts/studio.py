"""Import studio recordings: convert, normalise, and mark them as recorded.

A recording in any format sox reads (WAV at any rate, FLAC, OGG, MP3 with
``libsox-fmt-mp3``, part of ``libsox-fmt-all``) becomes the prompt's Asterisk
files at the shared loudness (:mod:`ivr.prompts.audio`). A marker file
``.<id>.studio`` beside them records the source, the gain applied and the
hash of the script it was recorded for; the renderer never replaces a
prompt with that marker, nor a ``.wav`` dropped in by hand without a render
sidecar: a recorded prompt always wins.

It must win in every format: Asterisk plays the cheapest file for the call's
codec (main/file.c picks by translation cost), so an old rendered ``.alaw``
beside a new studio ``.wav`` would still reach callers on A-law trunks. The
import therefore writes every format the prompt already has, besides the
ones asked for. A file that is silent (below :data:`SILENCE_DB` RMS) or
clipped throughout is refused unless forced.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from ivr.prompts.audio import (
    FORMATS,
    clipped_share,
    convert,
    levels,
    normalising_gain,
    output_format,
)
from ivr.prompts.catalog import PromptCatalog
from ivr.prompts.errors import StudioImportError, ToolError
from ivr.prompts.freshness import (
    render_sidecar,
    studio_marker,
    text_digest,
)

__all__ = [
    "MAX_CLIPPED_SHARE",
    "SILENCE_DB",
    "existing_formats",
    "import_recording",
    "is_studio",
    "render_sidecar",
    "studio_marker",
]

logger = logging.getLogger("ivr.prompts.studio")

SILENCE_DB = -50.0
"""A recording quieter than this RMS level (dBFS) is taken for silence."""

MAX_CLIPPED_SHARE = 0.25
"""A recording with more of its samples at full scale is taken for clipped."""


def is_studio(directory: Path, prompt_id: str) -> bool:
    """True for an imported recording, or a ``.wav`` placed by hand."""
    if studio_marker(directory, prompt_id).exists():
        return True
    wav = directory / f"{prompt_id}.wav"
    return wav.exists() and not render_sidecar(directory, prompt_id).exists()


def existing_formats(directory: Path, prompt_id: str) -> list[str]:
    """The formats ``prompt_id`` has files for in ``directory`` (g722 included)."""
    return [
        name
        for name, (extension, _) in FORMATS.items()
        if (directory / f"{prompt_id}{extension}").is_file()
    ]


def import_recording(
    source: Path,
    catalog: PromptCatalog,
    *,
    language: str | None = None,
    prompt_id: str | None = None,
    formats: Sequence[str] = ("wav",),
    force: bool = False,
) -> list[Path]:
    """Import ``source`` as ``prompt_id`` (default: its file stem); return files.

    Writes ``wav``, the ``formats`` asked for and every format the prompt
    already has. Raises :class:`StudioImportError` for an id the catalog
    does not know (a typo would otherwise ship a recording nobody plays), a
    file sox cannot read, or (without ``force``) a silent or clipped one.
    """
    language = language or catalog.language
    prompt_id = prompt_id or source.stem
    scripts = catalog.scripts(language)
    if prompt_id not in scripts and not catalog.has(prompt_id):
        raise StudioImportError(
            f"{source}: no prompt {prompt_id!r} in the catalog; give --id"
        )
    directory = catalog.directory / language
    wanted = ["wav", *formats, *existing_formats(directory, prompt_id)]
    try:
        if not force:
            _refuse_unusable(source)
        gain = normalising_gain(source)
        written = [
            convert(source, directory / prompt_id, output_format(f), gain)
            for f in dict.fromkeys(wanted)
        ]
    except ToolError as exc:
        raise StudioImportError(f"{source}: cannot convert: {exc.output}") from exc
    script = scripts.get(prompt_id) or catalog.text(prompt_id)
    _mark(directory, prompt_id, source, gain, script)
    logger.info(
        "imported %s as %s/%s (gain %+.1f dB)", source, language, prompt_id, gain
    )
    return written


def _refuse_unusable(source: Path) -> None:
    rms, _ = levels(source)
    if rms < SILENCE_DB:
        raise StudioImportError(
            f"{source}: the recording is silent (RMS {rms:.0f} dBFS, below "
            f"{SILENCE_DB:.0f}); check the file, or use --force"
        )
    share = clipped_share(source)
    if share > MAX_CLIPPED_SHARE:
        raise StudioImportError(
            f"{source}: the recording is clipped ({share:.0%} of samples at full "
            "scale); record it again at a lower level, or use --force"
        )


def _mark(
    directory: Path, prompt_id: str, source: Path, gain: float, script: str
) -> None:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    record = {
        "source": source.name,
        "sha256": digest,
        "gain_db": gain,
        "script_sha256": text_digest(script),
    }
    studio_marker(directory, prompt_id).write_text(
        json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    render_sidecar(directory, prompt_id).unlink(missing_ok=True)
