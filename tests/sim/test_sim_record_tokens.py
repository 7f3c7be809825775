"""``rec`` tokens: how a scripted or typing caller ends a RECORD FILE."""

from __future__ import annotations

import io

import pytest

from ivr.sim import RecordOutcome, RecordRequest, ScriptedCaller
from ivr.sim.errors import CallerScriptError
from ivr.sim.media import _within_limit
from ivr.sim.script import InteractiveCaller, parse_tokens, record_outcome

REQUEST = RecordRequest("/tmp/rec", "wav", "#", 120000, 5000, True)


@pytest.mark.parametrize(
    ("token", "outcome"),
    [
        ("rec5#", RecordOutcome("dtmf", "#", 5.0)),
        ("rec2.5!", RecordOutcome("hangup", "#", 2.5)),
        ("rec4_", RecordOutcome("silence", "#", 4.0)),
        ("rec9", RecordOutcome("timeout", "#", 9.0)),
    ],
)
def test_rec_tokens_describe_the_recording(token: str, outcome: RecordOutcome) -> None:
    """Seconds spoken, then # / hang-up / silence / the time limit."""
    assert parse_tokens(token) == [token]
    assert record_outcome(token) == outcome


@pytest.mark.parametrize("token", ["rec", "rec#", "recx5", "rec5?"])
def test_malformed_rec_tokens_are_refused(token: str) -> None:
    """A rec token needs its seconds and at most one known ending."""
    with pytest.raises(CallerScriptError):
        parse_tokens(token)


async def test_scripted_caller_uses_the_next_rec_token() -> None:
    """The rec token ends the recording; without one the default applies."""
    caller = ScriptedCaller("rec3! 1")

    first = await caller.on_record(REQUEST)
    second = await caller.on_record(REQUEST)

    assert first == RecordOutcome("hangup", "#", 3.0)
    assert second == RecordOutcome()
    assert list(caller.tokens) == ["1"]


async def test_typing_caller_is_asked_how_the_recording_ends() -> None:
    """A person types 7! at the recording prompt; a bad line is asked again."""
    out = io.StringIO()
    caller = InteractiveCaller(io.StringIO("abc\n7!\n"), out)

    outcome = await caller.on_record(REQUEST)

    assert outcome == RecordOutcome("hangup", "#", 7.0)
    assert "up to 120 s" in out.getvalue()
    assert "for example 5# or 12!" in out.getvalue()


@pytest.mark.parametrize(
    ("outcome", "limited"),
    [
        (RecordOutcome("dtmf", "#", 200.0), RecordOutcome("timeout", "", 120.0)),
        (RecordOutcome("hangup", "#", 119.0), RecordOutcome("hangup", "#", 119.0)),
        (RecordOutcome("beep-key", "#", 0.0), RecordOutcome("beep-key", "#", 0.0)),
    ],
)
def test_a_caller_speaking_past_the_limit_is_cut_off(
    outcome: RecordOutcome, limited: RecordOutcome
) -> None:
    """rec200 on a 120 s RECORD FILE ends by the time limit at 120 s, as
    res_agi.c stops there; what ends inside the limit is left alone."""
    assert _within_limit(outcome, 120_000) == limited
    assert _within_limit(outcome, -1) == outcome
