"""Voice messages through a real Asterisk: RECORD FILE, the ticket, the file.

After hours (the service's clock is fixed at a Wednesday evening) the
caller presses 0 in the main menu, 2 in the after-hours menu and is in the
``leave-message`` node. After its intro and Asterisk's beep the caller half
plays a recorded voice (``~vm-review``, the step syntax of
``[sim-caller-keys]``): RECORD FILE writes only the audio frames it
receives, and a Local channel sends none while its dialplan waits. Then the
caller presses # and 3 (send), hangs up, or sends silence until RECORD
FILE ends by itself. The test reads the ticket from the service's own
database and the WAV file Asterisk wrote where the pending ticket said.
"""

from __future__ import annotations

import asyncio
import re
import wave
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from asterisk_box import REPO_ROOT, AsteriskBox, StartAsterisk

from ivr.speech import speak_digits
from ivr.tickets.desk import RecordedPart
from ivr.tickets.models import Ticket, TicketFilter, Viewer

if TYPE_CHECKING:
    from ivr.service import Service

pytestmark = pytest.mark.asterisk

CALL_SECONDS = 150.0
SAVE_SECONDS = 10.0
HOTLINE = ("12333", "ivr-inbound")
PROMPTS = REPO_ROOT / "prompts"
STAFF = Viewer("supervisor1", "supervisor")
# The caller's "voice": a standard English sound. The caller half takes
# the hotline's language (zh) too; Asterisk falls back to sounds/en/
# (main/file.c), the folder the box links to one of these.
SPEECH = "vm-review"
SPEECH_FILES = (
    Path("/usr/share/asterisk/sounds/en_US_f_Allison"),
    Path("/var/lib/asterisk/sounds/en"),
)
MARGIN = 2.0
# Seconds from the end of the intro until the caller starts speaking: the
# beep (about 0.5 s) has played and RECORD FILE is listening.
AFTER_INTRO = 1.5
# Seconds of silent audio the caller sends after speaking (sounds/silence/N),
# longer than the node's silence_seconds (5); it ends during the review
# prompt, when the caller presses 3.
SILENCE_SECONDS = 10
# What RECORD FILE keeps of the silence that ended it (res_agi.c).
KEPT_SILENCE = 1.0
# Slack on the recorded length: the caller's step times are whole seconds.
LENGTH_SLACK = 2.5


@pytest.fixture
def call_time() -> datetime:
    """Wednesday 12 March 2025, 20:00: after the service hours."""
    return datetime(2025, 3, 12, 20, 0)


def _seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        frames: int = audio.getnframes()
        rate: int = audio.getframerate()
    return frames / rate


def _prompt_seconds(*prompts: str) -> float:
    return sum(_seconds(PROMPTS / "zh" / f"{prompt}.wav") for prompt in prompts)


def _speech_seconds() -> float:
    """The length of SPEECH; skips where the sound is not installed."""
    for folder in SPEECH_FILES:
        if (folder / f"{SPEECH}.wav").is_file():
            return _seconds(folder / f"{SPEECH}.wav")
    pytest.skip(f"sound {SPEECH} not installed")


def script_to_message() -> list[str]:
    """SIM_SCRIPT steps up to the end of the caller's speech.

    0 once the main menu plays, 2 once the after-hours menu plays (its
    first prompt, the service hours, is part of the menu), then the speech
    after the message intro (and the withheld-number line) and the beep.
    """
    to_menu = _prompt_seconds("welcome-afternoon", "recording-notice") + MARGIN
    to_offer = _prompt_seconds("service-hours-closed") + MARGIN
    # A Local channel from the CLI shows no caller ID: after the intro the
    # caller is asked to say a contact number, then comes the beep.
    intro = _prompt_seconds("message-intro", "message-withheld-number")
    to_speech = intro + AFTER_INTRO
    return [f"{to_menu:.0f}:0", f"{to_offer:.0f}:2", f"{to_speech:.0f}:~{SPEECH}"]


async def _call(box: AsteriskBox) -> str:
    """Originate the caller; return its Uniqueid once the call has ended."""
    await box.originate(*HOTLINE, "sim-caller-keys")
    started = await box.wait_for_log(r'12333 call ([0-9.]+)"', CALL_SECONDS)
    await box.wait_for_log(r"12333 call \S+ ended", CALL_SECONDS)
    return started.group(1)


async def _saved_ticket(service: Service) -> Ticket:
    """The one ticket of the call, once it left the pending state."""
    assert service.tickets is not None
    store = service.tickets.store
    async with asyncio.timeout(SAVE_SECONDS):
        while True:
            page = await store.list_tickets(TicketFilter(), datetime.now(UTC))
            if page.items and page.items[0].state != "pending":
                break
            # The service settles the ticket after its own hang-up handling,
            # in another task: there is no event to await from here.
            await asyncio.sleep(0.2)
    (listed,) = page.items
    return await store.get(listed.number, STAFF, datetime.now(UTC))


async def _call_record(service: Service, uniqueid: str) -> dict[str, Any]:
    """The service's record of call ``uniqueid``."""
    await service.records.flush()
    record = await service.records.get_call(uniqueid)
    assert record is not None
    return record


def _played(box: AsteriskBox) -> list[str]:
    """The sound files the hotline half (``;2``) played, in order.

    Both res_agi.c (STREAM FILE) and main/file.c (GET DATA, the beep) log
    ``<channel> Playing 'name.format'`` at verbose level 3.
    """
    return re.findall(r";2> Playing '([^'.]+)\.\w+'", box.log_text())


def _wav_seconds(path: Path) -> float:
    """Length of a WAV file Asterisk wrote; fails on anything else."""
    assert path.stat().st_size > 44, path
    with wave.open(str(path), "rb") as audio:
        assert (audio.getnchannels(), audio.getsampwidth()) == (1, 2)
        return audio.getnframes() / audio.getframerate()


@dataclass(frozen=True)
class _Message:
    """What one call left: the box, the call, its ticket and the WAV length."""

    box: AsteriskBox
    uniqueid: str
    ticket: Ticket
    part: RecordedPart
    wav_seconds: float


async def _leave_message(
    start_asterisk: StartAsterisk, service: Service, *after_speech: str
) -> _Message:
    """Call after hours, speak into leave-message, then ``after_speech``."""
    steps = [*script_to_message(), *after_speech]
    box = await start_asterisk(
        PROMPTS / "zh", IVR_PORT=str(service.fastagi_port), SIM_SCRIPT="|".join(steps)
    )
    uniqueid = await _call(box)
    ticket = await _saved_ticket(service)
    (part,) = ticket.recordings
    seconds = await asyncio.to_thread(_wav_seconds, Path(f"{part.path}.wav"))
    return _Message(box, uniqueid, ticket, part, seconds)


async def test_message_recorded_sent_and_stored(
    start_asterisk: StartAsterisk, service: Service
) -> None:
    """The caller speaks, presses # and 3; the ticket is new, its one part
    as long as the speech, its WAV on disk, and the caller heard the number."""
    speech = _speech_seconds()
    left = await _leave_message(
        start_asterisk, service, f"{MARGIN - 1:.0f}:#", f"{MARGIN:.0f}:3", "60:"
    )
    ticket, part = left.ticket, left.part
    played = _played(left.box)
    record = await _call_record(service, left.uniqueid)
    saved_at = played.index("message-saved")
    spoken = speak_digits(ticket.number)

    assert (ticket.state, ticket.kind) == ("new", "message")
    assert part.path.startswith(str(service.config.tickets.recordings_dir))
    assert speech - 0.5 < part.seconds < speech + LENGTH_SLACK
    assert abs(left.wav_seconds - part.seconds) < 0.5
    assert played[saved_at + 1 : saved_at + 1 + len(spoken)] == spoken
    assert "beep" in played[:saved_at]
    assert "message-withheld-number" in played[: played.index("beep")]
    assert "ticket-query-hint" not in played
    assert (record["outcome_kind"], ticket.uniqueid) == ("message", left.uniqueid)


async def test_hang_up_while_recording_keeps_the_message(
    start_asterisk: StartAsterisk, service: Service
) -> None:
    """The caller speaks and hangs up without #: past the minimum length,
    the ticket is still saved with its WAV file."""
    speech = _speech_seconds()
    left = await _leave_message(start_asterisk, service, "1:")
    record = await _call_record(service, left.uniqueid)

    assert (left.ticket.state, left.ticket.kind) == ("new", "message")
    assert speech - 0.5 < left.part.seconds < speech + LENGTH_SLACK
    assert left.wav_seconds > 1.0
    assert "message-saved" not in _played(left.box)
    assert (record["outcome_kind"], record["outcome_node"]) == (
        "message",
        "leave-message",
    )


async def test_silence_ends_the_recording(
    start_asterisk: StartAsterisk, service: Service
) -> None:
    """The caller speaks, then sends silence instead of #: after the node's
    silence_seconds (5) RECORD FILE ends by itself and keeps one second of
    the silence (res_agi.c rewinds by the silence less 1000 ms); 3 sends."""
    speech = _speech_seconds()
    left = await _leave_message(
        start_asterisk, service, f"0:~silence/{SILENCE_SECONDS}", "0:3", "60:"
    )

    assert left.ticket.state == "new"
    # The quiet end of the speech itself counts towards the silence, so
    # less than a whole second of the silent sound is kept after it.
    assert speech < left.part.seconds <= speech + KEPT_SILENCE + 0.1
    assert abs(left.wav_seconds - left.part.seconds) < 0.5
