"""Action framing within manager.c's limits (F33) and reply routing (F22-F25)."""

from __future__ import annotations

import pytest
from ami_field_cases import wire_bytes

from cti.ami import Action, ActionFailedError, ActionFramingError, AMIParser, Message
from cti.ami.actions import (
    MAX_HEADERS,
    MAX_LINE_BYTES,
    frame_action,
    split_variables,
    variable_lines,
)
from cti.ami.pending import ActionTable


def test_action_id_first_and_blank_line_last() -> None:
    """ActionID leads so even a refused action's error can be matched (F33)."""
    action = Action.build("QueuePause", Queue="q1", Paused=True, Reason=None)

    data = frame_action(action, "abc-1")

    assert data == (
        b"ActionID: abc-1\r\nAction: QueuePause\r\nQueue: q1\r\nPaused: true\r\n\r\n"
    )


def test_line_limit_matches_manager_inbuf() -> None:
    """A line of 1022 bytes passes, 1023 is refused before sending."""
    fits = "x" * (MAX_LINE_BYTES - len("Data: "))

    frame_action(Action.build("UserEvent", Data=fits), "1")
    with pytest.raises(ActionFramingError, match="1023 bytes"):
        frame_action(Action.build("UserEvent", Data=fits + "x"), "1")


def test_header_count_limit() -> None:
    """More than 128 headers (ActionID and Action included) are refused."""
    pairs = [("Variable", f"v{i}=1") for i in range(MAX_HEADERS - 1)]

    with pytest.raises(ActionFramingError, match="129 headers"):
        frame_action(Action.build("Originate", *pairs), "1")


@pytest.mark.parametrize("value", ["a\r\nAction: Hangup", "a\nb", "a\rb"])
def test_cr_lf_in_values_refused(value: str) -> None:
    """CR or LF in a value would inject a header or end the action early."""
    with pytest.raises(ActionFramingError, match="CR or LF"):
        frame_action(Action.build("Setvar", Value=value), "1")


def test_variables_packed_and_split() -> None:
    """Variables pack 64 to a line; special characters travel alone (F33)."""
    variables = {f"V{i}": str(i) for i in range(200)} | {"CID": "a,b"}

    lines = variable_lines(variables)
    actions = split_variables(
        Action("Originate", (("Channel", "Local/1@x"),)), variables
    )

    assert [line.count(",") + 1 for line in lines[:-1]] == [64, 64, 64, 8]
    assert lines[-1] == "CID=a,b"
    assert len(actions) == 1 and len(actions[0].headers) == 1 + len(lines)


def test_oversized_variable_set_splits_into_several_actions() -> None:
    """A set that cannot fit in 128 headers is spread over several actions."""
    variables = {f"V{i}": "(x)" for i in range(300)}

    actions = split_variables(Action("UserEvent", (("UserEvent", "vars"),)), variables)

    assert len(actions) == 3
    assert sum(len(a.headers) - 1 for a in actions) == 300
    assert all(frame_action(a, "1") for a in actions)


def parsed(data: bytes) -> list[Message]:
    """Messages of ``data``."""
    return [m for m in AMIParser().feed(data) if isinstance(m, Message)]


async def test_f25_list_collects_only_its_own_events() -> None:
    """Interleaved untagged events are not swallowed into the list (F25)."""
    table = ActionTable()
    pending = table.open("QueueStatus")
    wire = wire_bytes("F25").replace(b"1646742257604", pending.action_id.encode())

    consumed = [table.route(m) for m in parsed(wire)]
    reply = pending.future.result()

    assert consumed == [True, False, True, True]
    assert [e.name for e in reply.items] == ["QueueParams"]
    assert len(table) == 0


async def test_f25_action_ids_never_collide() -> None:
    """IDs are unique within a client and differ between clients."""
    first, second = ActionTable(), ActionTable()

    ids = {first.open("Ping").action_id for _ in range(1000)}
    other = second.open("Ping").action_id

    assert len(ids) == 1000 and other not in ids


async def test_f22_originate_response_goes_to_subscribers_and_waiter() -> None:
    """OriginateResponse is an event: it reaches the waiter and is not consumed."""
    table = ActionTable()
    pending = table.open("Originate")
    waiter = table.expect_event(pending.action_id, "OriginateResponse")
    wire = wire_bytes("F22").replace(b"orig-1", pending.action_id.encode())

    consumed = [table.route(m) for m in parsed(wire)]

    assert consumed == [True, False]
    assert pending.future.result().message == "Originate successfully queued"
    assert waiter.result().get("Reason") == "5"


async def test_f33_error_without_action_id_fails_the_only_action() -> None:
    """With one action in flight, an Error without ActionID is its answer."""
    table = ActionTable()
    pending = table.open("Originate")
    first, _ = parsed(wire_bytes("F33"))

    table.route(first)

    with pytest.raises(ActionFailedError, match="line too long"):
        pending.future.result()


async def test_f33_error_without_action_id_with_two_in_flight_is_dropped() -> None:
    """With two actions in flight, nobody is failed by a guess."""
    table = ActionTable()
    one, two = table.open("Ping"), table.open("Ping")
    first, _ = parsed(wire_bytes("F33"))

    table.route(first)

    assert not one.future.done() and not two.future.done()


async def test_f23_events_before_a_sync_reply_are_not_consumed() -> None:
    """Events that precede a reply flow on; the late Error fails its action."""
    table = ActionTable()
    pending = table.open("Originate")
    wire = wire_bytes("F23").replace(b"orig-2", pending.action_id.encode())

    consumed = [table.route(m) for m in parsed(wire)]

    assert consumed == [False, False, True]
    with pytest.raises(ActionFailedError, match="Originate failed"):
        pending.future.result()
