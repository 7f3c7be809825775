"""Counting a node's failed tries: silences and wrong input apart.

The README's rule for menus holds for every node that asks again: the
re-prompts allowed are shared by both kinds of failure, the re-prompt line is
picked by the count of its own kind (a silence after a wrong key hears the
first silence line), and the node gives up by the kind of the last failure.
Menus (:mod:`ivr.flow.interpreter`) and the ticket-status question
(:mod:`ivr.flow.desk_nodes`) share this counter.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Failures"]


@dataclass(slots=True)
class Failures:
    """A node's failed tries: silences and wrong input, counted apart."""

    silences: int = 0
    wrong_keys: int = 0

    def add(self, key: str) -> Failures:
        """Count one more silence (no ``key``) or wrong key; return self."""
        if key:
            self.wrong_keys += 1
        else:
            self.silences += 1
        return self

    @property
    def total(self) -> int:
        """Failures of both kinds: they decide when the node gives up."""
        return self.silences + self.wrong_keys

    def line(self, key: str, lines: tuple[str, ...]) -> tuple[str, ...]:
        """The re-prompt line of the last failure's kind out of ``lines``
        (the last one repeats once they run out); none without lines."""
        if not lines:
            return ()
        count = self.wrong_keys if key else self.silences
        return (lines[min(count, len(lines)) - 1],)
