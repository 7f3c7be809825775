"""Asterisk's command-line splitting, command lookup and environment."""

from __future__ import annotations

import pytest

from ivr.sim import CallSetup
from ivr.sim.channel_model import environment_lines
from ivr.sim.wire import MAX_ARGS, find_command, parse_args


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (
            'STREAM FILE demo-congrats "0123456789*#"',
            ["STREAM", "FILE", "demo-congrats", "0123456789*#"],
        ),
        ('SET VARIABLE FOO "bar baz"', ["SET", "VARIABLE", "FOO", "bar baz"]),
        ('STREAM FILE beep ""', ["STREAM", "FILE", "beep", ""]),
        ("SET VARIABLE X a\\ b", ["SET", "VARIABLE", "X", "a b"]),
        ('SET VARIABLE X \\"q\\"', ["SET", "VARIABLE", "X", '"q"']),
        ("SET VARIABLE X a\\\\b", ["SET", "VARIABLE", "X", "a\\b"]),
        ("SET VARIABLE X \\n", ["SET", "VARIABLE", "X", "n"]),
        ('SET VARIABLE X ab"c d"e', ["SET", "VARIABLE", "X", "abc de"]),
        ("GET  DATA\tbeep   3000", ["GET", "DATA", "beep", "3000"]),
        ("ANSWER\r", ["ANSWER\r"]),
        ("", []),
    ],
)
def test_parse_args_follows_res_agi(line: str, words: list[str]) -> None:
    """Quotes group, backslash escapes, white space separates, as parse_args()."""
    assert parse_args(line) == words


def test_parse_args_keeps_at_most_127_words() -> None:
    """Words past MAX_ARGS - 1 are dropped ("Too many arguments, truncating")."""
    words = parse_args("NOOP " + " ".join(str(n) for n in range(200)))

    assert len(words) == MAX_ARGS - 1
    assert words[-1] == str(MAX_ARGS - 3)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("get full variable ${X}", "GET FULL VARIABLE"),
        ("Stream File x", "STREAM FILE"),
        ("HANGUP extra words", "HANGUP"),
        ("GOSUB ctx s 1", "GOSUB"),
        ("GET", None),
        ("STREAMFILE x", None),
        ("FOO BAR", None),
    ],
)
def test_find_command_needs_every_word(line: str, name: str | None) -> None:
    """Commands match case-insensitively and only when complete."""
    spec = find_command(parse_args(line))

    assert (spec.name if spec else None) == name


def test_environment_order_and_unknowns() -> None:
    """setup_env() order; unset caller fields read "unknown"; args kept, empty too."""
    setup = CallSetup(
        script="ivr", args=["at=2026-10-08T09:00", ""], channel="PJSIP/x-1",
        uniqueid="1.1", threadid=7, calleridname=None,
    )  # fmt: skip

    lines = environment_lines(setup, "10.0.0.5", 4573)

    assert lines[:3] == [
        "agi_network: yes\n",
        "agi_network_script: ivr\n",
        "agi_request: agi://10.0.0.5:4573/ivr\n",
    ]
    assert "agi_calleridname: unknown\n" in lines
    assert "agi_dnid: unknown\n" in lines
    assert lines[-5:] == [
        "agi_accountcode: \n",
        "agi_threadid: 7\n",
        "agi_arg_1: at=2026-10-08T09:00\n",
        "agi_arg_2: \n",
        "\n",
    ]


def test_environment_without_script_has_no_script_line() -> None:
    """launch_netscript() sends agi_network_script only for a non-empty script."""
    lines = environment_lines(CallSetup(script="").completed(), "h", 1)

    assert not any(line.startswith("agi_network_script") for line in lines)
