"""Campaign items: a menu key offered only between two dates, at their edges."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from flow_edits import broken_copy, check_lines, errors_of, where_in
from flow_fakes import HANG_UP, SILENCE, RunCall, ScriptedChannel

from ivr.channel import QueueResult
from ivr.flow import CampaignOption, Flow, MenuNode
from ivr.prompts import PromptCatalog
from ivr.trace import OutcomeKind

ITEM = """      - key: "9"              # 12333全国统一咨询日: graduates' expert line
        to: campaign-graduates
        from: 2026-03-30
        until: 2026-03-30
        prompts: campaign-graduates-menu
"""


def _item(flow: Flow) -> CampaignOption:
    menu = flow.node("main-menu")
    assert isinstance(menu, MenuNode)
    return menu.campaigns[0]


def _edges(flow: Flow) -> list[tuple[datetime, bool]]:
    item = _item(flow)
    before = item.first_day - timedelta(days=1)
    after = item.last_day + timedelta(days=1)
    return [
        (datetime.combine(before, time(23, 59)), False),
        (datetime.combine(item.first_day, time(0, 0)), True),
        (datetime.combine(item.last_day, time(23, 59)), True),
        (datetime.combine(after, time(0, 0)), False),
    ]


@pytest.mark.parametrize("edge", range(4), ids=["eve", "first", "last", "after"])
async def test_item_is_offered_from_its_first_to_its_last_day(
    flow: Flow, run_call: RunCall, edge: int
) -> None:
    """The day before and after: no line, key 9 is wrong; on the days: both."""
    when, offered = _edges(flow)[edge]
    channel = ScriptedChannel(["9", HANG_UP])

    _, trace = await run_call(channel, when)

    main_menu = ["main-menu", "campaign-graduates-menu"] if offered else ["main-menu"]
    assert channel.collects[0] == main_menu
    assert ("campaign-graduates" in trace.path) is offered
    if not offered:
        assert channel.collects[1][0] == "invalid-1"


async def test_item_leads_to_its_own_queue_in_service_hours(
    flow: Flow, run_call: RunCall
) -> None:
    """On the day, in service hours, key 9 reaches the experts' queue."""
    answered = QueueResult("q-graduates", "", answered=True)
    channel = ScriptedChannel(["9"], queue_results=[answered])
    when = datetime.combine(_item(flow).first_day, time(10, 0))

    outcome, trace = await run_call(channel, when)

    assert trace.path[3:] == [
        "campaign-graduates",
        "agent-graduates",
        "queue-graduates",
        "survey",
    ]
    assert channel.played[-3:-1] == ["campaign-graduates", "transfer-agent"]
    assert outcome.kind is OutcomeKind.QUEUE
    assert outcome.queue == "q-graduates"


async def test_no_expert_logged_in_overflows_to_employment_agents(
    flow: Flow, run_call: RunCall
) -> None:
    """JOINEMPTY at the experts' queue hands the caller to employment agents."""
    results = [
        QueueResult("q-graduates", "JOINEMPTY"),
        QueueResult("q-employment", "", answered=True),
    ]
    channel = ScriptedChannel(["9"], queue_results=results)
    when = datetime.combine(_item(flow).first_day, time(10, 0))

    outcome, _ = await run_call(channel, when)

    assert [queue for queue, _ in channel.queues] == ["q-graduates", "q-employment"]
    assert outcome.queue == "q-employment"


async def test_reprompt_after_silence_keeps_the_campaign_line(
    flow: Flow, run_call: RunCall
) -> None:
    """A re-prompt plays the day's whole menu, campaign line included."""
    channel = ScriptedChannel([SILENCE, HANG_UP])
    when = datetime.combine(_item(flow).first_day, time(10, 0))

    await run_call(channel, when)

    assert channel.collects[1] == [
        "no-input-1",
        "main-menu",
        "campaign-graduates-menu",
    ]


def test_options_on_a_day_merge_permanent_and_running_items(flow: Flow) -> None:
    """options_on adds the item's key on its days only."""
    menu = flow.node("main-menu")
    assert isinstance(menu, MenuNode)
    day = _item(flow).first_day

    assert menu.options_on(day)["9"] == "campaign-graduates"
    assert "9" not in menu.options_on(day + timedelta(days=1))
    assert menu.options_on(day)["1"] == "social-insurance"


def test_shipped_item_runs_on_one_day(flow: Flow) -> None:
    """The shipped consultation-day item is one day long, key 9."""
    item = _item(flow)

    assert (item.key, item.first_day) == ("9", item.last_day)
    assert item.first_day == date(2026, 3, 30)


@pytest.mark.parametrize(
    ("old", "new", "snippet", "message"),
    [
        (
            "from: 2026-03-30",
            "from: 2026-02-30",
            "2026-02-30",
            "from '2026-02-30' is not a real date; write YYYY-MM-DD",
        ),
        (
            "until: 2026-03-30",
            "until: 2026-03-29",
            "2026-03-29",
            "until 2026-03-29 is before from 2026-03-30; the item would never "
            "be offered (both dates are included)",
        ),
        (
            'key: "9"',
            'key: "0"',
            '"0"              #',
            "key '0' is already a permanent option of this menu (to "
            "'agent-general'); give the campaign item a key of its own",
        ),
        (
            'key: "9"',
            'key: "99"',
            '"99"',
            "'99' is not a key callers can press; use 0-9, * or #",
        ),
    ],
    ids=["bad-date", "until-before-from", "permanent-key", "bad-key"],
)
def test_bad_items_are_errors_at_their_place(
    tmp_path: Path,
    catalog: PromptCatalog,
    old: str,
    new: str,
    snippet: str,
    message: str,
) -> None:
    """Each mistake in an item is one error pointing at the value to fix."""
    path, text = broken_copy(tmp_path, old, new)

    errors = errors_of(check_lines(path, catalog))

    assert errors == [f"{where_in(text, snippet)}: error: {message}"]


def test_two_items_on_one_key_and_day_are_an_error(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """Two items on key 9 whose days overlap: the second is reported."""
    second = ITEM.replace("2026-03-30\n        until", "2026-03-01\n        until")
    second = second.replace("until: 2026-03-30", "until: 2026-04-02")
    path, text = broken_copy(tmp_path, ITEM, ITEM + second)

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'key:', nth=1)}: error: campaign key '9' "
        "(2026-03-01 to 2026-04-02) runs on the same days as the item at line "
        f"{where_in(text, 'key:').split(':')[1]} (2026-03-30); on any day a key "
        "can lead to one place only"
    ]


def test_items_on_one_key_on_other_days_are_fine(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """The same key may serve another campaign on other days."""
    second = ITEM.replace("2026-03-30", "2026-09-01")

    path, _ = broken_copy(tmp_path, ITEM, ITEM + second)

    assert errors_of(check_lines(path, catalog)) == []


def test_item_missing_its_prompt_is_an_error(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """Without its own prompt line an item could not be announced."""
    old = "        prompts: campaign-graduates-menu\n"
    path, text = broken_copy(tmp_path, old, "")

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'key:')}: error: a campaign item needs 'prompts:' "
        "(it has key, to, from, until)"
    ]
