"""Check that what espeak-ng spoke is the pinyin the script should be read as.

The voice prints the phonemes it synthesised (:mod:`ivr.prompts.voice`). Each
spoken syllable is decoded back into pinyin: its tone from the pitch contour
digits espeak-ng writes (55 -> 1, 35 -> 2, 214/21 -> 3, 51 -> 4, any other
-> neutral 5), its sounds by looking the rest up in a reference table of
every pinyin syllable as espeak-ng's pinyin voice says it alone. The decoded
sequence is then aligned with the expected pinyin of the script and every
difference is reported: a misread character (重 as zhong4 where 重听 needs
chong2), a wrong tone, a dropped or extra syllable, or a stretch read in
English (espeak-ng marks those ``(en)``).

For voices that read characters (Cantonese, Uyghur) there is no expected
syllable list here; :func:`check_syllable_count` checks that every Chinese
character was spoken as one syllable and nothing fell back to English.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import NamedTuple

from pypinyin.contrib.tone_convert import to_normal
from pypinyin.pinyin_dict import pinyin_dict

from ivr.prompts.errors import PromptError
from ivr.prompts.voice import Voice, phonemes_of
from ivr.speech import ambiguous_numbers
from ivr.speech.pinyin import read_digits_in, to_pinyin

__all__ = [
    "Heard",
    "Mismatch",
    "check_pinyin",
    "check_syllable_count",
    "check_utterance",
    "parse_phonemes",
    "reference_table",
]

_TONES = {"55": 1, "35": 2, "214": 3, "213": 3, "21": 3, "51": 4, "53": 4}
_SWITCH = re.compile(r"\(([a-z][a-z-]*)\)")
_SEPARATORS = re.compile(r"[\s_|!:]+")
_SYLLABLE = re.compile(r"[^\d]*?\d+(?:[nN](?![',]*[aeiouyAEIOU@&;]))?")
_STRESS = re.compile(r"[\d',]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


class Heard(NamedTuple):
    """One spoken syllable: its sounds without tone, and its tone (1-5).

    A stretch espeak-ng read in English is one ``Heard`` with ``english`` set.
    """

    segment: str
    tone: int
    english: str = ""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One difference: the syllable at ``position`` (0-based) of the script."""

    position: int
    expected: str
    heard: str

    def __str__(self) -> str:
        where = f"syllable {self.position + 1}"
        return f"{where}: expected {self.expected}, heard {self.heard}"


def parse_phonemes(output: str, language: str = "cmn") -> list[Heard]:
    """Split espeak-ng ``-x`` output into syllables, marking English stretches."""
    heard: list[Heard] = []
    parts = _SWITCH.split(output)
    for index, chunk in enumerate(parts):
        if index % 2:
            language = chunk
        elif language == "en" and chunk.strip(" _|\n"):
            heard.append(Heard("", 0, chunk.strip(" _|\n")[:40]))
        elif language != "en":
            heard += [h for w in _SEPARATORS.split(chunk) if w for h in _word(w)]
    return heard


def _word(word: str) -> list[Heard]:
    found = _SYLLABLE.findall(word)
    if not found:
        return [Heard(_STRESS.sub("", word), 5)]
    return [_syllable(text) for text in found]


def _syllable(text: str) -> Heard:
    contour = "".join(re.findall(r"\d+", text))
    return Heard(_STRESS.sub("", text), _TONES.get(contour, 5))


@functools.cache
def reference_table(espeak_voice: str = "cmn-latn-pinyin") -> dict[str, str]:
    """Toneless pinyin syllable -> the sounds espeak-ng makes for it alone.

    Built once per process from every syllable pypinyin knows (426), each
    spoken as its own clause in one espeak-ng run.
    """
    inventory = sorted(
        {to_normal(p) for v in pinyin_dict.values() for p in v.split(",")}
    )
    inventory = [s for s in inventory if s.isascii() and s.isalpha()]
    output = phonemes_of(
        ", ".join(f"{s}1" for s in inventory), Voice("zh", espeak_voice, True)
    )
    lines = [line for line in output.splitlines() if line.strip()]
    if len(lines) != len(inventory):
        raise PromptError(
            f"espeak-ng spoke {len(lines)} clauses for {len(inventory)} syllables; "
            "cannot build the pinyin reference"
        )
    return {
        s: _word(line.split("_")[0])[0].segment
        for s, line in zip(inventory, lines, strict=True)
    }


def spoken_tones(tokens: list[str]) -> list[str]:
    """Expected syllables with espeak-ng's third-tone sandhi applied.

    Within a clause, a third tone before another third tone is said as a
    second tone (你好 ni2 hao3), so that is what must be heard.
    """
    out: list[str] = []
    for index, token in enumerate(tokens):
        if token in (",", "."):
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else ","
        if token.endswith("3") and following.endswith("3"):
            token = token[:-1] + "2"
        out.append(token)
    return out


def check_pinyin(tokens: list[str], phonemes: str) -> list[Mismatch]:
    """Differences between the expected pinyin ``tokens`` and what was spoken.

    ``tokens`` come from :func:`ivr.speech.pinyin.to_pinyin` (pauses included,
    so tone sandhi stops at them); ``phonemes`` is espeak-ng's ``-x`` output.
    """
    table = reference_table()
    expected = spoken_tones(tokens)
    keys = [(table.get(s[:-1], s[:-1]), int(s[-1])) for s in expected]
    heard = parse_phonemes(phonemes)
    heard_keys = [(h.segment or "en:" + h.english, h.tone) for h in heard]
    names = _names(table)
    matcher = SequenceMatcher(a=keys, b=heard_keys, autojunk=False)
    mismatches: list[Mismatch] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            mismatches += _differences(expected, heard, names, (i1, i2, j1, j2))
    return mismatches


def _names(table: dict[str, str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for syllable, segment in table.items():
        names.setdefault(segment, syllable)
    return names


def _differences(
    expected: list[str],
    heard: list[Heard],
    names: dict[str, str],
    span: tuple[int, int, int, int],
) -> list[Mismatch]:
    i1, i2, j1, j2 = span
    out = []
    for k in range(max(i2 - i1, j2 - j1)):
        want = expected[i1 + k] if i1 + k < i2 else "(nothing)"
        got = _name(heard[j1 + k], names) if j1 + k < j2 else "(nothing)"
        out.append(Mismatch(min(i1 + k, max(i2 - 1, i1)), want, got))
    return out


def _name(heard: Heard, names: dict[str, str]) -> str:
    if heard.english:
        return f"English {heard.english!r}"
    syllable = names.get(heard.segment, f"[{heard.segment}]")
    return f"{syllable}{heard.tone}"


def check_syllable_count(script: str, phonemes: str, voice: Voice) -> list[Mismatch]:
    """For character-reading voices: one syllable per character, no English."""
    heard = parse_phonemes(phonemes, voice.espeak_voice)
    english = [h for h in heard if h.english]
    expected = len(_HAN.findall(read_digits_in(script, voice.language)))
    out = [Mismatch(0, "Chinese", f"English {h.english!r}") for h in english]
    if len(heard) != expected:
        out.append(Mismatch(0, f"{expected} syllables", f"{len(heard)} syllables"))
    return out


def check_utterance(script: str, phonemes: str, voice: Voice) -> list[Mismatch]:
    """The right check for ``voice``: pinyin for Mandarin, counts otherwise.

    Digits whose reading the script leaves open (a bare ``12``: 十二 or
    一二?) fail the check whatever was spoken: the expected reading comes
    from the same rules as the spoken one, so only the script can settle it.
    """
    unsettled = [
        Mismatch(0, "a number in characters or with a unit", f"bare digits {run!r}")
        for run in ambiguous_numbers(script)
    ]
    if voice.reads_pinyin:
        return unsettled + check_pinyin(to_pinyin(script), phonemes)
    return unsettled + check_syllable_count(script, phonemes, voice)
