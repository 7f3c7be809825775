"""``check_main``: compiler-style lines, a summary and the exit status."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from flow_fakes import MENUS, PROMPTS

from ivr.flow import check_main


def test_shipped_flow_passes_with_its_warning() -> None:
    """The shipped files exit 0; the calendar warning is still printed."""
    out = io.StringIO()

    status = check_main(str(MENUS), str(PROMPTS), today=date(2026, 3, 1), out=out)

    lines = out.getvalue().splitlines()
    assert status == 0
    assert ": warning: " in lines[0]
    assert lines[-1] == f"{MENUS}: 0 errors, 1 warning; the flow can be loaded"


def test_errors_exit_one_and_are_all_printed(tmp_path: Path) -> None:
    """Two mistakes give two error lines and exit status 1."""
    text = MENUS.read_text(encoding="utf-8")
    text = text.replace("open: queue-general", "open: nowhere")
    text = text.replace('"09:00-12:00"', '"09:00-24:00"')
    path = tmp_path / "menus.yaml"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()

    status = check_main(str(path), str(PROMPTS), today=date(2026, 3, 1), out=out)

    lines = out.getvalue().splitlines()
    assert status == 1
    assert sum(": error: " in line for line in lines) == 2
    assert all(line.startswith(f"{path}:") for line in lines)
    assert lines[-1].endswith("2 errors, 1 warning; the flow cannot be loaded")


def test_unusable_catalog_exits_one(tmp_path: Path) -> None:
    """A prompts directory without prompts.yaml fails the check."""
    out = io.StringIO()

    status = check_main(str(MENUS), str(tmp_path), out=out)

    assert status == 1
    assert "cannot read" in out.getvalue()
