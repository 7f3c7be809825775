"""Queue position announcements in Mandarin through a real Asterisk.

Two callers reach ``q-general`` through the fallback (nothing listens on the
FastAGI port) and wait there with no agent. Queue tells each their place
(apps/app_queue.c, ``say_position``, queues.conf ``announce-position``):
the first hears ``queue-youarenext``, the second ``queue-thereare``, the
number 2 (main/say.c ``ast_say_number_full_zh``: ``digits/2``) and
``queue-callswaiting``; both then ``queue-thankyou``. The channel language
is ``zh`` and ``prompts/zh`` is installed as ``sounds/zh``: Asterisk looks
there before ``sounds/en`` (main/file.c, ``fileexists_core``), and its sound
index shows each of these names under language ``zh``.
"""

from __future__ import annotations

import re

import pytest
from asterisk_box import REPO_ROOT, AsteriskBox, StartAsterisk

pytestmark = pytest.mark.asterisk

CALL_SECONDS = 40.0
HOTLINE = ("12333", "ivr-inbound")
PROMPTS = REPO_ROOT / "prompts"
SECOND_CALLER_SOUNDS = (
    "queue-thereare",
    "digits/2",
    "queue-callswaiting",
    "queue-thankyou",
)


async def _queued_caller(box: AsteriskBox, position: int) -> str:
    """Originate a caller; return its channel once it is ``position`` in line."""
    await box.originate(*HOTLINE, "sim-caller-keys")
    found = await box.wait_for_cli(
        "queue show q-general", rf"^\s+{position}\. (Local/\S+;2)", CALL_SECONDS
    )
    return found.group(1)


def _played(log: str, channel: str) -> list[str]:
    """The sound names played on ``channel`` in language zh, in order."""
    pattern = rf"<{re.escape(channel)}> Playing '([^']+)\.\w+' \(language 'zh'\)"
    return re.findall(pattern, log)


async def _indexed_languages(box: AsteriskBox, name: str) -> list[str]:
    """The languages Asterisk's sound index holds ``name`` in (main/sounds.c)."""
    shown = await box.cli(f"core show sound {name}")
    return re.findall(r"Language (\S+):", shown)


async def test_waiting_callers_hear_their_place_in_mandarin(
    start_asterisk: StartAsterisk, spare_port: int
) -> None:
    """Place 1: 您现在排在第一位; place 2: 第 二 位; from the zh sound files."""
    box = await start_asterisk(
        PROMPTS / "zh", IVR_PORT=str(spare_port), SIM_SCRIPT=f"{CALL_SECONDS:.0f}:"
    )

    first = await _queued_caller(box, 1)
    second = await _queued_caller(box, 2)
    await box.wait_for_log(
        rf"<{re.escape(second)}> Playing 'queue-thankyou\.", CALL_SECONDS
    )
    log = box.log_text()

    assert _played(log, first)[-2:] == ["queue-youarenext", "queue-thankyou"]
    assert _played(log, second)[-4:] == list(SECOND_CALLER_SOUNDS)
    for name in ("queue-youarenext", *SECOND_CALLER_SOUNDS):
        assert (PROMPTS / "zh" / f"{name}.wav").is_file()
        assert "zh" in await _indexed_languages(box, name)
