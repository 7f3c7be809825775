"""Check the prompt catalog a flow plays: ids the flow names, and their wording.

Two checks at load time, recorded on the :class:`Reader` so ``ivr check``
prints them with the rest, and one for ``ivr check`` alone:

- every prompt id ``menus.yaml`` names is in the catalog (an error at the
  place in ``menus.yaml``);
- no script, in any language the catalog has, says an example phrase of the
  norm's Annex 2 (an error) or matches one of its patterns (a warning), both
  pointing at the script's line and column in ``prompts.yaml``;
- every script can be spoken: a Latin letter or symbol no voice reads
  (``APP``, ``&``) is an error, bare digits whose reading the context does
  not settle (``12``: 十二 or 一二?) a warning (:mod:`ivr.speech.reading`);
- audio rendered from an older script is a warning at the script's line;
- prompts a non-Mandarin language lacks are listed (:func:`coverage_notes`,
  a note per language): callers on that route hear the Mandarin recording;
  so are studio recordings whose script changed after they were imported.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ivr.flow.phrases import Finding, find_forbidden, find_suspect
from ivr.flow.problems import Problem, Reader, Severity, suggest
from ivr.flow.yamlpos import Position
from ivr.prompts import PromptCatalog
from ivr.prompts.freshness import stale_audio
from ivr.speech import SpeechError, ambiguous_numbers, unreadable_characters

__all__ = ["check_prompts", "coverage_notes"]


def check_prompts(reader: Reader, catalog: PromptCatalog) -> None:
    """Run every catalog check on ``catalog`` for the flow ``reader`` holds."""
    _check_ids(reader, catalog)
    for language in catalog.languages:
        _check_wording(reader, catalog, language)
        _check_speakable(reader, catalog, language)
        _check_stale(reader, catalog, language)


def _check_ids(reader: Reader, catalog: PromptCatalog) -> None:
    for prompt_id, pos in reader.prompt_refs:
        if not catalog.has(prompt_id):
            hint = suggest(prompt_id, catalog.ids)
            reader.error(
                pos,
                f"prompt {prompt_id!r} is not in {catalog.path.name}{hint}; "
                "add its script there or fix the id",
            )


def _scripts(
    catalog: PromptCatalog, language: str
) -> Iterator[tuple[str, Position, str]]:
    """Each script ``language`` has, with where it is written and its label."""
    for prompt_id in catalog.ids:
        script = _script(catalog, prompt_id, language)
        if script is not None:
            where = _position(catalog, prompt_id, language)
            yield script, where, _label(prompt_id, language, catalog.language)


def _check_wording(reader: Reader, catalog: PromptCatalog, language: str) -> None:
    for script, where, label in _scripts(catalog, language):
        forbidden = find_forbidden(script)
        for finding in forbidden:
            reader.error(where, _forbidden_message(label, finding))
        mandarin = language == catalog.language
        for finding in () if forbidden else find_suspect(script, mandarin=mandarin):
            reader.warning(where, _suspect_message(label, finding))


_CHINESE_SCRIPTS = frozenset({"zh", "yue"})
MISSING_SHOWN = 3
"""How many missing prompt ids a coverage note names before the command."""
"""Languages written in Chinese characters: other scripts (Uyghur) are read
by their own voice as written, so only these are checked for readability."""


def _check_speakable(reader: Reader, catalog: PromptCatalog, language: str) -> None:
    if language not in _CHINESE_SCRIPTS:
        return
    for script, where, label in _scripts(catalog, language):
        try:
            unreadable = unreadable_characters(script, language)
        except SpeechError as exc:
            reader.error(where, f"the script of {label} cannot be read: {exc}")
            continue
        if unreadable:
            reader.error(where, _unreadable_message(label, unreadable))
        for digits in ambiguous_numbers(script):
            reader.warning(where, _ambiguous_message(label, digits))


def _unreadable_message(label: str, chars: list[str]) -> str:
    return (
        f"the script of {label} has {''.join(chars)!r}, which the voice cannot "
        "read: write it in Chinese characters, e.g. 手机应用程序 for APP"
    )


def _ambiguous_message(label: str, digits: str) -> str:
    return (
        f"the script of {label} has the bare number {digits!r}, which could be "
        "read as a number or digit by digit: write it in Chinese characters, "
        "or give it a unit (个, 元, 年...)"
    )


def _check_stale(reader: Reader, catalog: PromptCatalog, language: str) -> None:
    for item in stale_audio(catalog, language):
        if item.kind == "rendered" and catalog.has(item.prompt_id):
            where = _position(catalog, item.prompt_id, language)
            label = _label(item.prompt_id, language, catalog.language)
            reader.warning(
                where,
                f"the audio of {label} was rendered from an older script; "
                f"run: ivr prompts render --lang {language} {item.prompt_id}",
            )


def _script(catalog: PromptCatalog, prompt_id: str, language: str) -> str | None:
    """The script in ``language``, or ``None`` when that language lacks it."""
    try:
        return catalog.text(prompt_id, language)
    except KeyError:
        return None


def _position(catalog: PromptCatalog, prompt_id: str, language: str) -> Position:
    line, column = catalog.position(prompt_id, language)
    return Position(str(catalog.path_of(language)), line, column)


def _label(prompt_id: str, language: str, default: str) -> str:
    return f"{prompt_id!r}" if language == default else f"{prompt_id!r} ({language})"


def _forbidden_message(label: str, finding: Finding) -> str:
    return (
        f"the script of {label} says {finding.found!r}, {finding.reason()}; "
        "reword it with the standard phrases of 附件1"
    )


def _suspect_message(label: str, finding: Finding) -> str:
    return (
        f"the script of {label} has {finding.found!r}: {finding.reason()}; "
        "read it again and reword it if callers could hear it so"
    )


def coverage_notes(catalog: PromptCatalog) -> list[Problem]:
    """Notes: per non-Mandarin language the prompts it lacks, and old studio takes.

    Those prompts fall back to the Mandarin recording on that route, which
    is allowed, so this is told by ``ivr check`` only, not at load time.
    """
    notes: list[Problem] = []
    for language in catalog.languages[1:]:
        missing = catalog.missing(language)
        if missing:
            file = str(catalog.path_of(language))
            message = _missing_message(language, missing, catalog.directory)
            notes.append(Problem(Severity.NOTE, file, 1, 1, message))
    return notes + _studio_notes(catalog)


def _studio_notes(catalog: PromptCatalog) -> list[Problem]:
    """A note per studio recording whose script changed after its import."""
    notes = []
    for language in catalog.languages:
        for item in stale_audio(catalog, language):
            if item.kind == "studio" and catalog.has(item.prompt_id):
                pos = _position(catalog, item.prompt_id, language)
                label = _label(item.prompt_id, language, catalog.language)
                message = (
                    f"the script of {label} changed after its studio recording "
                    "was imported: the recording may be out of date"
                )
                notes.append(
                    Problem(Severity.NOTE, pos.file, pos.line, pos.column, message)
                )
    return notes


def _missing_message(language: str, missing: list[str], folder: Path) -> str:
    """One line: how many, the first few ids, and the command listing them all.

    The full list (over a hundred ids while a language is being recorded)
    would bury the errors ``ivr check`` is run for.
    """
    shown = ", ".join(missing[:MISSING_SHOWN])
    more = ", ..." if len(missing) > MISSING_SHOWN else ""
    where = (
        "" if folder.resolve() == Path("prompts").resolve() else f" --prompts {folder}"
    )
    return (
        f"{len(missing)} prompts have no {language!r} script, so callers on the "
        f"{language!r} route hear them in Mandarin: {shown}{more} "
        f"(all of them: ivr prompts missing --lang {language}{where})"
    )
