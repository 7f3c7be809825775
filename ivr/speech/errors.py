"""Errors raised while turning values and scripts into speech.

::

    SpeechError
    ├── UnspeakableValueError   a number, amount, date or code out of range
    └── UnreadableTextError     a script holds characters no voice can read
"""

from __future__ import annotations

__all__ = ["SpeechError", "UnreadableTextError", "UnspeakableValueError"]


class SpeechError(ValueError):
    """Root of the speech package's errors (a ``ValueError``: bad input)."""


class UnspeakableValueError(SpeechError):
    """A value cannot be read aloud: negative, too large, or malformed."""


class UnreadableTextError(SpeechError):
    """A script holds a character the pinyin reader cannot say.

    ``char`` is the character and ``text`` the script it was found in.
    """

    def __init__(self, text: str, char: str) -> None:
        super().__init__(f"cannot read {char!r} in {text!r}")
        self.text = text
        self.char = char
