"""Errors raised by the prompt catalog, the voice and the audio tools.

::

    PromptError
    ├── PromptCatalogError   prompts.yaml (or a language's file) is missing,
    │                        not YAML, or malformed
    ├── ToolError            espeak-ng or sox is missing or failed
    └── StudioImportError    a recording cannot be imported (unknown id,
                             unreadable file)
"""

from __future__ import annotations

__all__ = ["PromptCatalogError", "PromptError", "StudioImportError", "ToolError"]


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


class ToolError(PromptError):
    """An external audio tool (espeak-ng, sox) is missing or failed.

    ``command`` is the argument list run; ``output`` what it printed on
    stderr, so the cause reaches ops unchanged.
    """

    def __init__(self, command: list[str], output: str) -> None:
        super().__init__(f"{' '.join(command[:3])}...: {output.strip() or 'failed'}")
        self.command = command
        self.output = output


class StudioImportError(PromptError):
    """A studio recording cannot be imported; the message says why."""
