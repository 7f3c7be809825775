"""CallTracker against Asterisk's real event order (Leave before Connect)."""

from __future__ import annotations

from ami.ami_field_cases import transcript_path

from cti.ami.message import Message
from cti.ami.parser import AMIParser
from cti.ami.replay import load_transcript
from cti.calls import CallTracker, Fact, SettledCall
from cti.events import Event, normalise
from cti.service_levels import OfferFacts

Q = "q-answer"
UID = "1796312726.14"
AGENT = "Local/agent1@agents/n"


def _tracker() -> CallTracker:
    return CallTracker(lambda moment: "2026-12-04T09", b"k", lambda i: i)


def _replay(tracker: CallTracker) -> list[Fact]:
    parser, facts = AMIParser(), []
    for record in load_transcript(transcript_path("ami-events.jsonl")):
        if record.direction != "in" or record.eof:
            continue
        for message in parser.feed(record.data):
            if isinstance(message, Message) and message.is_event:
                facts += tracker.apply(normalise(message), record.t)
    return facts


def _event(name: str, **fields: str) -> Event:
    base = {"uniqueid": UID, "queue": Q, "channel": "Local/s@c;1"}
    return Event(name, {**base, **{k.lower(): v for k, v in fields.items()}})


def _calls(facts: list[Fact]) -> list[tuple[str, str, str, float]]:
    return [
        (f.facts.queue, f.facts.outcome, f.facts.agent, f.facts.wait)
        for f in facts
        if isinstance(f, SettledCall)
    ]


def test_recorded_asterisk_22_session_counts_answered_calls() -> None:
    """ami-events.jsonl: Leave precedes AgentConnect; all three are answered."""
    tracker = _tracker()

    facts = _replay(tracker)

    assert _calls(facts) == [
        (Q, "answered", AGENT, 2.0),
        ("q-noanswer", "answered", AGENT, 7.0),
        ("q-noanswer", "answered", AGENT, 2.0),
    ]
    offers = [(o.agent, o.outcome) for o in facts if isinstance(o, OfferFacts)]
    assert offers == [
        (AGENT, "answered"),
        ("Local/agent2@agents/n", "no_answer"),
        (AGENT, "answered"),
        (AGENT, "answered"),
    ]
    assert tracker.visits == {}


def _ringing(tracker: CallTracker) -> None:
    tracker.apply(_event("QueueCallerJoin"), 100.0)
    tracker.apply(_event("AgentCalled", Interface=AGENT), 103.0)
    assert tracker.apply(_event("QueueCallerLeave"), 105.0) == []


def test_leave_while_ringing_then_no_answer_is_left() -> None:
    """Pending after Leave; AgentRingNoAnswer ends it, wait up to the Leave."""
    tracker = _tracker()
    _ringing(tracker)

    facts = tracker.apply(_event("AgentRingNoAnswer", Interface=AGENT), 109.0)

    assert _calls(facts) == [(Q, "left", "", 5.0)]
    assert tracker.visits == {}


def test_leave_while_ringing_then_caller_hangup_is_left() -> None:
    """The caller's Hangup ends a pending visit; the offer is caller_gone."""
    tracker = _tracker()
    _ringing(tracker)

    facts = tracker.apply(_event("Hangup"), 107.0)

    assert _calls(facts) == [(Q, "left", "", 5.0)]
    assert [o.outcome for o in facts if isinstance(o, OfferFacts)] == ["caller_gone"]


def test_leave_while_ringing_then_abandon_is_abandoned() -> None:
    """QueueCallerAbandon after a pending Leave: abandoned with its HoldTime."""
    tracker = _tracker()
    _ringing(tracker)

    facts = tracker.apply(_event("QueueCallerAbandon", HoldTime="4"), 107.0)

    assert _calls(facts) == [(Q, "abandoned", "", 4.0)]


def test_leave_while_ringing_then_dump_or_second_leave_is_left() -> None:
    """AgentDump, or a further Leave, ends a pending visit as left."""
    for name in ("AgentDump", "QueueCallerLeave"):
        tracker = _tracker()
        _ringing(tracker)

        facts = tracker.apply(_event(name, Interface=AGENT), 108.0)

        assert _calls(facts) == [(Q, "left", "", 5.0)]


def test_leave_with_nothing_ringing_is_left_at_once() -> None:
    """No offer ringing: Leave ends the visit immediately (timeout, exit key)."""
    tracker = _tracker()
    tracker.apply(_event("QueueCallerJoin"), 100.0)

    facts = tracker.apply(_event("QueueCallerLeave"), 130.0)

    assert _calls(facts) == [(Q, "left", "", 30.0)]
