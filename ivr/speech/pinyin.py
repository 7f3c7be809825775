"""Chinese scripts as pinyin syllables with tone numbers, for the pinyin voice.

espeak-ng's ``cmn`` voice reads characters from its own small dictionary and
misreads many (重听 as zhòng, 银行 skipped or spelt in English on Debian 12);
its ``cmn-latn-pinyin`` voice reads pinyin with tone numbers exactly. So a
script is first turned into syllables here, with pypinyin (phrases first, so
a heteronym takes the reading of its word), then spoken.

- Heteronyms pypinyin gets wrong in our scripts are fixed by :data:`PHRASES`
  (重听 chong2 ting1, 还款 huan2 kuan3); its tone sandhi for 一 and 不 is on,
  so 一个 is yi2 ge4 and 不要 bu2 yao4, as said.
- ASCII digits are read by :mod:`ivr.speech.numbers` first: a key or count
  (按1, 30日) as a number, a run of five or more digits or one starting with 0
  (12333, a phone number) digit by digit with 幺.
- Punctuation becomes a pause: ``,`` within a sentence, ``.`` at its end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pypinyin import Style, lazy_pinyin, load_phrases_dict

from ivr.speech.errors import UnreadableTextError
from ivr.speech.numbers import text_digits, text_number

__all__ = ["PAUSES", "PHRASES", "read_digits_in", "syllables", "to_pinyin"]

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
_DIGITS = re.compile(r"[0-9]+")
_HAN = re.compile(r"[\u4e00-\u9fff〇]")

load_phrases_dict(PHRASES)


def read_digits_in(text: str) -> str:
    """Replace ASCII digit runs with the Chinese they are read as."""
    return _DIGITS.sub(_read_digit_run, text)


def _read_digit_run(match: re.Match[str]) -> str:
    run = match.group()
    if len(run) >= 5 or (len(run) > 1 and run.startswith("0")):
        return text_digits(run)
    return text_number(int(run))


def to_pinyin(text: str) -> list[str]:
    """The script as syllables (``chong2``) and pause marks (``,`` ``.``)."""
    chinese = read_digits_in(text).replace("〇", "零")
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
        run, style=Style.TONE3, neutral_tone_with_five=True, tone_sandhi=True
    )
    return readings
