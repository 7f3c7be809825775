"""Run the external audio tools: espeak-ng (speech) and sox (conversion).

Both are Debian packages (``espeak-ng``, ``sox`` with ``libsox-fmt-all`` for
MP3, FLAC and OGG input) installed by ``scripts/bootstrap``. They run as
child processes from the ``ivr prompts`` commands only, never on a call path.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess

from ivr.prompts.errors import ToolError

__all__ = ["run_tool", "sox_formats"]

logger = logging.getLogger("ivr.prompts.tools")


def run_tool(
    command: list[str], *, stdin: str | None = None, stderr: bool = False
) -> str:
    """Run ``command``; return its stdout (or stderr, where sox reports).

    Raises :class:`ToolError` when the tool is missing or exits non-zero.
    """
    if shutil.which(command[0]) is None:
        raise ToolError(command, f"{command[0]} is not installed (apt-get install)")
    logger.debug("running %s", " ".join(command))
    done = subprocess.run(
        command, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ToolError(command, done.stderr)
    return done.stderr if stderr else done.stdout


@functools.cache
def sox_formats() -> frozenset[str]:
    """The audio file types this sox build reads and writes (``sox -h``)."""
    text = run_tool(["sox", "-h"])
    for line in text.splitlines():
        if line.startswith("AUDIO FILE FORMATS:"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()
