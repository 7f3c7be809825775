"""An agent call through a real Asterisk: queue, ring, answer, the agent
number on the caller's channel, the recording and the survey.

The caller (a Local channel running ``sim-caller-keys``) presses 0 for an
agent; the flow queues it in ``q-general``, where the only member is the
simulated agent ``Local/1001@sim-agents/n`` (``extensions.conf``): it rings
for ``SIM_AGENT_RING`` seconds, answers, talks and hangs up. Queue runs the
service's agent-number AGI on the caller's channel before the bridge, starts
MixMonitor as ``<caller Uniqueid>.wav``, and returns to the flow, whose
survey takes the caller's key.
"""

from __future__ import annotations

import re
import struct
import wave
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from asterisk_box import REPO_ROOT, AsteriskBox, StartAsterisk

if TYPE_CHECKING:
    from ivr.service import Service

pytestmark = pytest.mark.asterisk

CALL_SECONDS = 90.0
HOTLINE = ("12333", "ivr-inbound")
PROMPTS = REPO_ROOT / "prompts"
AGENT = "Local/1001@sim-agents/n"
RING_SECONDS = 4
TALK_SECONDS = 10
MARGIN = 2.0
# Queue tells the caller their position on entry before the first ring
# (announce-position in queues.conf): about 6 s.
POSITION_SECONDS = 6.0
# Queue records only while caller and agent are bridged (MixMonitor option
# b), i.e. after the agent-number announcement (about 4.5 s).
RECORDED_SECONDS = 3.0


def _seconds(*prompts: str) -> float:
    total = 0.0
    for prompt in prompts:
        with wave.open(str(PROMPTS / "zh" / f"{prompt}.wav"), "rb") as audio:
            total += audio.getnframes() / audio.getframerate()
    return total


def key_script() -> str:
    """SIM_SCRIPT: 0 in the main menu, then 5 a few seconds into the survey."""
    to_menu = _seconds("welcome-morning", "recording-notice") + MARGIN
    announce = ("agent-number-before", "num-yao", "num-0", "agent-number-after")
    to_survey = _seconds("transfer-agent", *announce) + POSITION_SECONDS
    to_survey += RING_SECONDS + TALK_SECONDS
    return f"{to_menu:.0f}:0|{to_survey + 3 * MARGIN:.0f}:5|20:"


async def _agent_call(box: AsteriskBox) -> str:
    """Originate the caller; return its Uniqueid once the call has ended."""
    await box.originate(*HOTLINE, "sim-caller-keys")
    started = await box.wait_for_log(r'12333 call ([0-9.]+)"', CALL_SECONDS)
    await box.wait_for_log(r"12333 call \S+ ended", CALL_SECONDS)
    return started.group(1)


def _connect_ring_seconds(box: AsteriskBox, uniqueid: str) -> int:
    """The ring time of the CONNECT line in queue_log (apps/app_queue.c)."""
    queue_log = (box.root / "log" / "queue_log").read_text()
    found = re.search(
        rf"^\d+\|{re.escape(uniqueid)}\|q-general\|\S+\|CONNECT\|"
        r"\d+\|[^|]*\|(\d+)$",
        queue_log,
        re.M,
    )
    assert found is not None, queue_log
    return int(found.group(1))


def _audio(path: Path) -> tuple[float, int]:
    """Length in seconds and loudest sample of a 16-bit mono WAV."""
    with wave.open(str(path), "rb") as audio:
        frames = audio.readframes(audio.getnframes())
        seconds = audio.getnframes() / audio.getframerate()
    samples = struct.unpack(f"<{len(frames) // 2}h", frames)
    return seconds, max((abs(sample) for sample in samples), default=0)


async def test_agent_call_announces_records_and_surveys(
    start_asterisk: StartAsterisk, service: Service, tmp_path: Path
) -> None:
    """Ring, answer, 幺零零幺号 on the caller's channel, recording, score 5."""
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    box = await start_asterisk(
        PROMPTS / "zh",
        IVR_PORT=str(service.fastagi_port),
        SIM_SCRIPT=key_script(),
        IVR_RECORDINGS_DIR=str(recordings),
        SIM_AGENT_RING=str(RING_SECONDS),
        SIM_AGENT_TALK=str(TALK_SECONDS),
    )
    added = await box.cli(
        f"queue add member {AGENT} to q-general penalty 0 as Agent1001"
    )
    assert "Added interface" in added, added

    uniqueid = await _agent_call(box)
    # MixMonitor writes the WAV header when it closes the file.
    await box.wait_for_log(r"End MixMonitor Recording", CALL_SECONDS)
    recording = recordings / f"{uniqueid}.wav"
    await service.records.flush()
    record = await service.records.get_call(uniqueid)
    log = box.log_text()
    caller = re.search(r"<(Local/12333@ivr-inbound-[0-9a-f]+;2)>", log)

    assert record is not None and caller is not None
    assert [s["node_id"] for s in record["steps"]][-2:] == ["queue-general", "survey"]
    assert record["steps"][-1]["result"] == "score 5"
    assert (record["outcome_kind"], record["queue_status"]) == ("queue", "CONTINUE")
    assert RING_SECONDS - 1 <= _connect_ring_seconds(box, uniqueid) < 15
    for prompt in ("agent-number-before", "num-yao", "num-0", "agent-number-after"):
        assert f"<{caller.group(1)}> Playing '{prompt}." in log
    seconds, loudest = _audio(recording)
    assert seconds >= RECORDED_SECONDS
    assert loudest > 1000, "the recording is silent"
