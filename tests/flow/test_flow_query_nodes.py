"""The ``query`` node in menus.yaml: what ``ivr check`` says about mistakes,
how the picture draws it, and the way on when no query service runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from flow_edits import broken_copy, check_lines, errors_of, where_in
from flow_fakes import RunCall, ScriptedChannel, at

from ivr.flow import Flow, MenuNode, QueryNode
from ivr.flow.graph import edges_of
from ivr.flow.reachability import successors
from ivr.prompts import PromptCatalog

PENSION_INPUTS = "pension-payments\n    inputs: [id_number]\n    verify: phone"
PIN_VERIFY = "    verify: pin\n"


@pytest.mark.parametrize(
    ("old", "new", "snippet", "message"),
    [
        (
            PENSION_INPUTS,
            "pension-payments\n    inputs: [id_numbr]\n    verify: phone",
            "id_numbr",
            "unknown input 'id_numbr' (did you mean 'id_number'?); "
            "use id_number, pin, certificate",
        ),
        (
            PENSION_INPUTS,
            "pension-payments\n    inputs: [id_number]\n    verify: face",
            "face",
            "verify must be one of pin, phone, none, not 'face'",
        ),
        (
            "        as: count\n        unit: geyue\n",
            "        as: count\n",
            "count\n",
            "a count needs 'unit:' (ge, geyue, tian, ci)",
        ),
        (
            "      - field: last_date\n        as: date",
            "      - field: last_date\n        as: dat",
            "dat\n",
            "as: 'dat' (did you mean 'date'?); use money, count, date, month, "
            "digits, text",
        ),
        (
            PIN_VERIFY,
            PIN_VERIFY + "    pin_digits: 3\n",
            "3\n    attempts: 3\n    prompts",
            "pin_digits must be a whole number, from 4 to 12",
        ),
        (
            PIN_VERIFY,
            PIN_VERIFY + "    pin_digits: 13\n",
            "13\n",
            "pin_digits must be a whole number, from 4 to 12",
        ),
        (
            PIN_VERIFY,
            PIN_VERIFY + "    pin_digits: six\n",
            "six\n",
            "pin_digits must be a whole number, from 4 to 12",
        ),
    ],
)
def test_query_mistakes_point_at_their_line(
    tmp_path: Path,
    catalog: PromptCatalog,
    old: str,
    new: str,
    snippet: str,
    message: str,
) -> None:
    """Each mistake in a query node is one error at its own line and column."""
    path, text = broken_copy(tmp_path, old, new)

    errors = errors_of(check_lines(path, catalog))

    assert errors == [f"{where_in(text, snippet)}: error: {message}"]


def test_pin_input_and_pin_verification_go_together(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A PIN check without a PIN input is refused at the node's id."""
    old = "    inputs: [id_number, pin]\n    verify: pin"
    path, text = broken_copy(tmp_path, old, "    inputs: [id_number]\n    verify: pin")

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'query-contributions:')}: error: query "
        "'query-contributions': 'verify: pin' and the input 'pin' go together"
    ]


def test_a_verified_query_needs_the_id_number(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A PIN alone names nobody: a personal query without the ID number is
    refused (art. 25), as the daily per-ID limit could never apply."""
    old = "    inputs: [id_number, pin]\n    verify: pin"
    path, text = broken_copy(tmp_path, old, "    inputs: [pin]\n    verify: pin")

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'query-contributions:')}: error: query "
        "'query-contributions': 'verify: pin' checks a person, so inputs need "
        "'id_number'"
    ]


def test_on_not_found_only_where_nothing_on_record_may_be_told(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A certificate check needs ``on_not_found``; a node that verifies the
    caller is warned that it would never be used (art. 25)."""
    cert = "    next: self-service\n    on_not_found: self-service\n"
    path, text = broken_copy(tmp_path, cert, "    next: self-service\n")
    errors = errors_of(check_lines(path, catalog))
    pin = "    verify: pin\n"
    extra = "    verify: pin\n    on_not_found: self-service\n"
    warned_path, warned_text = broken_copy(tmp_path, pin, extra)
    warned = [
        line for line in check_lines(warned_path, catalog) if "on_not_found" in line
    ]

    assert errors == [
        f"{where_in(text, 'query-certificate:')}: error: query "
        "'query-certificate' needs 'on_not_found:' (with verify: none)"
    ]
    assert warned == [
        f"{where_in(warned_text, extra, offset=len(pin) + 18)}: warning: "
        "on_not_found is not used with verify: pin: nothing on record is told "
        "as a mismatch, so no caller learns whether an ID number is on record "
        "(norm art. 25); remove it"
    ]


def test_a_fixed_prompt_missing_from_the_catalog_is_an_error(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """The prompts a query plays by itself are checked like named ones."""
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    for source in Path(catalog.directory).glob("*.yaml"):
        lines = source.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if not line.startswith("query-wait:")]
        (prompts / source.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
    reduced = PromptCatalog.load(prompts)
    same = "  query-help:\n    kind: menu\n"
    path, _ = broken_copy(tmp_path, same, same)

    errors = errors_of(check_lines(path, reduced))

    assert errors
    assert all("'query-wait'" in line for line in errors)


def test_graph_and_reachability_follow_every_way_out(flow: Flow) -> None:
    """Answered, not found, locked, unavailable and silence all lead on."""
    node = flow.node("query-certificate")
    assert isinstance(node, QueryNode)

    edges = {(edge.label, edge.target) for edge in edges_of(node)}

    assert edges == {
        ("answered", "self-service"),
        ("not found", "self-service"),
        ("locked out, # for help", "query-help"),
        ("unavailable", "query-help"),
        ("no input", "query-help"),
    }
    assert set(successors(node)) == {target for _, target in edges}


def test_every_shipped_query_offers_an_agent_or_a_message(flow: Flow) -> None:
    """Locked out, "#" for help, backend down or silence: each shipped query
    node leads to a menu with an agent (0) and a voice message (2), never
    to a goodbye."""
    queries = [node for node in flow.nodes.values() if isinstance(node, QueryNode)]
    ways = {
        target
        for node in queries
        for target in (node.on_locked, node.on_unavailable, node.on_no_input)
    }

    assert len(queries) == 4
    for target in ways:
        menu = flow.node(target)
        assert isinstance(menu, MenuNode), target
        assert (menu.options["0"], menu.options["2"]) == (
            "agent-general",
            "leave-message",
        )


async def test_without_query_service_the_caller_hears_why_and_goes_on(
    run_call: RunCall,
) -> None:
    """No query service configured: the apology, then the agent offer."""
    channel = ScriptedChannel(["7", "2"])

    _, trace = await run_call(channel, at(2026, 3, 2, 10, 0))

    assert channel.played[-2:] == ["query-unavailable", "query-help"]
    query = [step for step in trace.steps if step.kind == "query"]
    assert [step.result for step in query] == ["unavailable: no query service"]


def test_pin_digits_without_a_pin_is_warned(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A PIN length on a node that asks for no PIN would never be used."""
    line = "\n    pin_digits: 6"
    path, text = broken_copy(tmp_path, PENSION_INPUTS, PENSION_INPUTS + line)

    warned = [line for line in check_lines(path, catalog) if "pin_digits" in line]

    assert warned == [
        f"{where_in(text, line, offset=17)}: warning: pin_digits is not used "
        "without the input pin"
    ]
