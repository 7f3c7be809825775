"""Convert audio to the formats Asterisk plays, at one loudness, with sox.

Asterisk picks among ``<name>.<ext>`` files by the call's codec
(main/file.c): ``.wav`` (8 kHz 16-bit mono, ``format_wav``), ``.alaw``
and ``.ulaw`` (raw G.711, ``format_pcm``), ``.g722`` (raw G.722, 16 kHz
audio) and ``.sln16`` (raw 16 kHz signed linear, ``format_sln``). Debian's
sox cannot write G.722, so a ``g722`` request writes ``.sln16`` instead,
which Asterisk transcodes to G.722 for wideband calls itself.

Rendering is repeatable: sox runs with ``-D`` (no dither) and ``-R`` (its
default random seed), so converting the same input twice gives the same
bytes and an unchanged prompt shows no change in git.

Loudness: every file, rendered or recorded, is brought to an RMS level of
-20 dBFS (near -20 LUFS for speech, though not K-weighted) with its peak
kept at or below -1 dBFS, so prompts do not jump in level between a studio
recording and a rendered one.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from ivr.prompts.tools import run_tool, sox_formats

__all__ = [
    "FORMATS",
    "PEAK_CEILING_DB",
    "TARGET_RMS_DB",
    "clipped_share",
    "convert",
    "levels",
    "normalising_gain",
    "output_format",
]

logger = logging.getLogger("ivr.prompts.audio")

TARGET_RMS_DB = -20.0
"""Target RMS level of every prompt, in dBFS."""

PEAK_CEILING_DB = -1.0
"""No sample may exceed this level after gain, in dBFS."""

_NARROW = ["-r", "8000", "-c", "1"]
_LINEAR = ["-b", "16", "-e", "signed-integer"]
FORMATS: dict[str, tuple[str, list[str]]] = {
    "wav": (".wav", ["-t", "wav", *_NARROW, *_LINEAR]),
    "alaw": (".alaw", ["-t", "al", *_NARROW]),
    "ulaw": (".ulaw", ["-t", "ul", *_NARROW]),
    "g722": (".g722", ["-t", "g722", "-r", "16000", "-c", "1"]),
    "sln16": (".sln16", ["-t", "raw", "-r", "16000", "-c", "1", *_LINEAR]),
}
"""Format name -> (file extension, sox output options)."""


def output_format(name: str) -> str:
    """The format actually written for ``name``: g722 becomes sln16 if needed."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")
    if name == "g722" and "g722" not in sox_formats():
        logger.warning("sox cannot write G.722 here; writing .sln16 (16 kHz) instead")
        return "sln16"
    return name


def levels(source: Path) -> tuple[float, float]:
    """The (RMS, peak) level of ``source`` in dBFS, from ``sox ... stats``."""
    report = run_tool(["sox", str(source), "-n", "stats"], stderr=True)
    rms = _stat(report, "RMS lev dB")
    peak = _stat(report, "Pk lev dB")
    return rms, peak


def clipped_share(source: Path) -> float:
    """The share (0 to 1) of samples of ``source`` at full scale: clipping."""
    report = run_tool(["sox", str(source), "-n", "stats"], stderr=True)
    if _stat(report, "Pk lev dB") < -0.1:
        return 0.0
    samples = _stat(report, "Num samples")
    return _stat(report, "Pk count") / samples if samples > 0 else 0.0


_SCALE = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


def _stat(report: str, name: str) -> float:
    pattern = rf"^{re.escape(name)}\s+(-?[\d.]+|-inf)([kMG]?)"
    match = re.search(pattern, report, re.M)
    if not match or match.group(1) == "-inf":
        return float("-inf")
    return float(match.group(1)) * _SCALE[match.group(2)]


def normalising_gain(source: Path) -> float:
    """The gain in dB that brings ``source`` to the target RMS under the ceiling."""
    rms, peak = levels(source)
    if rms == float("-inf"):
        return 0.0
    return round(min(TARGET_RMS_DB - rms, PEAK_CEILING_DB - peak), 2)


def convert(source: Path, target_stem: Path, fmt: str, gain_db: float) -> Path:
    """Write ``source`` as ``<target_stem><ext>`` in ``fmt`` with ``gain_db``."""
    extension, options = FORMATS[fmt]
    target = target_stem.with_name(target_stem.name + extension)
    target.parent.mkdir(parents=True, exist_ok=True)
    gain = ["gain", f"{gain_db:.2f}"]
    run_tool(["sox", "-D", "-R", str(source), *options, str(target), *gain])
    return target
