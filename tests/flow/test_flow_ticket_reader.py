"""The ticket nodes in menus.yaml: what ``ivr check`` says, the graph, the view."""

from __future__ import annotations

from pathlib import Path

from flow_edits import broken_copy, check_lines, errors_of, where_in

from ivr.flow import Flow
from ivr.flow.graph import edges_of
from ivr.flow.reachability import successors
from ivr.flow.ticket_model import ComplaintNode, MessageNode, TicketStatusNode
from ivr.prompts import PromptCatalog

LEAVE_MESSAGE = (
    "  leave-message:\n    kind: message\n    prompts: message-intro\n"
    "    max_seconds: 120\n    min_seconds: 2\n"
)


def test_shipped_ticket_nodes_take_their_settings(flow: Flow) -> None:
    """Limits from the file, defaults for the rest, the closing from defaults."""
    message = flow.node("leave-message")
    complaint = flow.node("complaint-message")

    assert isinstance(message, MessageNode) and message.kind == "message"
    assert [(p.part, p.max_seconds, p.min_seconds) for p in message.parts] == [
        ("message", 120.0, 2.0)
    ]
    assert message.silence_seconds == 5.0 and message.area == ""
    assert message.closing == ("closing",) and message.next == ""
    assert isinstance(complaint, ComplaintNode) and complaint.kind == "complaint"
    assert [(p.part, p.max_seconds) for p in complaint.parts] == [
        ("name", 15.0),
        ("matter", 180.0),
    ]
    assert flow.node("ticket-status").kind == "ticket_status"
    assert isinstance(flow.node("ticket-status"), TicketStatusNode)


def test_message_without_on_fail_is_an_error(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A ticket node must say where callers go when the desk is down."""
    old = "    on_fail: goodbye-message-failed\n\n  # A transfer that failed"
    path, text = broken_copy(tmp_path, old, "\n  # A transfer that failed")

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, '  leave-message:', 2)}: error: "
        "message 'leave-message' needs 'on_fail:'"
    ]


def test_minimum_not_below_maximum_is_an_error(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """min_seconds at or over max_seconds is refused where it is written."""
    new = LEAVE_MESSAGE.replace("max_seconds: 120", "max_seconds: 10").replace(
        "min_seconds: 2", "min_seconds: 30"
    )
    path, text = broken_copy(tmp_path, LEAVE_MESSAGE, new)

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'min_seconds: 30', 13)}: error: "
        "min_seconds must be less than max_seconds"
    ]


def test_a_recording_limit_out_of_reason_is_an_error(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A typo such as max_seconds 100000 (a line held open for a day) or a
    minimum of minutes is refused where it is written, with the range."""
    new = LEAVE_MESSAGE.replace("max_seconds: 120", "max_seconds: 100000").replace(
        "min_seconds: 2", "min_seconds: 90"
    )
    path, text = broken_copy(tmp_path, LEAVE_MESSAGE, new)

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'max_seconds: 100000', 13)}: error: "
        "max_seconds must be a number, from 5 to 600",
        f"{where_in(text, 'min_seconds: 90', 13)}: error: "
        "min_seconds must be a number, from 0 to 60",
    ]


def test_misspelt_setting_gets_a_suggestion(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A message node's unknown setting is named, with the closest known one."""
    new = LEAVE_MESSAGE.replace("max_seconds", "max_second")
    path, text = broken_copy(tmp_path, LEAVE_MESSAGE, new)

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'max_second:', 0)}: error: message 'leave-message' has "
        "no setting 'max_second' (did you mean 'max_seconds'?)"
    ]


def test_missing_fixed_prompt_is_reported_at_the_node(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A catalog without a fixed ticket line fails the check at the node."""
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    script = catalog.path.read_text(encoding="utf-8")
    (prompts / "prompts.yaml").write_text(
        script.replace('number-repeat: "重听受理编号请按1。"\n', ""), encoding="utf-8"
    )
    path, text = broken_copy(tmp_path, "start: welcome", "start: welcome")

    errors = errors_of(check_lines(path, PromptCatalog.load(prompts)))

    assert (
        f"{where_in(text, '  leave-message:', 2)}: error: prompt 'number-repeat'"
        in (" ".join(errors))
    )


def test_ticket_nodes_lead_on_and_are_drawn(flow: Flow) -> None:
    """Successors and graph edges include next and on_fail."""
    status = flow.node("ticket-status")
    message = flow.node("leave-message")

    assert successors(status) == ["self-service", "self-service"]
    assert [(e.target, e.style) for e in edges_of(status)] == [
        ("self-service", "next"),
        ("self-service", "failure"),
    ]
    assert [(e.target, e.style) for e in edges_of(message)] == [
        ("goodbye-message-failed", "failure")
    ]


def test_flow_view_shows_ticket_nodes(flow: Flow) -> None:
    """GET /flow shows each ticket node with its parts and limits."""
    view = {node["id"]: node for node in flow.to_view()["nodes"]}

    assert view["complaint-message"]["kind"] == "complaint"
    assert [p["part"] for p in view["complaint-message"]["parts"]] == [
        "name",
        "matter",
    ]
    assert view["fax-request"]["on_fail"] == "self-service"
