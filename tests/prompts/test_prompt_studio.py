"""Studio imports win in every format, bad takes are refused, renders repeat.

These run sox and espeak-ng on one-word scripts only.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
from pathlib import Path

import pytest

from ivr.prompts import PromptCatalog, StudioImportError
from ivr.prompts.cli import add_prompts_actions
from ivr.prompts.freshness import stale_audio
from ivr.prompts.render import render_scripts
from ivr.prompts.studio import import_recording


def _catalog(tmp_path: Path, text: str = "bye: 再见。\n") -> PromptCatalog:
    (tmp_path / "prompts.yaml").write_text(text, encoding="utf-8")
    return PromptCatalog.load(tmp_path)


def _sox_synth(path: Path, *effects: str) -> Path:
    """Write one second of audio at 16 kHz made by sox ``synth`` ``effects``."""
    command = ["sox", "-n", "-r", "16000", "-c", "1", str(path), "synth", "1"]
    subprocess.run([*command, *effects], check=True, capture_output=True)
    return path


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ivr prompts")
    add_prompts_actions(parser)
    return parser.parse_args(list(argv))


def test_rendering_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    """No dither noise: a forced re-render of an unchanged script is identical."""
    catalog = _catalog(tmp_path)
    render_scripts(catalog, formats=["wav", "alaw"])
    first = [(tmp_path / "zh" / f"bye.{x}").read_bytes() for x in ("wav", "alaw")]

    render_scripts(catalog, formats=["wav", "alaw"], force=True)

    again = [(tmp_path / "zh" / f"bye.{x}").read_bytes() for x in ("wav", "alaw")]
    assert again == first


def test_import_replaces_every_rendered_format(tmp_path: Path) -> None:
    """A rendered .alaw is rewritten from the studio take, not left behind."""
    catalog = _catalog(tmp_path)
    render_scripts(catalog, formats=["wav", "alaw"])
    rendered_alaw = (tmp_path / "zh" / "bye.alaw").read_bytes()
    take = _sox_synth(tmp_path / "take.flac", "sine", "440", "vol", "0.1")

    written = import_recording(take, catalog, prompt_id="bye")

    assert sorted(p.name for p in written) == ["bye.alaw", "bye.wav"]
    assert (tmp_path / "zh" / "bye.alaw").read_bytes() != rendered_alaw
    assert not (tmp_path / "zh" / ".bye.sha").exists()


def test_render_makes_a_missing_format_from_the_studio_take(tmp_path: Path) -> None:
    """render --format alaw on a studio prompt converts the recording."""
    catalog = _catalog(tmp_path)
    take = _sox_synth(tmp_path / "take.wav", "sine", "440", "vol", "0.1")
    import_recording(take, catalog, prompt_id="bye")

    results = render_scripts(catalog, formats=["wav", "alaw"])

    assert [(r.status, [f.name for f in r.files]) for r in results] == [
        ("studio", ["bye.alaw"])
    ]
    alaw = (tmp_path / "zh" / "bye.alaw").stat().st_size
    assert abs(alaw - 8000) < 10


@pytest.mark.parametrize(
    ("effects", "reason"),
    [
        (("sine", "440", "vol", "0"), "silent"),
        (("square", "440", "gain", "10"), "clipped"),
    ],
)
def test_silent_or_clipped_take_is_refused(
    tmp_path: Path, effects: tuple[str, ...], reason: str
) -> None:
    """A silent or clipped file is refused; --force accepts it."""
    catalog = _catalog(tmp_path)
    take = _sox_synth(tmp_path / "take.wav", *effects)

    with pytest.raises(StudioImportError, match=reason):
        import_recording(take, catalog, prompt_id="bye")
    assert not (tmp_path / "zh" / "bye.wav").exists()
    assert import_recording(take, catalog, prompt_id="bye", force=True)


def test_import_of_a_silent_file_exits_2(tmp_path: Path) -> None:
    """The command says why and exits 2."""
    _catalog(tmp_path)
    take = _sox_synth(tmp_path / "bye.wav", "sine", "440", "vol", "0")
    args = _parse("import", "--prompts", str(tmp_path), str(take))

    assert args.run(args, io.StringIO()) == 2


def test_import_help_names_the_default_language() -> None:
    """--lang of import defaults to zh, and the help says so."""
    parser = argparse.ArgumentParser(prog="ivr prompts")
    add_prompts_actions(parser)
    actions = next(a for a in parser._actions if a.choices)
    assert isinstance(actions.choices, dict)
    text = actions.choices["import"].format_help()

    assert "default: zh" in " ".join(text.split())
    assert "every one" not in text


def test_changed_script_makes_audio_stale(tmp_path: Path) -> None:
    """A rendered prompt and a studio prompt whose scripts changed are listed."""
    catalog = _catalog(tmp_path, "a: 您好。\nb: 再见。\n")
    render_scripts(catalog, only=["a"])
    take = _sox_synth(tmp_path / "b.wav", "sine", "440", "vol", "0.1")
    import_recording(take, catalog)
    assert stale_audio(catalog, "zh") == []

    edited = _catalog(tmp_path, "a: 您好！欢迎。\nb: 谢谢，再见。\n")

    assert [(s.prompt_id, s.kind) for s in stale_audio(edited, "zh")] == [
        ("a", "rendered"),
        ("b", "studio"),
    ]
    marker = json.loads((tmp_path / "zh" / ".b.studio").read_text("utf-8"))
    assert "script_sha256" in marker


def test_missing_and_check_report_stale_audio(tmp_path: Path) -> None:
    """ivr prompts missing and check name the stale prompt; studio is not checked."""
    render_scripts(_catalog(tmp_path, "a: 您好。\nb: 再见。\n"))
    take = _sox_synth(tmp_path / "b.wav", "sine", "440", "vol", "0.1")
    import_recording(take, PromptCatalog.load(tmp_path))
    _catalog(tmp_path, "a: 您好！欢迎。\nb: 再见。\n")
    missing, check = io.StringIO(), io.StringIO()

    missing_code = _parse("missing", "--prompts", str(tmp_path)).run(
        _parse("missing", "--prompts", str(tmp_path)), missing
    )
    args = _parse("check", "--prompts", str(tmp_path))
    check_code = args.run(args, check)

    assert missing_code == 1 and "a: script changed" in missing.getvalue()
    assert check_code == 1 and "zh/a: script changed" in check.getvalue()
    assert "1 of 1 spoken as written, 1 studio recordings, not checked" in (
        check.getvalue()
    )
