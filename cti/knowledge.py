"""One knowledge source for the voice and the agents (norm art. 33).

The automatic voice and the agents must say the same thing, so agents'
desktops read the very catalog and flow the IVR runs: the
:class:`~ivr.calls.LoadedFlow` of new calls. :class:`KnowledgeSource`
follows it, so after a reload (``ivr reload``, SIGHUP, ``POST
/admin/reload``; :mod:`ivr.reload`) agents are served the new texts with
the new flow; a call in progress may still hear the old ones, as it keeps
the flow it began on.

Each :class:`KnowledgeEntry` is one prompt in one language:

- ``text`` is what a caller on that language's route hears, found the way
  the IVR finds it: the played name from
  :meth:`~ivr.prompts.PromptCatalog.playback_name` (the language's own
  recording, or the Mandarin one where it lacks a script or audio), and its
  script from :meth:`~ivr.prompts.PromptCatalog.spoken_text`, the same
  function ``ivr call`` prints the transcript with;
- ``audio`` is the file Asterisk plays for that name;
- ``speakers`` are the nodes that play it, with the keys that lead there
  (:mod:`cti.knowledge_paths`);
- ``version`` is a short sha256 of the language used, the script and the
  audio bytes: it changes whenever what the caller hears changes, even when
  only a recording was replaced; ``flow_version`` is the running flow's;
- ``audio_current`` says whether the audio says the text: false when there
  is no audio, or when it was rendered (or recorded in the studio) from an
  older script (:func:`ivr.prompts.freshness.staleness`). A script edited
  and reloaded reaches agents at once, but callers hear the old recording
  until it is rendered again and copied to Asterisk: until then the two
  differ (art. 33), and this flag tells agents and ops so.

Entries are the catalog's prompts (``prompts.yaml``), not a list of node
kinds: a text any node plays is served, the self-service queries' lines
and answer scripts included (the fixed ones name the query nodes that say
them, :mod:`cti.knowledge_paths`). Values read out inside an answer
(amounts, dates) come from :mod:`ivr.speech` pieces, which are not scripts
and are left out.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cti.errors import NotFoundError
from cti.knowledge_paths import Speaker, speakers_by_prompt
from ivr.calls import LoadedFlow
from ivr.prompts import PromptCatalog
from ivr.prompts.freshness import staleness

__all__ = ["KnowledgeBase", "KnowledgeEntry", "KnowledgeSource"]

logger = logging.getLogger("cti.knowledge")

_VERSION_LENGTH = 12


@dataclass(frozen=True, slots=True)
class KnowledgeEntry:
    """One prompt in one language, as a caller on that route hears it."""

    prompt_id: str
    language: str
    spoken_language: str
    text: str
    audio: Path | None
    version: str
    flow_version: str
    speakers: tuple[Speaker, ...]
    audio_current: bool = True

    def to_json(self) -> dict[str, Any]:
        """The entry as the API shows it (the audio as a URL, not a path)."""
        audio_url = f"/cti/knowledge/{self.prompt_id}/audio?lang={self.language}"
        return {
            "prompt_id": self.prompt_id,
            "language": self.language,
            "spoken_language": self.spoken_language,
            "text": self.text,
            "audio_url": audio_url if self.audio is not None else None,
            "audio_current": self.audio_current,
            "version": self.version,
            "flow_version": self.flow_version,
            "speakers": [speaker.to_json() for speaker in self.speakers],
        }

    def matches(self, words: str) -> bool:
        """True when ``words`` (any case) is in the text or the prompt id."""
        wanted = words.casefold()
        return wanted in self.text.casefold() or wanted in self.prompt_id.casefold()


class AudioDigests:
    """sha256 of audio files, recomputed only when a file's size or time changes.

    Recordings can be replaced (``ivr prompts render``, a studio import)
    without a reload, and Asterisk plays whatever is on disk, so each
    lookup checks the file; hashing the whole folder on every request
    would not be needed for that.
    """

    def __init__(self) -> None:
        self._known: dict[Path, tuple[tuple[int, int], bytes]] = {}

    def digest(self, path: Path) -> bytes | None:
        """The file's sha256, or None when it does not exist."""
        try:
            stat = path.stat()
        except OSError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = self._known.get(path)
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            value = hashlib.sha256(path.read_bytes()).digest()
        except OSError:
            return None
        self._known[path] = (stamp, value)
        return value


class KnowledgeBase:
    """The entries of one loaded flow and catalog."""

    def __init__(self, loaded: LoadedFlow, digests: AudioDigests) -> None:
        self.loaded = loaded
        self._digests = digests
        self._speakers = speakers_by_prompt(loaded.flow, loaded.catalog)

    @property
    def catalog(self) -> PromptCatalog:
        """The catalog the IVR speaks from."""
        return self.loaded.catalog

    @property
    def flow_version(self) -> str:
        """The version of the running flow (it covers the prompt files too)."""
        return self.loaded.flow.version

    def languages(self, language: str | None = None) -> tuple[str, ...]:
        """``language`` alone (checked), or every language of the catalog."""
        if language is None:
            return self.catalog.languages
        if language not in self.catalog.languages:
            known = ", ".join(self.catalog.languages)
            raise NotFoundError(f"no prompts in language {language!r}; known: {known}")
        return (language,)

    def entries(
        self, language: str | None = None, words: str = ""
    ) -> list[KnowledgeEntry]:
        """Every prompt in ``language`` (or all), optionally matching ``words``."""
        found = [
            self.entry(prompt_id, lang)
            for lang in self.languages(language)
            for prompt_id in self.catalog.ids
        ]
        return [entry for entry in found if not words or entry.matches(words)]

    def entry(self, prompt_id: str, language: str | None = None) -> KnowledgeEntry:
        """One prompt as a ``language`` caller hears it (Mandarin by default)."""
        (lang,) = self.languages(language or self.catalog.language)
        if not self.catalog.has(prompt_id):
            raise NotFoundError(f"no prompt {prompt_id!r} in the catalog")
        played = self.catalog.playback_name(prompt_id, lang)
        text = self.catalog.spoken_text(played, lang) or ""
        spoken, audio = self.catalog.resolve(prompt_id, lang)
        digest = self._digests.digest(audio)
        current = (
            digest is not None and staleness(self.catalog, prompt_id, spoken) is None
        )
        return KnowledgeEntry(
            prompt_id,
            lang,
            spoken,
            text,
            audio if digest is not None else None,
            _version(spoken, text, digest),
            self.flow_version,
            tuple(self._speakers.get(prompt_id, ())),
            current,
        )


def _version(language: str, text: str, audio: bytes | None) -> str:
    """A short hash of what the caller hears: language, script and audio."""
    digest = hashlib.sha256(f"{language}\0{text}\0".encode())
    digest.update(audio if audio is not None else b"no audio")
    return digest.hexdigest()[:_VERSION_LENGTH]


class KnowledgeSource:
    """The knowledge base of whatever flow new calls run on now.

    ``current`` returns the service's loaded flow (the call handler's); a
    new one (a reload) is noticed on the next lookup and the base rebuilt
    from it, so agents never read a catalog the IVR has stopped speaking.
    """

    def __init__(self, current: Callable[[], LoadedFlow]) -> None:
        self._current = current
        self._digests = AudioDigests()
        self._base: KnowledgeBase | None = None

    def base(self) -> KnowledgeBase:
        """The knowledge base of the current flow."""
        loaded = self._current()
        if self._base is None or self._base.loaded is not loaded:
            self._base = KnowledgeBase(loaded, self._digests)
            logger.info(
                "knowledge base built from flow %s (%d prompts)",
                loaded.flow.version,
                len(loaded.catalog.ids),
            )
        return self._base
