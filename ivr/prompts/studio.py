"""Import studio recordings: convert, normalise, and mark them as recorded.

A recording in any format sox reads (WAV at any rate, FLAC, OGG, MP3 with
``libsox-fmt-mp3``, part of ``libsox-fmt-all``) becomes the prompt's Asterisk
files at the shared loudness (:mod:`ivr.prompts.audio`). A marker file
``.<id>.studio`` beside them records the source and the gain applied; the
renderer never touches a prompt with that marker, nor a ``.wav`` dropped in
by hand without a render sidecar: a recorded prompt always wins.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from ivr.prompts.audio import convert, normalising_gain, output_format
from ivr.prompts.catalog import PromptCatalog
from ivr.prompts.errors import StudioImportError, ToolError

__all__ = ["import_recording", "is_studio", "render_sidecar", "studio_marker"]

logger = logging.getLogger("ivr.prompts.studio")


def studio_marker(directory: Path, prompt_id: str) -> Path:
    """The file that marks ``prompt_id`` in ``directory`` as a studio recording."""
    return directory / f".{prompt_id}.studio"


def render_sidecar(directory: Path, prompt_id: str) -> Path:
    """The file holding the script hash a rendered prompt was made from."""
    return directory / f".{prompt_id}.sha"


def is_studio(directory: Path, prompt_id: str) -> bool:
    """True for an imported recording, or a ``.wav`` placed by hand."""
    if studio_marker(directory, prompt_id).exists():
        return True
    wav = directory / f"{prompt_id}.wav"
    return wav.exists() and not render_sidecar(directory, prompt_id).exists()


def import_recording(
    source: Path,
    catalog: PromptCatalog,
    *,
    language: str | None = None,
    prompt_id: str | None = None,
    formats: Sequence[str] = ("wav",),
) -> list[Path]:
    """Import ``source`` as ``prompt_id`` (default: its file stem); return files.

    Raises :class:`StudioImportError` for an id the catalog does not know
    (a typo would otherwise ship a recording nobody plays) or a file sox
    cannot read.
    """
    language = language or catalog.language
    prompt_id = prompt_id or source.stem
    if prompt_id not in catalog.scripts(language) and not catalog.has(prompt_id):
        raise StudioImportError(
            f"{source}: no prompt {prompt_id!r} in the catalog; give --id"
        )
    directory = catalog.directory / language
    try:
        gain = normalising_gain(source)
        written = [
            convert(source, directory / prompt_id, output_format(f), gain)
            for f in dict.fromkeys(["wav", *formats])
        ]
    except ToolError as exc:
        raise StudioImportError(f"{source}: cannot convert: {exc.output}") from exc
    _mark(directory, prompt_id, source, gain)
    logger.info(
        "imported %s as %s/%s (gain %+.1f dB)", source, language, prompt_id, gain
    )
    return written


def _mark(directory: Path, prompt_id: str, source: Path, gain: float) -> None:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    record = {"source": source.name, "sha256": digest, "gain_db": gain}
    studio_marker(directory, prompt_id).write_text(
        json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    render_sidecar(directory, prompt_id).unlink(missing_ok=True)
