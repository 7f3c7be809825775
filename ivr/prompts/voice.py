"""Speak a script with espeak-ng, keeping the phonemes it spoke.

Mandarin goes through pinyin (:mod:`ivr.speech.pinyin`) to the
``cmn-latn-pinyin`` voice; Cantonese and Uyghur scripts go to the ``yue``
and ``ug`` voices as written, with ASCII digits first spelt out in Chinese.
espeak-ng writes the audio (``-w``) and, in the same run, prints the phoneme
mnemonics it synthesised (``-x``): that is the transcript
:mod:`ivr.prompts.intelligibility` checks, the sounds actually produced, not
a second reading of the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ivr.prompts.tools import run_tool
from ivr.speech.pinyin import read_digits_in, to_pinyin

__all__ = [
    "PLAIN_CMN",
    "VOICES",
    "Utterance",
    "Voice",
    "phonemes_of",
    "speak",
    "voice_for",
]

SPEED_WPM = 175
"""espeak-ng's rate: a syllable is a word to it, so a calm ~3 syllables a second."""


@dataclass(frozen=True, slots=True)
class Voice:
    """How one language is spoken: the espeak-ng voice and its input form."""

    language: str
    espeak_voice: str
    reads_pinyin: bool

    def input_text(self, script: str) -> str:
        """The text handed to espeak-ng for ``script``."""
        if not self.reads_pinyin:
            return read_digits_in(script, self.language)
        return " ".join(to_pinyin(script)).replace(" ,", ",").replace(" .", ".")


VOICES: dict[str, Voice] = {
    "zh": Voice("zh", "cmn-latn-pinyin", reads_pinyin=True),
    "yue": Voice("yue", "yue", reads_pinyin=False),
    "ug": Voice("ug", "ug", reads_pinyin=False),
}
"""The voice of each prompt language (channel language codes)."""

PLAIN_CMN = Voice("zh", "cmn", reads_pinyin=False)
"""espeak-ng's character-reading Mandarin voice: kept to show what it gets
wrong (the intelligibility test renders with it and expects mismatches)."""


@dataclass(frozen=True, slots=True)
class Utterance:
    """A rendered script: the input espeak-ng read and the phonemes it spoke."""

    wav: Path
    spoken_input: str
    phonemes: str


def voice_for(language: str) -> Voice:
    """The voice for ``language``; ``KeyError`` names the known languages."""
    if language not in VOICES:
        raise KeyError(f"no voice for {language!r}; known: {', '.join(VOICES)}")
    return VOICES[language]


def speak(script: str, voice: Voice, wav: Path) -> Utterance:
    """Synthesise ``script`` into ``wav`` (22.05 kHz from espeak-ng)."""
    spoken_input = voice.input_text(script)
    command = [
        "espeak-ng",
        "-v",
        voice.espeak_voice,
        "-s",
        str(SPEED_WPM),
        "-x",
        "-w",
        str(wav),
        "--stdin",
    ]
    phonemes = run_tool(command, stdin=spoken_input)
    return Utterance(wav, spoken_input, phonemes)


def phonemes_of(text: str, voice: Voice) -> str:
    """The phonemes espeak-ng speaks for ``text`` as given (no conversion)."""
    return run_tool(
        ["espeak-ng", "-v", voice.espeak_voice, "-q", "-x", "--stdin"], stdin=text
    )
