"""Numbers, money, dates, times and codes as Mandarin speech, and pinyin.

Each value reads two ways over one reading: ``speak_*`` gives the prompt ids
of recorded pieces to play in order (``num-liang``, ``unit-wan``...), and
``text_*`` the Chinese they say, for agents' screens, logs and tests.
:func:`to_pinyin` turns a whole script into the syllables the renderer's
pinyin voice speaks, after :func:`read_digits_in` has read its digits in
context (a year, an amount, a code...).
"""

from ivr.speech.dates import speak_date, speak_time, text_date, text_time
from ivr.speech.errors import SpeechError, UnreadableTextError, UnspeakableValueError
from ivr.speech.numbers import (
    COUNT_UNITS,
    speak_count,
    speak_digits,
    speak_money,
    speak_number,
    text_count,
    text_digits,
    text_money,
    text_number,
)
from ivr.speech.pieces import PIECE_SCRIPTS, Piece
from ivr.speech.pinyin import syllables, to_pinyin, unreadable_characters
from ivr.speech.reading import ambiguous_numbers, read_digits_in

__all__ = [
    "COUNT_UNITS",
    "PIECE_SCRIPTS",
    "Piece",
    "SpeechError",
    "UnreadableTextError",
    "UnspeakableValueError",
    "ambiguous_numbers",
    "read_digits_in",
    "speak_count",
    "speak_date",
    "speak_digits",
    "speak_money",
    "speak_number",
    "speak_time",
    "syllables",
    "text_count",
    "text_date",
    "text_digits",
    "text_money",
    "text_number",
    "text_time",
    "to_pinyin",
    "unreadable_characters",
]
