"""The checker on broken copies of the shipped menus.yaml, one problem each.

Each test changes one snippet of the real file and asserts the exact
``menus.yaml:line:col`` the problem is reported at, computed from where the
changed text sits in the copy.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from flow_edits import TODAY, broken_copy, check_lines, errors_of, relative, where_in
from flow_fakes import MENUS

from ivr.flow import Severity, load_flow
from ivr.flow.nodes_reader import KINDS
from ivr.prompts import PromptCatalog


def test_shipped_flow_checks_clean(catalog: PromptCatalog) -> None:
    """The shipped menus.yaml has no errors; only the 2027 calendar warning."""
    flow, problems = load_flow(MENUS, catalog, today=TODAY)

    assert flow is not None
    assert [p.severity for p in problems] == [Severity.WARNING]
    assert "2027" in problems[0].message


def test_version_is_short_sha256_of_the_bytes(catalog: PromptCatalog) -> None:
    """The flow version identifies the exact file bytes."""
    flow, _ = load_flow(MENUS, catalog, today=TODAY)

    assert flow is not None
    assert flow.version == hashlib.sha256(MENUS.read_bytes()).hexdigest()[:12]


def test_unknown_node_id(tmp_path: Path, catalog: PromptCatalog) -> None:
    """A target naming no node is an error with a suggestion."""
    path, text = broken_copy(tmp_path, "open: queue-general", "open: queue-generl")

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'queue-generl')}: error: there is no node 'queue-generl' "
        "(did you mean 'queue-general'?); fix the name or add the node under 'nodes:'"
    ]


def test_unreachable_node_is_an_error(tmp_path: Path, catalog: PromptCatalog) -> None:
    """A node nothing leads to is an error where it is defined."""
    extra = "\n  orphan:\n    kind: goodbye\n"
    path, text = broken_copy(
        tmp_path, "\n  goodbye-invalid:\n", extra + "\n  goodbye-invalid:\n"
    )

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'orphan:')}: error: no caller can reach goodbye 'orphan' "
        "from start 'welcome'; link it from a menu or delete it"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    kind: announcement\n    prompts: recording-notice\n",
            "    kind: anouncement\n    prompts: recording-notice\n",
            "unknown kind 'anouncement'",
        ),
        (
            "    prompts: recording-notice\n    next: main-menu\n",
            "    prompts: recording-notice\n    next: main-manu\n",
            "there is no node 'main-manu' (did you mean 'main-menu'?)",
        ),
        ("start: welcome", "start: welcom", "there is no node 'welcom'"),
    ],
)
def test_one_typo_on_the_way_is_one_error(
    tmp_path: Path, catalog: PromptCatalog, old: str, new: str, message: str
) -> None:
    """A typo before the main menu does not make every later node 'unreachable'."""
    path, _ = broken_copy(tmp_path, old, new)

    errors = errors_of(check_lines(path, catalog))

    assert len(errors) == 1, errors
    assert message in errors[0]


def test_menu_with_no_way_out(tmp_path: Path, catalog: PromptCatalog) -> None:
    """A menu whose keys all stay in it is an error at the menu's id."""
    old = (
        '      "1": main-menu\n      "2": leave-message\n      "*": main-menu\n'
        '      "0": goodbye-after-hours\n'
    )
    new = '      "1": after-hours\n      "#": repeat\n'
    path, text = broken_copy(tmp_path, old, new)

    errors = errors_of(check_lines(path, catalog))

    assert any(
        line.startswith(
            f"{where_in(text, '  after-hours:', 2)}: error: menu 'after-hours' "
            "has no way out"
        )
        for line in errors
    ), errors


def test_key_used_twice_in_a_menu(tmp_path: Path, catalog: PromptCatalog) -> None:
    """A repeated key is reported at the second one, naming the first."""
    path, text = broken_copy(tmp_path, '"6": complaints', '"5": complaints')
    second = where_in(text, '"5": complaints')

    errors = errors_of(check_lines(path, catalog))

    _, line, column = where_in(text, '"5": social-security-card').split(":")
    assert errors == [
        f"{second}: error: '5' is used twice here (first at line {line}, "
        f"column {column}); only one can count, so remove or change one"
    ]


def test_invalid_key(tmp_path: Path, catalog: PromptCatalog) -> None:
    """Keys other than 0-9, * and # are errors."""
    path, text = broken_copy(tmp_path, '"6": complaints', '"A": complaints')
    where = where_in(text, '"A"')

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where}: error: 'A' is not a key callers can press; use 0-9, * or #"
    ]


def test_missing_prompt(tmp_path: Path, catalog: PromptCatalog) -> None:
    """A prompt id the catalog lacks is an error with a suggestion."""
    path, text = broken_copy(tmp_path, "prompts: main-menu", "prompts: main-manu")

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, 'main-manu')}: error: prompt 'main-manu' is not in "
        "prompts.yaml (did you mean 'main-menu'?); add its script there or fix the id"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"09:00-12:00"', '"09:00-25:00"', "service hours end '25:00' is not a time"),
        ('"13:30-17:00"', '"17:00-13:30"', "service hours '17:00-13:30' end before"),
        ('morning_until: "11:00"', 'morning_until: "11:75"', "morning_until '11:75'"),
    ],
)
def test_bad_times(
    tmp_path: Path, catalog: PromptCatalog, old: str, new: str, message: str
) -> None:
    """Impossible times and spans that end before they start are errors."""
    path, text = broken_copy(tmp_path, old, new)

    errors = errors_of(check_lines(path, catalog))

    value = new.split(": ")[-1]
    assert len(errors) == 1
    assert errors[0].startswith(f"{where_in(text, value)}: error: {message}")


def test_bad_date(tmp_path: Path, catalog: PromptCatalog) -> None:
    """A date that does not exist (2026-02-30) is an error at the date."""
    new = "extra_holidays:\n      - date: 2026-02-30\n        name: other\n"
    path, text = broken_copy(tmp_path, "extra_holidays: []\n", new)

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, '2026-02-30')}: error: date '2026-02-30' is not a real date; "
        "write YYYY-MM-DD"
    ]


BROKEN_KIND = "kind: hour\n"


def test_unknown_kind(tmp_path: Path, catalog: PromptCatalog) -> None:
    """An unknown node kind is reported with a suggestion."""
    old = "  agent-general:\n    kind: hours\n"
    path, text = broken_copy(tmp_path, old, f"  agent-general:\n    {BROKEN_KIND}")

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, BROKEN_KIND, 6)}: error: unknown kind 'hour' "
        f"(did you mean 'hours'?); use one of {', '.join(KINDS)}"
    ]
    assert list(KINDS)[:7] == [
        *("greeting", "announcement", "menu", "hours"),
        *("queue", "goodbye", "survey"),
    ]


def test_unknown_field(tmp_path: Path, catalog: PromptCatalog) -> None:
    """A misspelt setting is reported, and so is the missing one it replaced."""
    old = "    prompts: recording-notice\n    next: main-menu\n"
    new = "    prompts: recording-notice\n    nxt: main-menu\n"
    path, text = broken_copy(tmp_path, old, new)

    errors = errors_of(check_lines(path, catalog))

    assert errors == [
        f"{where_in(text, '  recording-notice:', 2)}: error: announcement "
        "'recording-notice' needs 'next:'",
        f"{where_in(text, 'nxt:')}: error: announcement 'recording-notice' has no "
        "setting 'nxt' (did you mean 'next'?)",
    ]


def test_calendar_year_without_data_is_a_warning(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """Years the official calendar lacks are warnings at 'calendar:' in settings."""
    _, problems = load_flow(MENUS, catalog, today=date(2027, 6, 1))

    text = MENUS.read_text(encoding="utf-8")
    lines = [relative(problem, MENUS) for problem in problems]
    assert [line.split(": warning: ")[0] for line in lines] == [
        where_in(text, "  calendar:\n", 2)
    ] * 2
    assert "2027" in lines[0] and "2028" in lines[1]
    assert "the chinesecalendar package (module chinese_calendar)" in lines[0]


def test_calendar_warning_without_a_calendar_block_is_at_settings(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """With no 'calendar:' block the missing year points at 'settings:'."""
    old = "  calendar:\n    extra_holidays: []\n    extra_working_days: []\n"
    path, text = broken_copy(tmp_path, old, "")

    _, problems = load_flow(path, catalog, today=TODAY)

    assert [relative(p, path).split(": warning: ")[0] for p in problems] == [
        where_in(text, "settings:\n")
    ]


def test_unknown_extra_holiday_name_is_reported(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """An extra holiday no greeting knows is a warning with a suggestion."""
    new = "extra_holidays:\n      - date: 2026-12-31\n        name: national-day\n"
    path, text = broken_copy(tmp_path, "extra_holidays: []\n", new)

    lines = check_lines(path, catalog)

    [line] = [line for line in lines if "national-day" in line]
    assert line.startswith(
        f"{where_in(text, 'national-day')}: warning: no holiday greeting is called "
        "'national-day' (did you mean 'national_day'?); callers will hear the "
        "general one ('other'). Known names: "
    )
    assert "spring_festival" in line and "other" in line
    assert errors_of(lines) == []


def test_extra_holiday_named_in_the_greeting_is_known(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A local holiday with its own greeting line is not reported."""
    new = "extra_holidays:\n      - date: 2026-12-31\n        name: city-day\n"
    path, text = broken_copy(tmp_path, "extra_holidays: []\n", new)
    text = text.replace(
        "      other: holiday-general",
        "      other: holiday-general\n      city-day: holiday-general",
    )
    path.write_text(text, encoding="utf-8")

    lines = check_lines(path, catalog)

    assert not [line for line in lines if "city-day" in line]


def test_yaml_syntax_error(tmp_path: Path, catalog: PromptCatalog) -> None:
    """Broken YAML is one error where the parser stopped."""
    path, _ = broken_copy(tmp_path, "start: welcome", "start: [welcome")

    lines = check_lines(path, catalog)

    assert len(lines) == 1
    assert ": error: not valid YAML" in lines[0]


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            "    next: main-menu\n",
            "\tnext: main-menu\n",
            "\tnext",
            "not valid YAML: a tab is used for indentation; use spaces",
        ),
        (
            "  timezone: Asia/Shanghai\n",
            "  timezone: Asia/Shanghai\n   language: zh\n",
            ": zh",
            "not valid YAML: check the indentation and that text with ':' is in quotes",
        ),
        (
            "start: welcome\n",
            "start: welcome\n\x00\x00\x00\n",
            "\x00",
            "this is not a text file",
        ),
    ],
)
def test_yaml_mistakes_get_plain_advice(
    tmp_path: Path, catalog: PromptCatalog, old: str, new: str, at: str, message: str
) -> None:
    """Tabs, a stray ':' and binary bytes are told in words ops can act on."""
    path, text = broken_copy(tmp_path, old, new)

    lines = check_lines(path, catalog)

    assert lines == [f"{where_in(text, at)}: error: {message}"]


def test_file_in_another_encoding_is_one_line(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A GBK-saved file gets one line asking for UTF-8, at the first bad byte."""
    path = tmp_path / "menus.yaml"
    path.write_bytes("start: welcome\n# 菜单\n".encode("gbk"))

    assert check_lines(path, catalog) == [
        "menus.yaml:2:3: error: the file is not saved as UTF-8 text; save it as UTF-8"
    ]


def test_every_problem_is_reported_in_file_order(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """Several mistakes at once are all reported, sorted by position."""
    path, text = broken_copy(tmp_path, '"13:30-17:00"', '"13:30-26:00"')
    text = text.replace("open: queue-general", "open: nowhere")
    text = text.replace("prompts: main-menu", "prompts: no-such-prompt")
    path.write_text(text, encoding="utf-8")

    errors = errors_of(check_lines(path, catalog))

    assert [line.split(": error:")[0] for line in errors] == [
        where_in(text, "26:00", -7),
        where_in(text, "no-such-prompt"),
        where_in(text, "nowhere"),
    ]


def test_empty_file_is_one_error(tmp_path: Path, catalog: PromptCatalog) -> None:
    """An empty file says what it needs, once."""
    path = tmp_path / "menus.yaml"
    path.write_text("# nothing yet\n", encoding="utf-8")

    lines = check_lines(path, catalog)

    assert lines == ["menus.yaml:1:1: error: the file needs settings, start and nodes"]


def test_flow_view_is_json_ready(catalog: PromptCatalog) -> None:
    """The HTTP view lists settings and every node with its position."""
    flow, _ = load_flow(MENUS, catalog, today=TODAY)
    assert flow is not None

    view = json.loads(json.dumps(flow.to_view()))

    assert view["version"] == flow.version
    assert view["settings"]["service_hours"] == ["09:00-12:00", "13:30-17:00"]
    menu = next(node for node in view["nodes"] if node["id"] == "main-menu")
    assert menu["kind"] == "menu"
    assert menu["options"]["0"] == "agent-general"
    assert menu["line"] == flow.node("main-menu").pos.line


def test_a_ticket_area_that_is_no_queue_is_a_warning(
    tmp_path: Path, catalog: PromptCatalog
) -> None:
    """A complaint area written as 'complaints' (not the queue q-complaints)
    is warned about at its 'area' key, with the queue it probably means."""
    path, text = broken_copy(
        tmp_path, "    area: q-complaints\n", "    area: complaints\n"
    )

    lines = check_lines(path, catalog)

    warned = [line for line in lines if "is no queue of this flow" in line]
    assert [line.split(": warning: ")[0] for line in warned] == [
        where_in(text, "area: complaints")
    ]
    assert "did you mean 'q-complaints'?" in warned[0]
    assert errors_of(lines) == []
