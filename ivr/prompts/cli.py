"""``ivr prompts``: render, check, import and list prompt audio.

- ``render``: speak changed scripts with espeak-ng, check what was spoken,
  write Asterisk files; studio recordings are kept.
- ``check``: speak every script again (nothing written) and report any
  syllable not spoken as the script reads.
- ``import FILE...``: convert studio recordings, normalise, mark as studio.
- ``missing``: prompts each language lacks (script or audio).

Exit codes: 0 all well, 1 a mismatch or missing audio, 2 bad arguments or
a tool/catalog error. Heavy imports happen when an action runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ivr.prompts import PromptCatalog
    from ivr.prompts.intelligibility import Mismatch

__all__ = ["add_prompts_actions"]

_FORMATS_HELP = "wav (default, 8 kHz), alaw, ulaw, g722 (written as sln16 if needed)"


def add_prompts_actions(prompts: argparse.ArgumentParser) -> None:
    """Add the ``ivr prompts`` actions to its parser."""
    actions = prompts.add_subparsers(title="actions", metavar="ACTION")
    render = actions.add_parser("render", help="render changed scripts with espeak-ng")
    _common(render)
    render.add_argument("--force", action="store_true", help="render every script")
    render.add_argument("--format", action="append", default=[], help=_FORMATS_HELP)
    render.add_argument("ids", nargs="*", metavar="ID", help="only these prompts")
    render.set_defaults(run=run_render)
    check = actions.add_parser("check", help="check that rendering speaks each script")
    _common(check)
    check.add_argument("ids", nargs="*", metavar="ID", help="only these prompts")
    check.set_defaults(run=run_check)
    studio = actions.add_parser("import", help="import studio recordings")
    _common(studio, lang_help="language of the recordings (default: zh)")
    studio.add_argument("files", nargs="+", metavar="FILE")
    studio.add_argument("--id", help="prompt id (default: the file name's stem)")
    studio.add_argument(
        "--format",
        action="append",
        default=[],
        help=f"{_FORMATS_HELP}; formats the prompt already has are always written",
    )
    studio.add_argument(
        "--force", action="store_true", help="accept a silent or clipped recording"
    )
    studio.set_defaults(run=run_import)
    missing = actions.add_parser("missing", help="prompts each language lacks")
    _common(missing)
    missing.set_defaults(run=run_missing)


def _common(
    parser: argparse.ArgumentParser, lang_help: str = "language (default: every one)"
) -> None:
    parser.add_argument("--prompts", default="prompts", help="prompt folder")
    parser.add_argument("--lang", action="append", default=[], help=lang_help)


def _languages(args: argparse.Namespace, known: tuple[str, ...]) -> list[str]:
    return list(args.lang) or list(known)


def run_render(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """``ivr prompts render``: render, then print counts and any mismatch."""
    from ivr.prompts import PromptCatalog, PromptError
    from ivr.prompts.render import render_scripts

    try:
        catalog = PromptCatalog.load(Path(args.prompts))
        code = 0
        for language in _languages(args, catalog.languages):
            results = render_scripts(
                catalog, language, formats=args.format or ["wav"],
                force=args.force, only=args.ids or None,
            )  # fmt: skip
            code |= _print_results(language, results, out)
    except (PromptError, KeyError, ValueError) as exc:
        print(f"ivr prompts render: {exc}", file=sys.stderr)
        return 2
    return code


def _print_results(language: str, results: Sequence[object], out: TextIO) -> int:
    from ivr.prompts.render import RenderResult

    rows = [r for r in results if isinstance(r, RenderResult)]
    counts = {
        s: sum(r.status == s for r in rows) for s in ("rendered", "kept", "studio")
    }
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    print(f"{language}: {summary}", file=out)
    bad = [r for r in rows if r.mismatches]
    for result in bad:
        for mismatch in result.mismatches:
            print(f"  {language}/{result.prompt_id}: {mismatch}", file=out)
    return 1 if bad else 0


def run_check(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """``ivr prompts check``: speak every script again and report mismatches."""
    from ivr.prompts import PromptCatalog, PromptError
    from ivr.prompts.render import check_scripts

    try:
        catalog = PromptCatalog.load(Path(args.prompts))
        code = 0
        for language in _languages(args, catalog.languages):
            found = check_scripts(catalog, language, only=args.ids or None)
            code |= _print_check(catalog, language, found, out)
    except (PromptError, KeyError) as exc:
        print(f"ivr prompts check: {exc}", file=sys.stderr)
        return 2
    return code


def _print_check(
    catalog: PromptCatalog, language: str, found: dict[str, list[Mismatch]], out: TextIO
) -> int:
    from ivr.prompts.freshness import stale_audio
    from ivr.prompts.studio import is_studio

    directory = catalog.directory / language
    studio = [pid for pid in found if is_studio(directory, pid)]
    bad = {pid: v for pid, v in found.items() if v and pid not in studio}
    spoken = len(found) - len(bad) - len(studio)
    print(
        f"{language}: {spoken} of {len(found) - len(studio)} spoken as written, "
        f"{len(studio)} studio recordings, not checked",
        file=out,
    )
    for prompt_id, mismatches in bad.items():
        for mismatch in mismatches:
            print(f"  {language}/{prompt_id}: {mismatch}", file=out)
    stale = [s for s in stale_audio(catalog, language) if s.prompt_id in found]
    for item in stale:
        print(f"  {language}/{item.prompt_id}: {item.describe()}", file=out)
    return 1 if bad or any(s.kind == "rendered" for s in stale) else 0


def run_import(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """``ivr prompts import``: convert and mark studio recordings."""
    from ivr.prompts import PromptCatalog, PromptError
    from ivr.prompts.studio import import_recording

    if args.id and len(args.files) > 1:
        print("ivr prompts import: --id takes one FILE", file=sys.stderr)
        return 2
    language = args.lang[0] if args.lang else None
    try:
        catalog = PromptCatalog.load(Path(args.prompts))
        for name in args.files:
            files = import_recording(
                Path(name), catalog, language=language, prompt_id=args.id,
                formats=args.format or ["wav"], force=args.force,
            )  # fmt: skip
            print(f"{name} -> {', '.join(str(f) for f in files)} (studio)", file=out)
    except (PromptError, ValueError) as exc:
        print(f"ivr prompts import: {exc}", file=sys.stderr)
        return 2
    return 0


def run_missing(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """``ivr prompts missing``: fallbacks per language and absent audio."""
    from ivr.prompts import PromptCatalog, PromptError

    try:
        catalog = PromptCatalog.load(Path(args.prompts))
    except PromptError as exc:
        print(f"ivr prompts missing: {exc}", file=sys.stderr)
        return 2
    code = 0
    for language in _languages(args, catalog.languages):
        code |= _print_missing(catalog, language, out)
    return code


def _print_missing(catalog: PromptCatalog, language: str, out: TextIO) -> int:
    from ivr.prompts.freshness import stale_audio

    fallback = catalog.missing(language)
    silent = catalog.missing_audio(language)
    stale = stale_audio(catalog, language)
    print(
        f"{language}: {len(fallback)} fall back to Mandarin, "
        f"{len(silent)} without audio, {len(stale)} with out-of-date audio",
        file=out,
    )
    for prompt_id in fallback:
        print(f"  {prompt_id}: no {language} script (plays zh/{prompt_id})", file=out)
    for prompt_id in silent:
        print(
            f"  {prompt_id}: no audio (run: ivr prompts render --lang {language})",
            file=out,
        )
    for item in stale:
        print(f"  {item.prompt_id}: {item.describe()}", file=out)
    return 1 if silent or any(s.kind == "rendered" for s in stale) else 0
