"""The prompt catalog: prompt id -> script per language, and its audio file.

Files in the prompts directory:

- ``prompts.yaml``: every prompt's Mandarin (zh-CN) script; it defines which
  prompts exist.
- ``prompts.<lang>.yaml`` (``prompts.yue.yaml``): the same ids in another
  language; an id missing there falls back to Mandarin.
- ``pieces.yaml``: the short Mandarin pieces numbers, money, dates and times
  are read with (:mod:`ivr.speech`), kept apart so the flow's "every script is
  used" rule does not apply to them.
- ``asterisk.yaml``: Mandarin scripts for sounds Asterisk plays by its own
  standard names in the channel's language: Queue's position and hold-time
  announcements (``queue-thereare``...) and the ``digits/N`` files its
  Chinese number routine reads (main/say.c, ``ast_say_number_full_zh``).
  Like the pieces they are outside "every script is used"; Asterisk uses
  them. Only here may an id have one subfolder (``digits/2``).

Audio is ``<lang>/<id>.wav`` beside them, the layout of Asterisk's sounds
folder: Asterisk plays ``STREAM FILE welcome-morning`` from
``sounds/<CHANNEL(language)>/welcome-morning`` and otherwise falls back to
``sounds/`` and ``sounds/en/`` (main/file.c, ``fileexists_core``), which
would be silence or English for our callers. So a prompt a language lacks is
played by naming the Mandarin file explicitly (``zh/welcome-morning``):
:meth:`PromptCatalog.playback_name` gives that name.
"""

from __future__ import annotations

import re
from pathlib import Path

from ivr.prompts.errors import PromptCatalogError
from ivr.prompts.script_file import ScriptEntry, join_script_lines, read_script_file

__all__ = [
    "ASTERISK_FILE",
    "CATALOG_FILE",
    "DEFAULT_LANGUAGE",
    "DIALPLAN_PROMPTS",
    "PIECES_FILE",
    "PromptCatalog",
    "join_script_lines",
]

CATALOG_FILE = "prompts.yaml"
"""The Mandarin catalog's file name inside the prompts directory."""

PIECES_FILE = "pieces.yaml"
"""The speech pieces' file name inside the prompts directory."""

ASTERISK_FILE = "asterisk.yaml"
"""The file of Asterisk's standard sound names, inside the prompts directory."""

DEFAULT_LANGUAGE = "zh"
"""Mandarin: the language every prompt has, and the one others fall back to."""

DIALPLAN_PROMPTS: tuple[str, ...] = (
    "ivr-sorry-fallback",
    "agent-number-before",
    "agent-number-after",
)
"""Prompts the Asterisk dialplan plays itself, so ``menus.yaml`` never names
them: ``ivr-sorry-fallback`` is the apology before queueing a caller the IVR
service could not take; ``agent-number-*`` go round the agent's number when
Queue runs the dialplan's ``IVR_CONNECT_AGI`` on the caller (``ivr.calls``).
They must stay in the catalog (and be rendered) even though no node uses
them."""

_LANGUAGE_FILE = re.compile(r"^prompts\.([a-z]{2,3}(?:-[a-z0-9]+)?)\.yaml$")


class PromptCatalog:
    """Prompt scripts by id and language, read once from a prompts directory."""

    language = DEFAULT_LANGUAGE
    """The default language (zh-CN): every prompt has a script in it."""

    def __init__(
        self,
        directory: Path,
        entries: dict[str, ScriptEntry],
        *,
        translations: dict[str, dict[str, ScriptEntry]] | None = None,
        pieces: dict[str, ScriptEntry] | None = None,
        asterisk_sounds: dict[str, ScriptEntry] | None = None,
    ) -> None:
        self.directory = directory
        self._entries = entries
        self._translations = translations or {}
        self._pieces = pieces or {}
        self._sounds = asterisk_sounds or {}
        self._extras = {**self._pieces, **self._sounds}

    @classmethod
    def load(cls, directory: str | Path) -> PromptCatalog:
        """Read the catalog files of ``directory``.

        Raises :class:`PromptCatalogError` when ``prompts.yaml`` is missing,
        any file is not a mapping of ids to non-empty strings, names an id
        twice or uses an id that cannot be a file name, or a language file
        names an id ``prompts.yaml`` does not have.
        """
        directory = Path(directory)
        entries = read_script_file(directory / CATALOG_FILE)
        return cls(
            directory,
            entries,
            translations=_read_translations(directory, entries),
            pieces=_read_optional(directory / PIECES_FILE),
            asterisk_sounds=_read_optional(directory / ASTERISK_FILE, subfolders=True),
        )

    @property
    def path(self) -> Path:
        """The Mandarin catalog file."""
        return self.directory / CATALOG_FILE

    def path_of(self, language: str) -> Path:
        """The script file of ``language``."""
        if language == self.language:
            return self.path
        return self.directory / f"prompts.{language}.yaml"

    @property
    def ids(self) -> tuple[str, ...]:
        """Every prompt id, in file order (speech pieces not included)."""
        return tuple(self._entries)

    @property
    def piece_ids(self) -> tuple[str, ...]:
        """The speech pieces' ids (``num-2``, ``unit-wan``...), in file order."""
        return tuple(self._pieces)

    @property
    def asterisk_sound_ids(self) -> tuple[str, ...]:
        """Asterisk's standard sound names with a script, in file order."""
        return tuple(self._sounds)

    def has(self, prompt_id: str) -> bool:
        """True when the catalog defines ``prompt_id`` (a prompt, not a piece)."""
        return prompt_id in self._entries

    @property
    def languages(self) -> tuple[str, ...]:
        """Mandarin first, then every language with a ``prompts.<lang>.yaml``."""
        return (self.language, *sorted(self._translations))

    def text(self, prompt_id: str, language: str | None = None) -> str:
        """The script of ``prompt_id`` (or a piece) in ``language``.

        ``KeyError`` when that language has no script for it: no fallback
        here, so callers can tell a translation from a Mandarin stand-in.
        """
        return self._entry(prompt_id, language or self.language).text

    def _entry(self, prompt_id: str, language: str) -> ScriptEntry:
        if language == self.language:
            entry = self._entries.get(prompt_id) or self._extras.get(prompt_id)
        elif language in self._translations:
            entry = self._translations[language].get(prompt_id)
        else:
            raise KeyError(f"no {language!r} scripts in {self.directory}")
        if entry is None:
            raise KeyError(f"no {language!r} script for {prompt_id!r}")
        return entry

    def text_or_none(self, prompt_id: str) -> str | None:
        """The Mandarin script of ``prompt_id``, or ``None`` when not defined."""
        entry = self._entries.get(prompt_id) or self._extras.get(prompt_id)
        return entry.text if entry else None

    def spoken_text(self, name: str, language: str | None = None) -> str | None:
        """The script a caller hears for a played name (``id`` or ``lang/id``).

        A bare id is looked up in ``language`` first, then in Mandarin, as
        :meth:`playback_name` chose it; ``None`` for an unknown name.
        """
        folder, _, prompt_id = name.rpartition("/")
        wanted = folder or language or self.language
        for candidate in dict.fromkeys((wanted, self.language)):
            try:
                return self.text(prompt_id, candidate)
            except KeyError:
                continue
        return self.text_or_none(prompt_id)

    def position(self, prompt_id: str, language: str | None = None) -> tuple[int, int]:
        """The 1-based (line, column) where ``prompt_id`` is written."""
        entry = self._entry(prompt_id, language or self.language)
        return entry.line, entry.column

    def scripts(self, language: str | None = None) -> dict[str, str]:
        """Every script ``language`` has, by id.

        Mandarin includes the pieces and Asterisk's sounds.
        """
        language = language or self.language
        if language == self.language:
            merged = {**self._entries, **self._extras}
        else:
            merged = dict(self._translations.get(language, {}))
        return {prompt_id: entry.text for prompt_id, entry in merged.items()}

    def audio_path(self, prompt_id: str, language: str | None = None) -> Path:
        """Where the recording of ``prompt_id`` in ``language`` belongs."""
        return self.directory / (language or self.language) / f"{prompt_id}.wav"

    def has_audio(self, prompt_id: str, language: str | None = None) -> bool:
        """True when the recording of ``prompt_id`` exists on disk."""
        return self.audio_path(prompt_id, language).is_file()

    def resolve(self, prompt_id: str, language: str) -> tuple[str, Path]:
        """The language whose recording a ``language`` caller hears, and its file.

        ``language`` itself when it has a script and audio for the prompt,
        otherwise Mandarin (art. 28: dialect service where it exists, the
        national Mandarin prompt everywhere else).
        """
        if language != self.language and self._has_translation(prompt_id, language):
            path = self.audio_path(prompt_id, language)
            if path.is_file():
                return language, path
        return self.language, self.audio_path(prompt_id)

    def playback_name(self, prompt_id: str, language: str | None) -> str:
        """The name to give ``STREAM FILE`` on a channel in ``language``.

        The bare id when the channel's language has the prompt (Asterisk adds
        the language folder itself), else ``zh/<id>`` so Asterisk's own
        fallback cannot land on ``sounds/en``.
        """
        if language in (None, "", self.language):
            return prompt_id
        used, _ = self.resolve(prompt_id, language)
        return prompt_id if used == language else f"{used}/{prompt_id}"

    def _has_translation(self, prompt_id: str, language: str) -> bool:
        return prompt_id in self._translations.get(language, {})

    def missing(self, language: str) -> list[str]:
        """Prompt ids ``language`` has no script for (they fall back to Mandarin)."""
        if language == self.language:
            return []
        return [pid for pid in self.ids if not self._has_translation(pid, language)]

    def missing_by_language(self) -> dict[str, list[str]]:
        """:meth:`missing` for every language other than Mandarin."""
        return {lang: self.missing(lang) for lang in self.languages[1:]}

    def missing_audio(self, language: str | None = None) -> list[str]:
        """Scripts of ``language`` (pieces included) with no audio file yet."""
        language = language or self.language
        return [
            pid for pid in self.scripts(language) if not self.has_audio(pid, language)
        ]


def _read_optional(path: Path, *, subfolders: bool = False) -> dict[str, ScriptEntry]:
    return read_script_file(path, subfolders=subfolders) if path.is_file() else {}


def _read_translations(
    directory: Path, entries: dict[str, ScriptEntry]
) -> dict[str, dict[str, ScriptEntry]]:
    translations: dict[str, dict[str, ScriptEntry]] = {}
    for path in sorted(directory.glob("prompts.*.yaml")):
        match = _LANGUAGE_FILE.match(path.name)
        if not match or match.group(1) == DEFAULT_LANGUAGE:
            continue
        scripts = read_script_file(path)
        for prompt_id, entry in scripts.items():
            if prompt_id not in entries:
                raise PromptCatalogError(
                    f"{path}:{entry.line}:{entry.column}",
                    f"prompt id {prompt_id!r} is not in {CATALOG_FILE}; "
                    "a translation needs the Mandarin prompt first",
                )
        translations[match.group(1)] = scripts
    return translations
