"""Load ``prompts.yaml``: a flat mapping of prompt id to its Chinese script.

Prompt ids double as audio file names (``welcome-morning`` is played from
``prompts/zh/welcome-morning.wav``), so they are restricted to lower-case
letters, digits and hyphens. The catalog keeps where each id was written so
that errors elsewhere can point back at the script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ivr.prompts.errors import PromptCatalogError

__all__ = ["CATALOG_FILE", "DIALPLAN_PROMPTS", "PromptCatalog", "join_script_lines"]

CATALOG_FILE = "prompts.yaml"
"""The catalog's file name inside the prompts directory."""

DIALPLAN_PROMPTS: tuple[str, ...] = ("ivr-sorry-fallback",)
"""Prompts the Asterisk dialplan plays itself, so ``menus.yaml`` never names
them: ``ivr-sorry-fallback`` is the apology before queueing a caller the IVR
service could not take. They must stay in the catalog (and be rendered) even
though no node uses them."""

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

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
class _Entry:
    text: str
    line: int
    column: int


class PromptCatalog:
    """Prompt scripts by id, read once from a prompts directory."""

    language = "zh"
    """The language of every script in ``prompts.yaml`` (zh-CN)."""

    def __init__(self, directory: Path, entries: dict[str, _Entry]) -> None:
        self.directory = directory
        self._entries = entries

    @classmethod
    def load(cls, directory: str | Path) -> PromptCatalog:
        """Read ``<directory>/prompts.yaml``.

        Raises :class:`PromptCatalogError` when the file is missing, is not a
        mapping of ids to non-empty strings, names an id twice or uses an id
        that cannot be a file name.
        """
        directory = Path(directory)
        path = directory / CATALOG_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise PromptCatalogError(str(path), "cannot read: no such file") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise PromptCatalogError(str(path), f"cannot read: {exc}") from exc
        return cls(directory, _read_entries(text, str(path)))

    @property
    def path(self) -> Path:
        """The catalog file."""
        return self.directory / CATALOG_FILE

    @property
    def ids(self) -> tuple[str, ...]:
        """Every prompt id, in file order."""
        return tuple(self._entries)

    def has(self, prompt_id: str) -> bool:
        """True when the catalog defines ``prompt_id``."""
        return prompt_id in self._entries

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the catalog has scripts for."""
        return (self.language,)

    def text(self, prompt_id: str, language: str | None = None) -> str:
        """The script of ``prompt_id``; ``KeyError`` when it is not defined.

        ``language`` may name the catalog's own language only.
        """
        if language not in (None, self.language):
            raise KeyError(f"no {language!r} scripts in {self.path}")
        return self._entries[prompt_id].text

    def text_or_none(self, prompt_id: str) -> str | None:
        """The script of ``prompt_id``, or ``None`` when it is not defined."""
        entry = self._entries.get(prompt_id)
        return entry.text if entry else None

    def position(self, prompt_id: str) -> tuple[int, int]:
        """The 1-based (line, column) where ``prompt_id`` is written."""
        entry = self._entries[prompt_id]
        return entry.line, entry.column

    def audio_path(self, prompt_id: str, language: str | None = None) -> Path:
        """Where the recording of ``prompt_id`` in ``language`` belongs."""
        return self.directory / (language or self.language) / f"{prompt_id}.wav"

    def has_audio(self, prompt_id: str, language: str | None = None) -> bool:
        """True when the recording of ``prompt_id`` exists on disk."""
        return self.audio_path(prompt_id, language).is_file()


def _read_entries(text: str, file: str) -> dict[str, _Entry]:
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
    entries: dict[str, _Entry] = {}
    for key, value in root.value:
        _add_entry(entries, key, value, file)
    return entries


def _add_entry(
    entries: dict[str, _Entry], key: yaml.Node, value: yaml.Node, file: str
) -> None:
    prompt_id = str(key.value) if isinstance(key, yaml.ScalarNode) else ""
    if not _ID_PATTERN.match(prompt_id):
        raise PromptCatalogError(
            _where(file, key),
            f"prompt id {prompt_id!r} must use only "
            "lower-case letters, digits and '-' (it is also the audio file name)",
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
    entries[prompt_id] = _Entry(join_script_lines(str(value.value)), line, column)


def _where(file: str, node: yaml.Node) -> str:
    return f"{file}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"
