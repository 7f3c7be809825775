"""What the flow does around an agent call: the screen pop and the survey.

Before ``Queue`` the caller's channel gets the variables the CTI shows the
agent (:func:`screen_pop_variables`; ``manager.conf`` lists them in
``channelvars`` so Asterisk copies them into every AMI event of the
channel). After the agent hangs up, a survey node asks for a score
(:func:`ask_score`) and hands it to a :class:`SurveySink`, which the
service points at the CTI's call store when the CTI runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ivr.channel import Channel, CollectResult
from ivr.flow.model import QueueNode, SurveyNode
from ivr.trace import CallTrace, Step

__all__ = [
    "CONNECT_AGI_VARIABLE",
    "PATH_SEPARATOR",
    "SurveySink",
    "ask_score",
    "screen_pop_variables",
]

CONNECT_AGI_VARIABLE = "IVR_CONNECT_AGI"
"""Channel variable (set by the dialplan) naming the AGI that Queue runs on
the caller's channel once an agent answers: Queue's sixth argument,
executed on ``qe->chan`` before the bridge (apps/app_queue.c try_calling).
The service answers it with the agent-number announcement."""

PATH_SEPARATOR = ">"
"""Joins the node ids of ``IVR_PATH``: ``welcome>main-menu>...``."""


class SurveySink(Protocol):
    """Where survey scores go besides the call's own record (the CTI)."""

    async def record_survey(self, uniqueid: str, score: int, at: datetime) -> None:
        """Store ``score`` for the caller channel ``uniqueid``, rated ``at``."""
        ...


def screen_pop_variables(
    trace: CallTrace, node: QueueNode, language: str
) -> dict[str, str]:
    """The caller-channel variables for the agent's screen pop and priority.

    ``IVR_PATH`` is every node visited so far, this queue node included.
    ``QUEUE_PRIO`` is always set (0 for ordinary queues) so a complaint's
    priority does not follow the caller into an overflow queue
    (apps/app_queue.c queue_exec reads it on every Queue()).
    """
    return {
        "IVR_PATH": PATH_SEPARATOR.join(trace.path),
        "IVR_LANG": language,
        "IVR_SESSION": trace.session_id,
        "QUEUE_PRIO": str(node.priority or 0),
    }


async def ask_score(
    channel: Channel, node: SurveyNode, step: Step
) -> tuple[int | None, list[str]]:
    """Ask for a score until one of ``node.scores`` is pressed or tries run out.

    Returns the score (``None`` after ``node.retries`` re-prompts) and the
    prompts the channel could not play.
    """
    missing: list[str] = []
    retry: tuple[str, ...] = ()
    for attempt in range(node.retries + 1):
        prompts = [*retry, *node.prompts]
        step.prompts.extend(prompts)
        collected = await channel.collect(
            prompts, max_digits=1, first_timeout=node.timeout, terminators=""
        )
        missing += collected.missing
        key = _key(collected)
        step.keys += key
        if key and key in node.scores:
            return int(key), missing
        retry = _retry_line(node.invalid if key else node.no_input, attempt)
    return None, missing


def _key(collected: CollectResult) -> str:
    """The key pressed; ``#`` ends GET DATA with no digits (res_agi.c)."""
    if not collected.digits and not collected.timed_out:
        return "#"
    return collected.digits


def _retry_line(lines: Sequence[str], attempt: int) -> tuple[str, ...]:
    return (lines[min(attempt, len(lines) - 1)],) if lines else ()
