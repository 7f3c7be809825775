"""Read one script file: a flat YAML mapping of prompt id to its script.

Prompt ids double as audio file names (``welcome-morning`` is played from
``prompts/zh/welcome-morning.wav``), so they are restricted to lower-case
letters, digits and hyphens. A file of Asterisk's own sound names
(``prompts/asterisk.yaml``) may also put an id in one subfolder, as
Asterisk's sounds do (``digits/2`` is ``prompts/zh/digits/2.wav``). Every
entry keeps where it was written so that errors elsewhere can point back at
the script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ivr.prompts.errors import PromptCatalogError

__all__ = ["ScriptEntry", "join_script_lines", "read_script_file"]

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SUBFOLDER_ID_PATTERN = re.compile(r"^(?:[a-z0-9][a-z0-9-]*/)?[a-z0-9][a-z0-9-]*$")

# CJK ideographs, CJK punctuation and full-width forms. Chinese has no spaces
# between words, so the space YAML puts where a long script is folded over two
# lines (``>-``) must not reach the caller or the renderer.
_WIDE = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_FOLD_SPACE = re.compile(rf"(?<=[{_WIDE}])\s+|\s+(?=[{_WIDE}])")


def join_script_lines(text: str) -> str:
    """Drop whitespace next to Chinese characters and trim the ends.

    >>> join_script_lines("请按4； 社会保障卡业务请按5")
    '请按4；社会保障卡业务请按5'
    """
    return _FOLD_SPACE.sub("", text).strip()


@dataclass(frozen=True, slots=True)
class ScriptEntry:
    """One script and the 1-based line and column of its id."""

    text: str
    line: int
    column: int


def read_script_file(path: Path, *, subfolders: bool = False) -> dict[str, ScriptEntry]:
    """Read ``path``; raise :class:`PromptCatalogError` naming the bad place.

    ``subfolders`` allows ids with one ``folder/`` in front (Asterisk sounds).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PromptCatalogError(str(path), "cannot read: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptCatalogError(str(path), f"cannot read: {exc}") from exc
    pattern = _SUBFOLDER_ID_PATTERN if subfolders else _ID_PATTERN
    return _read_entries(text, str(path), pattern)


def _read_entries(
    text: str, file: str, pattern: re.Pattern[str]
) -> dict[str, ScriptEntry]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else file
        reason = f"not valid YAML: {exc.problem or exc.context}"
        raise PromptCatalogError(where, reason) from exc
    except yaml.YAMLError as exc:
        raise PromptCatalogError(file, "not valid YAML (is it a text file?)") from exc
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise PromptCatalogError(_where(file, root), "expected 'id: script' lines")
    entries: dict[str, ScriptEntry] = {}
    for key, value in root.value:
        _add_entry(entries, key, value, file, pattern)
    return entries


def _add_entry(
    entries: dict[str, ScriptEntry],
    key: yaml.Node,
    value: yaml.Node,
    file: str,
    pattern: re.Pattern[str],
) -> None:
    prompt_id = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
    if not pattern.match(prompt_id):
        folder = " and one 'folder/'" if pattern is _SUBFOLDER_ID_PATTERN else ""
        raise PromptCatalogError(
            _where(file, key),
            f"prompt id {prompt_id!r} must use only lower-case letters, digits, "
            f"'-'{folder} (it is also the audio file name)",
        )
    if prompt_id in entries:
        first = entries[prompt_id]
        raise PromptCatalogError(
            _where(file, key),
            f"prompt id {prompt_id!r} is defined twice "
            f"(first at line {first.line}, column {first.column}); keep one",
        )
    if not isinstance(value, yaml.ScalarNode) or not str(value.value).strip():
        raise PromptCatalogError(
            _where(file, value), f"the script of {prompt_id!r} must be text"
        )
    line, column = key.start_mark.line + 1, key.start_mark.column + 1
    entries[prompt_id] = ScriptEntry(join_script_lines(str(value.value)), line, column)


def _where(file: str, node: yaml.Node) -> str:
    return f"{file}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
