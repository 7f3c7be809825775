"""Errors raised while loading the prompt catalog.

::

    PromptError
    └── PromptCatalogError   prompts.yaml is missing, not YAML, or malformed
"""

from __future__ import annotations

__all__ = ["PromptCatalogError", "PromptError"]


class PromptError(Exception):
    """Root of the prompt package's errors."""


class PromptCatalogError(PromptError):
    """The catalog file cannot be used.

    ``where`` is ``file`` or ``file:line:col``; ``reason`` says what is wrong
    in words ops can act on. ``str()`` joins them as ``where: reason``, so
    ``ivr check`` can print the problem as one compiler-style line.
    """

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason
