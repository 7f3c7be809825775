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
    """The catalog file cannot be used; the message names file, line and column."""
