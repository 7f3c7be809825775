"""The Asterisk configuration and the flow name the same things.

A queue the flow hands calls to must exist in queues.conf, or Asterisk
answers QUEUESTATUS=... with no queue at all and the caller is cut off; the
general queue the dialplan falls back to must exist too.
"""

from __future__ import annotations

import re
from pathlib import Path

from ivr.flow import QueueNode, load_flow
from ivr.prompts import PromptCatalog

ROOT = Path(__file__).resolve().parents[1]
DIALPLAN = ROOT / "asterisk-dialplan"


def _conf_sections(name: str) -> set[str]:
    text = (DIALPLAN / name).read_text("utf-8")
    return set(re.findall(r"^\[([^\]]+)\](?!\(!\))", text, flags=re.MULTILINE))


def test_every_queue_in_the_flow_exists_in_queues_conf() -> None:
    """Each queue node's queue is defined in queues.conf."""
    flow, _ = load_flow(ROOT / "menus.yaml", PromptCatalog.load(ROOT / "prompts"))
    assert flow is not None
    used = {node.queue for node in flow.nodes.values() if isinstance(node, QueueNode)}

    missing = used - _conf_sections("queues.conf")

    assert used and missing == set()


def test_fallback_queue_exists() -> None:
    """The queue the dialplan uses when the service is down is defined."""
    extensions = (DIALPLAN / "extensions.conf").read_text("utf-8")
    fallback = re.search(r"^IVR_FALLBACK_QUEUE=(\S+)", extensions, re.MULTILINE)

    assert fallback is not None
    assert fallback.group(1) in _conf_sections("queues.conf")
