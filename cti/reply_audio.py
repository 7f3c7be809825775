"""Recorded ticket replies: check an uploaded WAV and store it for the flow.

A reply recorded by an agent is played to the caller by Asterisk (the
ticket-status node plays ``replied_prompt``), so it must be a file Asterisk
plays without transcoding surprises: RIFF/WAVE, 16-bit linear PCM, mono,
8 kHz (Asterisk's ``wav`` format, formats/format_wav.c) or 16 kHz
(``wav16``), at least half a second and at most :data:`MAX_SECONDS`. The
file is written to the tickets' recordings folder as
``<ticket>-reply-<n>.wav`` through a temporary name and a rename, so the
flow never reads half a file; the prompt path is that name without the
extension, as Asterisk's Playback wants it.
"""

from __future__ import annotations

import io
import os
import wave
from dataclasses import dataclass
from pathlib import Path

from cti.errors import TicketActionError

__all__ = [
    "FILE_MODE",
    "FOLDER_MODE",
    "MAX_BYTES",
    "MAX_SECONDS",
    "ReplyAudio",
    "check_wav",
    "discard_reply",
    "store_reply",
]

MAX_SECONDS = 300.0
"""Longest recorded reply accepted (five minutes)."""

MAX_BYTES = int(MAX_SECONDS * 16000 * 2) + 4096
"""Largest upload accepted: five minutes of 16 kHz 16-bit mono, and headers."""

FILE_MODE = 0o640
"""Reply files: the service writes, its group (shared with Asterisk) reads."""

FOLDER_MODE = 0o750
"""A replies folder the service creates: the same group may enter it."""

MIN_SECONDS = 0.5
RATES = (8000, 16000)


@dataclass(frozen=True, slots=True)
class ReplyAudio:
    """A checked upload: its bytes, sample rate and length in seconds."""

    data: bytes
    rate: int
    seconds: float


def check_wav(data: bytes) -> ReplyAudio:
    """Return the upload when it is a WAV Asterisk plays; else TicketActionError.

    The error says what is wrong in words a desktop can show.
    """
    if len(data) > MAX_BYTES:
        raise TicketActionError(f"the recording is over {MAX_BYTES} bytes")
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            channels, width, rate = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
            )
            frames = reader.getnframes()
    except (wave.Error, EOFError) as exc:
        raise TicketActionError(f"the recording is not a PCM WAV file: {exc}") from exc
    _check_format(channels, width, rate)
    seconds = frames / rate
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        raise TicketActionError(
            f"the recording lasts {seconds:.1f} s; "
            f"{MIN_SECONDS}-{MAX_SECONDS:.0f} s are accepted"
        )
    return ReplyAudio(data, rate, seconds)


def _check_format(channels: int, width: int, rate: int) -> None:
    if channels != 1:
        raise TicketActionError(f"the recording must be mono, not {channels} channels")
    if width != 2:
        raise TicketActionError(f"the recording must be 16-bit, not {8 * width}-bit")
    if rate not in RATES:
        raise TicketActionError(f"the recording must be 8000 or 16000 Hz, not {rate}")


def store_reply(folder: Path, ticket: str, audio: ReplyAudio) -> str:
    """Write the reply next to the ticket's recordings; return the prompt path.

    Blocking file I/O: call it in a worker thread. An earlier reply of the
    same ticket is kept (its name has a lower number) for the record. The
    path is absolute even for a relative ``folder`` (the embedded default):
    Asterisk would look for a relative one under its own sounds folder.
    The file is :data:`FILE_MODE` whatever the umask: a citizen's answer is
    for the service and Asterisk (one group), not every local account.
    """
    folder = folder.resolve()
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    number = 1
    while (folder / f"{ticket}-reply-{number}.wav").exists():
        number += 1
    final = folder / f"{ticket}-reply-{number}.wav"
    partial = folder / f".{final.name}.part"
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), FILE_MODE)
        file.write(audio.data)
    os.replace(partial, final)
    return str(final.with_suffix(""))


def discard_reply(prompt: str) -> None:
    """Delete a stored reply the ticket store refused (blocking: call it in a
    worker thread), so no recording is kept that no ticket points to."""
    Path(f"{prompt}.wav").unlink(missing_ok=True)
