"""``check_main``: compiler-style lines, a summary and the exit status."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from flow_fakes import MENUS, PROMPTS

from ivr.flow import check_main
from ivr.prompts import PromptCatalog


def test_shipped_flow_passes_with_its_warning() -> None:
    """The shipped files exit 0; the calendar warning is still printed."""
    out = io.StringIO()

    status = check_main(str(MENUS), str(PROMPTS), today=date(2026, 3, 1), out=out)

    lines = out.getvalue().splitlines()
    assert status == 0
    assert ": warning: " in lines[0]
    assert lines[-1].startswith(f"{MENUS}: 0 errors, 1 warning")
    assert lines[-1].endswith("; the flow can be loaded")


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
    flow_lines = [line for line in lines if ": note: " not in line]
    assert all(line.startswith(f"{path}:") for line in flow_lines)
    assert "2 errors, 1 warning" in lines[-1]
    assert lines[-1].endswith("; the flow cannot be loaded")


def test_unusable_catalog_is_one_error_and_the_flow_is_still_checked(
    tmp_path: Path,
) -> None:
    """Without prompts.yaml: one catalog error, then the flow's own errors."""
    path = _copy(tmp_path, "open: queue-general", "open: nowhere")
    out = io.StringIO()

    status = check_main(str(path), str(tmp_path / "nothing-here"), out=out)

    lines = out.getvalue().splitlines()
    assert status == 1
    assert lines[0] == (
        f"{tmp_path / 'nothing-here' / 'prompts.yaml'}: error: cannot read: "
        "no such file; the prompt ids in the flow were not checked"
    )
    assert sum("prompt" in line for line in lines) == 1
    assert any("there is no node 'nowhere'" in line for line in lines[1:])
    assert lines[-1].endswith("2 errors, 1 warning; the flow cannot be loaded")


def test_default_prompts_folder_is_beside_the_flow_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from another folder, ``prompts_dir=None`` finds ../prompts of the flow."""
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()

    status = check_main(str(MENUS), None, today=date(2026, 3, 1), out=out)

    assert status == 0, out.getvalue()
    assert "cannot read" not in out.getvalue()


def test_default_prompts_folder_reports_a_missing_prompt(tmp_path: Path) -> None:
    """The catalog beside a copied flow is the one checked against."""
    shutil.copytree(PROMPTS, tmp_path / "prompts")
    path = _copy(tmp_path, "prompts: main-menu", "prompts: main-manu")
    out = io.StringIO()

    status = check_main(str(path), today=date(2026, 3, 1), out=out)

    assert status == 1
    assert "prompt 'main-manu' is not in prompts.yaml" in out.getvalue()


def test_missing_flow_file_is_reported_as_missing(tmp_path: Path) -> None:
    """A flow path that does not exist is said to be missing, and only that."""
    path = tmp_path / "menu.yaml"
    out = io.StringIO()

    status = check_main(str(path), None, out=out)

    lines = out.getvalue().splitlines()
    assert status == 1
    assert lines[0].startswith(f"{path}: error: there is no such file")
    assert lines[1:] == [f"{path}: 1 error; nothing was checked"]


def _copy(folder: Path, old: str, new: str) -> Path:
    text = MENUS.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = folder / "menus.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_prompts_a_language_lacks_are_one_short_note(tmp_path: Path) -> None:
    """A language file with one script: one line with the count, the first
    three ids and the command that lists them all."""
    shutil.copy(PROMPTS / "prompts.yaml", tmp_path / "prompts.yaml")
    (tmp_path / "prompts.ug.yaml").write_text(
        'closing: "Téléfon qilghiningizgha rehmet."\n', encoding="utf-8"
    )
    out = io.StringIO()

    status = check_main(str(MENUS), str(tmp_path), today=date(2026, 3, 1), out=out)

    notes = [line for line in out.getvalue().splitlines() if ": note: " in line]
    assert status == 0
    assert len(notes) == 1
    assert notes[0].startswith(f"{tmp_path / 'prompts.ug.yaml'}:1:1: note: ")
    catalog = PromptCatalog.load(tmp_path)
    missing = catalog.missing("ug")
    assert "closing" not in missing and len(missing) > 3
    assert notes[0].endswith(
        f"note: {len(missing)} prompts have no 'ug' script, so callers on the "
        f"'ug' route hear them in Mandarin: {', '.join(missing[:3])}, ... "
        f"(all of them: ivr prompts missing --lang ug --prompts {tmp_path})"
    )
    assert missing[3] not in notes[0]
    assert (
        out.getvalue()
        .splitlines()[-1]
        .startswith(f"{MENUS}: 0 errors, 1 warning, 1 note")
    )
