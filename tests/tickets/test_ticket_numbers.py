"""Ticket numbers: format, uniqueness across processes and days, check digit."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from itertools import product
from pathlib import Path
from typing import TypedDict, Unpack

import pytest

from ivr.clock import FixedClock
from ivr.speech import text_digits
from ivr.tickets import (
    SequenceExhaustedError,
    TicketConfigError,
    TicketNumberer,
    check_digit,
    has_valid_check_digit,
)
from ivr.tickets.numbers import _DAMM

REPO = Path(__file__).resolve().parents[2]
SAMPLES = ("12261009000427", "00000000000000", "99123199999999", "1226100950905")


class Options(TypedDict, total=False):
    """Keyword settings of a numberer under test."""

    node: int
    sequence_digits: int
    block: int


def make(
    path: Path,
    start: datetime = datetime(2026, 10, 9, 10, 0),
    **options: Unpack[Options],
) -> tuple[TicketNumberer, FixedClock]:
    """A numberer with prefix 12 on a fixed clock and its clock."""
    clock = FixedClock(start)
    return TicketNumberer("12", path, clock=clock, **options), clock


def with_check(body: str) -> str:
    """``body`` followed by its check digit."""
    return body + check_digit(body)


def test_damm_table_is_a_totally_antisymmetric_quasigroup() -> None:
    """Rows and columns are permutations, the diagonal is zero, and
    (c*x)*y == (c*y)*x only when x == y: the property behind the guarantees."""
    digits = set(range(10))
    assert all(set(row) == digits for row in _DAMM)
    assert all({row[col] for row in _DAMM} == digits for col in range(10))
    assert all(_DAMM[i][i] == 0 for i in range(10))

    for c, x, y in product(range(10), repeat=3):
        if x != y:
            assert _DAMM[_DAMM[c][x]][y] != _DAMM[_DAMM[c][y]][x]


def test_number_format_is_fixed_length_digits(tmp_path: Path) -> None:
    """prefix + YYMMDD + node + sequence + check, read out digit by digit."""
    numberer, _ = make(tmp_path / "seq", node=3)

    first, second = numberer.next(), numberer.next()

    assert first == with_check("12" + "261009" + "3" + "0000")
    assert second == with_check("12" + "261009" + "3" + "0001")
    assert len(first) == numberer.length == 14
    assert text_digits(first).startswith("幺二二六幺")


def test_two_instances_never_repeat_over_100000(tmp_path: Path) -> None:
    """Two numberers on one state file (two processes) interleaved: all unique
    and all valid."""
    path = tmp_path / "seq"
    one, _ = make(path, sequence_digits=6, block=100)
    two, _ = make(path, sequence_digits=6, block=100)

    numbers = [n for _ in range(50_000) for n in (one.next(), two.next())]

    assert len(numbers) == 100_000
    assert len(set(numbers)) == 100_000
    assert all(one.is_valid(number) for number in numbers)


def test_restart_continues_after_last_lease(tmp_path: Path) -> None:
    """A new process on the same file skips the old block's unused rest."""
    first, _ = make(tmp_path / "seq", block=10)
    before = [first.next() for _ in range(3)]

    restarted, _ = make(tmp_path / "seq", block=10)
    after = restarted.next()

    assert after not in before
    assert after[9:13] == "0010"


def test_new_day_restarts_sequence(tmp_path: Path) -> None:
    """Each local day starts at sequence 0 with its own date digits."""
    numberer, clock = make(tmp_path / "seq", datetime(2026, 10, 9, 23, 59))
    numberer.next()

    clock.advance(120)
    number = numberer.next()

    assert number[2:13] == "261010" + "0" + "0000"


def test_day_follows_service_zone(tmp_path: Path) -> None:
    """16:30 UTC is already the next day in Asia/Shanghai."""
    numberer, _ = make(tmp_path / "seq", datetime(2026, 10, 9, 16, 30, tzinfo=UTC))

    assert numberer.next()[2:8] == "261010"


def test_clock_set_back_over_midnight_keeps_later_day(tmp_path: Path) -> None:
    """A clock moved back across midnight does not restart the later day."""
    path = tmp_path / "seq"
    ahead, _ = make(path, datetime(2026, 10, 10, 0, 0, 5), block=2)
    issued = [ahead.next() for _ in range(2)]

    behind, _ = make(path, datetime(2026, 10, 9, 23, 59, 58), block=2)
    number = behind.next()

    assert number not in issued
    assert number[2:13] == "261010" + "0" + "0002"


def test_exhausted_day_raises(tmp_path: Path) -> None:
    """With three sequence digits the 1001st number of a day is refused."""
    numberer, _ = make(tmp_path / "seq", sequence_digits=3, block=400)
    issued = {numberer.next() for _ in range(1000)}

    with pytest.raises(SequenceExhaustedError, match="2026-10-09"):
        numberer.next()
    assert len(issued) == 1000


def test_unreadable_state_file_is_not_reset(tmp_path: Path) -> None:
    """A damaged file stops issuing rather than restart at zero."""
    path = tmp_path / "seq"
    path.write_text("garbage\n", encoding="ascii")
    numberer, _ = make(path)

    with pytest.raises(TicketConfigError, match="unreadable"):
        numberer.next()
    assert path.read_text(encoding="ascii") == "garbage\n"


@pytest.mark.parametrize(
    ("prefix", "options"),
    [
        ("A1", {}),
        ("１２", {}),
        ("1234567", {}),
        ("12", {"node": 10}),
        ("12", {"sequence_digits": 2}),
        ("12", {"block": 0}),
    ],
)
def test_bad_settings_are_refused(
    tmp_path: Path, prefix: str, options: Options
) -> None:
    """Non-ASCII-digit prefixes and out-of-range widths fail at start-up."""
    with pytest.raises(TicketConfigError):
        TicketNumberer(prefix, tmp_path / "seq", **options)


_CHILD = """
import sys
from pathlib import Path
from ivr.tickets import TicketNumberer
numberer = TicketNumberer("7", Path(sys.argv[1]), sequence_digits=5, block=7)
print("\\n".join(numberer.next() for _ in range(3000)))
"""


def test_real_processes_share_the_file(tmp_path: Path) -> None:
    """Two OS processes issuing at once under flock never repeat a number."""
    path = str(tmp_path / "seq")
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, path],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [child.communicate()[0].split() for child in children]

    assert [child.returncode for child in children] == [0, 0]
    assert sum(len(output) for output in outputs) == 6000
    assert len(set(outputs[0]) | set(outputs[1])) == 6000


@pytest.mark.parametrize("number", SAMPLES)
def test_every_single_digit_change_is_caught(number: str) -> None:
    """Changing any one digit to any other value makes the number invalid."""
    valid = with_check(number)
    assert has_valid_check_digit(valid)

    for index, digit in product(range(len(valid)), "0123456789"):
        if digit != valid[index]:
            changed = valid[:index] + digit + valid[index + 1 :]
            assert not has_valid_check_digit(changed), changed


@pytest.mark.parametrize("number", [*SAMPLES[2:], "0909090909090", "1234567890123"])
def test_every_adjacent_swap_is_caught(number: str) -> None:
    """Swapping two neighbouring different digits (09 <-> 90 too) is caught."""
    valid = with_check(number)

    swaps = 0
    for index in range(len(valid) - 1):
        left, right = valid[index], valid[index + 1]
        if left != right:
            swaps += 1
            swapped = valid[:index] + right + left + valid[index + 2 :]
            assert not has_valid_check_digit(swapped), swapped
    assert swaps > 0


def test_is_valid_checks_length_prefix_and_digits(tmp_path: Path) -> None:
    """Wrong length, another prefix or full-width digits are not ours."""
    numberer, _ = make(tmp_path / "seq")
    number = numberer.next()
    other_prefix = with_check("13" + number[2:-1])
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))

    assert numberer.is_valid(number)
    assert not numberer.is_valid(with_check(number))
    assert not numberer.is_valid(other_prefix)
    assert not numberer.is_valid(full_width)
    assert not has_valid_check_digit("0")
