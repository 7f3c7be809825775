"""Ticket numbers made without the database, so one can be spoken in an outage.

A number is ``prefix + YYMMDD + node + sequence + check``, all digits, of a
fixed length per configuration, so the IVR reads it digit by digit
(:func:`ivr.speech.speak_digits`) and a caller keys it back on a phone pad.
With prefix ``"12"``, one node digit and four sequence digits it has 14
digits: ``12 261009 0 0042 7``.

Why a file-backed counter and not time plus a random part: a random
per-process part only makes a repeat unlikely, while a caller's number must
never name two messages. The sequence therefore lives in a small state file
on the local disk, leased in blocks under an exclusive ``flock`` (the
hi/lo scheme): every process on the host shares the file, takes the next
``block`` numbers in one locked step and hands them out from memory. A crash
loses the rest of its block (a gap, never a repeat); a restart leases after
the last block written. The file is replaced atomically (write, ``fsync``,
``rename``), so a crash while writing leaves the old lease, never an empty
file. Several hosts each get their own ``node`` digit. The day in the number
comes from the injected clock in the service's zone and never goes back: if
the clock is set back over midnight, the file's later day is kept, so the
day's sequence is not restarted.

The check digit is Damm's (H. M. Damm, "Total anti-symmetrische
Quasigruppen", 2004): digits only, unlike ISO 7064 mod 11-2 whose check may
be ``X``, and unlike Luhn it catches every single-digit error *and* every
adjacent transposition (Luhn misses ``09`` <-> ``90``).
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ivr.clock import Clock, SystemClock
from ivr.tickets.errors import SequenceExhaustedError, TicketConfigError

__all__ = ["TicketNumberer", "check_digit", "has_valid_check_digit"]

logger = logging.getLogger("ivr.tickets.numbers")

# Damm's totally anti-symmetric quasigroup of order 10 (zero diagonal).
_DAMM: tuple[tuple[int, ...], ...] = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

MAX_PREFIX_DIGITS = 6
"""Longer prefixes make numbers too long to read out and key in."""


def _is_digits(text: str) -> bool:
    # str.isdigit alone accepts non-ASCII digits such as "٣"; a keypad cannot.
    return text.isascii() and text.isdigit()


def _damm_interim(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _DAMM[interim][ord(char) - ord("0")]
    return interim


def check_digit(digits: str) -> str:
    """The Damm check digit to append to the ASCII digit string ``digits``."""
    if not _is_digits(digits):
        raise TicketConfigError(f"not a digit string: {digits!r}")
    return str(_damm_interim(digits))


def has_valid_check_digit(number: str) -> bool:
    """True when ``number`` is ASCII digits ending in its Damm check digit."""
    return len(number) >= 2 and _is_digits(number) and _damm_interim(number) == 0


@dataclass(slots=True)
class _Lease:
    """A block of one day's sequence numbers owned by this process."""

    day: date
    next: int
    end: int


class _SequenceFile:
    """The state file holding the last leased day and sequence number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")

    def lease(self, today: date, block: int, capacity: int) -> _Lease:
        """Take the next ``block`` numbers of the day under an exclusive lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return self._lease_locked(today, block, capacity)
        finally:
            os.close(fd)

    def _lease_locked(self, today: date, block: int, capacity: int) -> _Lease:
        stored = self._read()
        day, start = today, 0
        if stored is not None and stored[0] >= today:
            day, start = stored
        if start >= capacity:
            raise SequenceExhaustedError(
                f"all {capacity} ticket numbers of {day.isoformat()} are used"
            )
        end = min(start + block, capacity)
        self._write(day, end)
        logger.debug("leased %s %d..%d from %s", day, start, end - 1, self.path)
        return _Lease(day, start, end)

    def raise_to(self, day: date, next_free: int) -> None:
        """Make sure nothing before ``next_free`` of ``day`` is leased again."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            stored = self._read()
            if stored is None or stored < (day, next_free):
                self._write(day, next_free)
        finally:
            os.close(fd)

    def _read(self) -> tuple[date, int] | None:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        try:
            day_text, next_text = text.split()
            return date.fromisoformat(day_text), int(next_text)
        except ValueError as error:
            # Restarting at zero could repeat numbers already spoken: stop.
            raise TicketConfigError(
                f"ticket sequence file {self.path} is unreadable: {text!r}"
            ) from error

    def _write(self, day: date, next_free: int) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        with temporary.open("w", encoding="ascii") as file:
            file.write(f"{day.isoformat()} {next_free}\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class TicketNumberer:
    """Hands out ticket numbers that never repeat, without a database.

    ``prefix`` is up to six digits (a business-area or site code, may be
    empty); ``state_file`` is the sequence file shared by every process on
    this host (keep it on local disk: ``flock`` over NFS is not reliable);
    ``node`` tells hosts apart and has ``node_digits`` digits;
    ``sequence_digits`` bounds the numbers per day and ``block`` is how many
    a process leases at once. :meth:`next` does blocking file I/O once per
    block (well under a millisecond on a local disk, plus one ``fsync``).
    """

    def __init__(
        self,
        prefix: str,
        state_file: Path,
        *,
        node: int = 0,
        node_digits: int = 1,
        sequence_digits: int = 4,
        block: int = 50,
        clock: Clock | None = None,
        zone: ZoneInfo | None = None,
    ) -> None:
        _check_settings(prefix, node, node_digits, sequence_digits, block)
        self.prefix = prefix
        self._node = f"{node:0{node_digits}d}"
        self._sequence_digits = sequence_digits
        self._block = block
        self._file = _SequenceFile(state_file)
        self._clock = clock if clock is not None else SystemClock()
        self._zone = zone if zone is not None else ZoneInfo("Asia/Shanghai")
        self._lease: _Lease | None = None

    @property
    def length(self) -> int:
        """How many digits every number of this numberer has."""
        return len(self.prefix) + 6 + len(self._node) + self._sequence_digits + 1

    def next(self) -> str:
        """The next ticket number, check digit included."""
        lease = self._current_lease()
        sequence = lease.next
        lease.next += 1
        body = (
            f"{self.prefix}{lease.day:%y%m%d}{self._node}"
            f"{sequence:0{self._sequence_digits}d}"
        )
        return body + check_digit(body)

    def day_stem(self, number: str) -> str:
        """What ``number`` shares with every number of its day on this node:
        the prefix, the day and the node digits."""
        return number[: len(self.prefix) + 6 + len(self._node)]

    def skip_past(self, number: str) -> None:
        """Hand out nothing up to ``number`` of its day again.

        For a number found already stored: the sequence file was lost or
        restored from an old copy, and every number from it up to the
        day's highest stored one would be refused, caller after caller.
        """
        start = len(self.prefix)
        day = datetime.strptime(number[start : start + 6], "%y%m%d").date()
        stem = len(self.day_stem(number))
        sequence = int(number[stem : stem + self._sequence_digits])
        self._file.raise_to(day, sequence + 1)
        self._lease = None

    def is_valid(self, number: str) -> bool:
        """True when ``number`` could be one of ours: length, prefix, check.

        Used before a database look-up of a keyed number, so a mistyped digit
        or two swapped neighbours is answered "please check the number"
        instead of naming another caller's ticket.
        """
        return (
            len(number) == self.length
            and number.startswith(self.prefix)
            and has_valid_check_digit(number)
        )

    def _current_lease(self) -> _Lease:
        today = self._clock.now(self._zone).date()
        lease = self._lease
        if lease is None or lease.day < today or lease.next >= lease.end:
            lease = self._file.lease(today, self._block, 10**self._sequence_digits)
            self._lease = lease
        return lease


def _check_settings(
    prefix: str, node: int, node_digits: int, sequence_digits: int, block: int
) -> None:
    if prefix and not _is_digits(prefix):
        raise TicketConfigError(f"ticket prefix must be digits only: {prefix!r}")
    if len(prefix) > MAX_PREFIX_DIGITS:
        raise TicketConfigError(f"ticket prefix longer than {MAX_PREFIX_DIGITS}")
    if not 1 <= node_digits <= 3 or not 0 <= node < 10**node_digits:
        raise TicketConfigError(f"node {node} does not fit {node_digits} digit(s)")
    if not 3 <= sequence_digits <= 7:
        raise TicketConfigError("sequence_digits must be between 3 and 7")
    if block < 1:
        raise TicketConfigError("block must be at least 1")
