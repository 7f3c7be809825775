"""Chinese scripts as pinyin syllables with tone numbers, for the pinyin voice.

espeak-ng's ``cmn`` voice reads characters from its own small dictionary and
misreads many (重听 as zhòng, 银行 skipped or spelt in English on Debian 12);
its ``cmn-latn-pinyin`` voice reads pinyin with tone numbers exactly. So a
script is first turned into syllables here, with pypinyin (phrases first, so
a heteronym takes the reading of its word), then spoken.

- Heteronyms pypinyin gets wrong in our scripts are fixed by :data:`PHRASES`
  (重听 chong2 ting1, 还款 huan2 kuan3).
- Tone sandhi of 一 and 不 is applied over the whole clause (pypinyin's own
  works within one segmented word only, so it left 重拨一遍 as yi1 bian4):
  一 before a fourth (or neutral) tone is yi2 (一遍, 一万, 一下), before any
  other tone yi4 (一般, 一千); it keeps yi1 at the end of a clause, as the
  last syllable of a word (统一, 唯一), after 第 or another numeral (第一,
  十一), before a numeral (一一), and wherever digits were read as a year,
  date, ordinal, key or clock time (:data:`ivr.speech.reading.FIXED_YI`).
  不 before a fourth tone is bu2 (不要, 不对).
- ASCII digits are read in context first (:mod:`ivr.speech.reading`).
- Punctuation becomes a pause: ``,`` within a sentence, ``.`` at its end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pypinyin import Style, lazy_pinyin, load_phrases_dict

from ivr.speech.errors import UnreadableTextError
from ivr.speech.reading import FIXED_YI, marked_reading, read_digits_in

__all__ = [
    "PAUSES",
    "PHRASES",
    "read_digits_in",
    "syllables",
    "to_pinyin",
    "unreadable_characters",
]

PHRASES: dict[str, list[list[str]]] = {
    "重听": [["chóng"], ["tīng"]],
    "重拨": [["chóng"], ["bō"]],
    "还款": [["huán"], ["kuǎn"]],
    "还贷": [["huán"], ["dài"]],
    "归还": [["guī"], ["huán"]],
    "行长": [["háng"], ["zhǎng"]],
    "银行": [["yín"], ["háng"]],
    "地说": [["de"], ["shuō"]],
    "得快": [["de"], ["kuài"]],
}
"""Words whose reading pypinyin's own dictionary gets wrong or leaves open."""

PAUSES = {
    "，": ",", "、": ",", "；": ",", "：": ",", ",": ",", ";": ",", ":": ",",
    "。": ".", "！": ".", "？": ".", "!": ".", "?": ".", ".": ".",
}  # fmt: skip
"""Punctuation -> the pause mark passed to espeak-ng (clause or sentence)."""

_SKIPPED = set(" \u3000“”‘’\"'（）()《》")
_HAN = re.compile(rf"[\u4e00-\u9fff〇{FIXED_YI}]")
_NUMERALS = set("零〇一二三四五六七八九十百千万亿两幺") | {FIXED_YI}
_YI_ENDS_WORD = set("统唯万之逐单划专归合初同")
"""Characters before 一 that end a word with it (统一, 唯一, 万一...)."""

load_phrases_dict(PHRASES)


def to_pinyin(text: str) -> list[str]:
    """The script as syllables (``chong2``) and pause marks (``,`` ``.``)."""
    chinese = marked_reading(text).replace("〇", "零")
    tokens: list[str] = []
    for run in _runs(chinese):
        if run in PAUSES:
            tokens.append(PAUSES[run])
        else:
            tokens += _syllables_of(run)
    return tokens


def syllables(text: str) -> list[str]:
    """Only the syllables of :func:`to_pinyin`, without pauses."""
    return [token for token in to_pinyin(text) if token not in (",", ".")]


def unreadable_characters(text: str, language: str = "zh") -> list[str]:
    """Characters of ``text`` no voice can read (Latin letters, ``%``, ``&``...).

    Digits are read in context first, so ``3.5%`` is fine and a lone ``%``
    is not. Each character is listed once, in order.
    """
    read = read_digits_in(text, language)
    found = [ch for ch in read if not (_HAN.match(ch) or _silent_or_pause(ch))]
    return list(dict.fromkeys(found))


def _silent_or_pause(char: str) -> bool:
    return char in PAUSES or char in _SKIPPED


def _runs(text: str) -> Iterator[str]:
    """Split into runs of Chinese characters and single punctuation marks."""
    han = ""
    for char in text:
        if _HAN.match(char):
            han += char
            continue
        if han:
            yield han
            han = ""
        if char in PAUSES:
            yield char
        elif char not in _SKIPPED:
            raise UnreadableTextError(text, char)
    if han:
        yield han


def _syllables_of(run: str) -> list[str]:
    readings: list[str] = lazy_pinyin(
        run.replace(FIXED_YI, "一"), style=Style.TONE3, neutral_tone_with_five=True
    )
    return [_sandhi(run, readings, index) for index in range(len(run))]


def _sandhi(run: str, readings: list[str], index: int) -> str:
    """The reading of ``run[index]`` after the tone sandhi of 一 and 不."""
    char, reading = run[index], readings[index]
    if char == FIXED_YI:
        return "yi1"
    following = readings[index + 1] if index + 1 < len(run) else ""
    if char == "不" and reading == "bu4":
        return "bu2" if following.endswith("4") else reading
    if char != "一" or reading != "yi1" or _yi_keeps_first_tone(run, index):
        return reading
    return "yi2" if following[-1:] in ("4", "5") else "yi4"


def _yi_keeps_first_tone(run: str, index: int) -> bool:
    before = run[index - 1] if index else ""
    after = run[index + 1] if index + 1 < len(run) else ""
    if not after or after in _NUMERALS - set("十百千万亿"):
        return True
    return before == "第" or before in _YI_ENDS_WORD or before in _NUMERALS
