"""Keys the caller pressed that no read has taken yet.

On a real channel every key is a DTMF frame; a read takes the frames it
needs and leaves the rest queued on the channel for whatever reads next.
GET DATA stops at its last digit (ast_readstring_full() in main/channel.c
returns once ``pos >= len``), so a ``#`` the caller presses after a
fixed-length entry reaches the next command: a GET DATA, WAIT FOR DIGIT or
GET OPTION reads it (a ``#`` first ends a GET DATA with nothing read), a
STREAM FILE stops on it only when it is an escape digit and otherwise
drops it (waitstream_core() in main/file.c frees a DTMF frame not in
``breakon``). :class:`QueuedKeys` holds those keys between commands.

Keys that RECORD FILE or an application (EXEC) would see are dropped: the
flow always plays a prompt before either, and a prompt already took them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["QueuedKeys", "read_string"]

ENDERS = "#"
"""The keys that end GET DATA (ast_app_getdata_full() passes ``"#"``)."""


@dataclass(slots=True)
class QueuedKeys:
    """The keys waiting on the emulated channel, oldest first."""

    keys: str = ""

    def take(self) -> str:
        """All queued keys, leaving none."""
        keys, self.keys = self.keys, ""
        return keys

    def keep(self, keys: str) -> None:
        """Queue keys a read did not take, after any already queued."""
        self.keys += keys

    def next_key(self) -> str | None:
        """The oldest queued key, or ``None`` when none waits."""
        if not self.keys:
            return None
        key, self.keys = self.keys[0], self.keys[1:]
        return key

    def escape(self, escape_digits: str) -> tuple[str | None, str]:
        """What a playing prompt does with the queue: ``(key, dropped)``.

        Keys up to the first escape digit are dropped; that digit stops the
        prompt and the keys after it stay queued. Without one, all go.
        """
        for at, key in enumerate(self.keys):
            if key in escape_digits:
                dropped, self.keys = self.keys[:at], self.keys[at + 1 :]
                return key, dropped
        return None, self.take()


def read_string(keys: str, most: int, data: str = "") -> tuple[str, bool, str]:
    """ast_readstring_full() over ``keys``: ``(data, ended, keys left)``.

    ``ended`` is true when ``#`` or the ``most``-th digit ended the read; a
    ``#`` before any digit ends it with nothing read. ``data`` holds the
    digits an earlier part of the same read already took.
    """
    for at, key in enumerate(keys):
        if key not in ENDERS:
            data += key
        if key in ENDERS or len(data) >= most:
            return data, True, keys[at + 1 :]
    return data, False, ""
