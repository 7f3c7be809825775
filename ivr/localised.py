"""Prompts in the caller's language, falling back to Mandarin per prompt.

The flow names prompts by id; a channel whose language (``agi_language``,
set by the dialplan's ``CHANNEL(language)``) lacks a prompt must hear the
Mandarin one, not Asterisk's own fallback to ``sounds/en``. This wrapper
renames each prompt through the catalog before it reaches the channel.
"""

from __future__ import annotations

from collections.abc import Sequence

from ivr.channel import (
    CallInfo,
    Channel,
    CollectResult,
    PlayResult,
    QueueResult,
    RecordResult,
)
from ivr.prompts import PromptCatalog

__all__ = ["LocalisedChannel"]


class LocalisedChannel:
    """A :class:`~ivr.channel.Channel` that plays prompts in the call's language."""

    def __init__(self, channel: Channel, catalog: PromptCatalog) -> None:
        self._channel = channel
        self._catalog = catalog
        self._language = channel.info.language

    @property
    def info(self) -> CallInfo:
        """The wrapped channel's call information."""
        return self._channel.info

    @property
    def hung_up(self) -> bool:
        """True once the caller has gone."""
        return self._channel.hung_up

    def _names(self, prompts: Sequence[str]) -> list[str]:
        return [self._name(prompt) for prompt in prompts]

    def _name(self, prompt: str) -> str:
        """A catalog prompt in the caller's language; a file path unchanged.

        Recordings (a caller's own message, a reply staff recorded) are
        played by their absolute path and have no language.
        """
        if prompt.startswith("/"):
            return prompt
        return self._catalog.playback_name(prompt, self._language)

    async def answer(self) -> None:
        """Answer the call."""
        await self._channel.answer()

    async def play(
        self, prompts: Sequence[str], *, escape_digits: str = ""
    ) -> PlayResult:
        """Play prompts in the caller's language (Mandarin where missing)."""
        return await self._channel.play(
            self._names(prompts), escape_digits=escape_digits
        )

    async def collect(
        self,
        prompts: Sequence[str],
        *,
        max_digits: int,
        first_timeout: float,
        inter_digit_timeout: float | None = None,
        terminators: str = "#",
    ) -> CollectResult:
        """Collect digits after prompts in the caller's language."""
        return await self._channel.collect(
            self._names(prompts),
            max_digits=max_digits,
            first_timeout=first_timeout,
            inter_digit_timeout=inter_digit_timeout,
            terminators=terminators,
        )

    async def record(
        self,
        path: str,
        *,
        fmt: str = "wav",
        max_seconds: float,
        silence_seconds: float | None = None,
        escape_digits: str = "#",
        beep: bool = True,
    ) -> RecordResult:
        """Record the caller."""
        return await self._channel.record(
            path,
            fmt=fmt,
            max_seconds=max_seconds,
            silence_seconds=silence_seconds,
            escape_digits=escape_digits,
            beep=beep,
        )

    async def get_variable(self, name: str) -> str | None:
        """Read a channel variable."""
        return await self._channel.get_variable(name)

    async def set_variable(self, name: str, value: str) -> None:
        """Set a channel variable."""
        await self._channel.set_variable(name, value)

    async def queue(
        self,
        queue: str,
        *,
        timeout: float,
        options: str = "",
        announce: str = "",
        agi: str = "",
    ) -> QueueResult:
        """Hand the call to an agent queue."""
        announce = (
            self._catalog.playback_name(announce, self._language) if announce else ""
        )
        return await self._channel.queue(
            queue, timeout=timeout, options=options, announce=announce, agi=agi
        )

    async def hangup(self) -> None:
        """Hang up."""
        await self._channel.hangup()
