"""Annex 2 of the service norm (服务禁忌用语): phrases no prompt may say.

The norm lists six kinds of forbidden wording, each with example phrases.
The examples are kept here as data, with the article they come from, and a
script containing one (compared without punctuation or spaces, so
``请你挂电话！`` and ``请你 挂电话`` are the same) is an error. The patterns
behind the examples (rhetorical questions such as 难道, commands such as
你必须, blame and sarcasm) are caught by the regular expressions of
:data:`PATTERNS` and reported as warnings: a person should read the line,
since some words are harmless in another sentence.

The polite pronoun does not make a phrase polite: 请您挂电话 is the example
请你挂电话 and an error alike, 您必须 a command like 你必须. Invisible format
characters (zero-width spaces and joiners, Unicode category Cf) are dropped
before comparing, so they cannot hide a phrase. Cantonese scripts are also
checked against :data:`CANTONESE_ANNEX2`, the usual Cantonese wording of the
same examples (你煩唔煩, 呢個我點知, 唔好再打嚟...).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "ANNEX2",
    "CANTONESE_ANNEX2",
    "PATTERNS",
    "Finding",
    "ForbiddenPhrase",
    "PhrasePattern",
    "find_forbidden",
    "find_suspect",
    "normalise",
]

_ANNEX = "附件2"


@dataclass(frozen=True, slots=True)
class ForbiddenPhrase:
    """One example phrase of Annex 2, as the norm writes it."""

    text: str
    article: str

    @property
    def key(self) -> str:
        """The phrase without punctuation or spaces, as scripts are compared."""
        return normalise(self.text)


@dataclass(frozen=True, slots=True)
class PhrasePattern:
    """A kind of wording Annex 2 forbids, recognised by a regular expression."""

    regex: re.Pattern[str]
    kind: str
    article: str
    mandarin_only: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """A phrase or pattern found in a script, and the article that forbids it."""

    found: str
    kind: str
    article: str

    def reason(self) -> str:
        """Why it is forbidden, naming the Annex 2 article."""
        return f"{self.kind}, {_ANNEX} {self.article}"


_EXAMPLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("一、不规范的言语", ("喂！", "什么事呀？", "我不知道！", "请你挂电话！")),
    (
        "二、埋怨来电者的言语",
        ("什么事啊！", "你烦不烦？", "急什么！", "不是告诉你了吗，怎么还问？"),
    ),
    (
        "三、敷衍、推诿的言语",
        ("你问我，我问谁？", "这个我怎么知道？", "你的问题不归我们管！"),
    ),
    ("四、嘲讽、激化矛盾的言语", ("你去投诉好了！", "不行就不行！", "别再来电话了！")),
    (
        "五、反问（质问）、教训的言语",
        ("我讲得很清楚了，你还没懂？", "我是为你一个人在服务吗？"),
    ),
    ("六、侮辱性的言语", ("怎么基本常识都不懂！", "这个我说了你也不懂！")),
)

ANNEX2: tuple[ForbiddenPhrase, ...] = tuple(
    ForbiddenPhrase(text, article) for article, texts in _EXAMPLES for text in texts
)
"""Every example phrase of Annex 2, in the norm's order, with its article."""

_CANTONESE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("一、不规范的言语", ("咩事呀？", "我唔知！", "你收線啦！")),
    ("二、埋怨来电者的言语", ("你煩唔煩？", "急乜嘢！", "唔係話咗你知㗎咩？")),
    (
        "三、敷衍、推诿的言语",
        ("你問我，我問邊個？", "呢個我點知？", "你嘅問題唔關我哋事！"),
    ),
    ("四、嘲讽、激化矛盾的言语", ("你去投訴啦！", "唔得就唔得！", "唔好再打嚟！")),
    ("五、反问（质问）、教训的言语", ("我講得好清楚喇，你仲唔明？",)),
    ("六、侮辱性的言语", ("常識都唔識！", "講咗你都唔明！")),
)

CANTONESE_ANNEX2: tuple[ForbiddenPhrase, ...] = tuple(
    ForbiddenPhrase(text, article) for article, texts in _CANTONESE for text in texts
)
"""The Annex 2 examples as Cantonese speakers say them, with the article of
the Mandarin example each renders; checked in every script."""


def _pattern(
    expression: str, kind: str, article: str, *, mandarin_only: bool = False
) -> PhrasePattern:
    return PhrasePattern(re.compile(expression), kind, article, mandarin_only)


_PLAIN = "一、不规范的言语"
_BLAME = "二、埋怨来电者的言语"
_EVASIVE = "三、敷衍、推诿的言语"
_SARCASM = "四、嘲讽、激化矛盾的言语"
_LECTURE = "五、反问（质问）、教训的言语"
_INSULT = "六、侮辱性的言语"

PATTERNS: tuple[PhrasePattern, ...] = (
    _pattern(r"难道", "a rhetorical question (反问)", _LECTURE),
    _pattern(
        r"怎么还|还没懂|还不懂|听不懂吗", "a reproachful question (质问)", _LECTURE
    ),
    _pattern(r"不是告诉你|说过多少遍|说了多少遍", "a lecture (教训)", _LECTURE),
    _pattern(
        r"请[你您]挂|[你您]必须|[你您]给我|不许(?!可)|不准[你您]",
        "a command (命令语气)",
        _PLAIN,
    ),
    _pattern(
        r"你(?!们)",
        "'你' where the norm addresses callers as '您'",
        _PLAIN,
        mandarin_only=True,
    ),
    _pattern(r"烦不烦|急什么|怎么又|烦唔烦|急乜", "blame (埋怨)", _BLAME),
    _pattern(r"不归我们管|不关我们|我怎么知道|问别人去", "evasion (推诿)", _EVASIVE),
    _pattern(r"别再|好了吧|随便你|爱打不打|唔好再打", "sarcasm (嘲讽)", _SARCASM),
    _pattern(r"常识都不懂|说了.{0,2}也不懂", "an insult (侮辱)", _INSULT),
)
"""The patterns of Annex 2's articles, each reported as a warning. Written
Cantonese has no polite '您', so the '你' pattern is for Mandarin only."""


_TRADITIONAL = str.maketrans(
    "麼甚請掛電話煩訴還問誰這個題歸們別來講為務識說沒難準許給須關隨愛聽嗎過嘲諷",
    "么什请挂电话烦诉还问谁这个题归们别来讲为务识说没难准许给须关随爱听吗过嘲讽",
)
"""Traditional characters of the phrases and patterns -> simplified, so a
script in traditional characters (the Cantonese file) is compared alike."""


def normalise(text: str) -> str:
    """``text`` compared form: no spaces, punctuation or Cf; NFKC, simplified.

    Only the traditional characters that occur in Annex 2's phrases and
    patterns are folded (:data:`_TRADITIONAL`); others do not matter here.
    """
    folded = _visible(text).translate(_TRADITIONAL)
    return "".join(ch for ch in folded if _kept(ch))


def _visible(text: str) -> str:
    """NFKC form of ``text`` without format characters (zero-width...)."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")


def _kept(ch: str) -> bool:
    return not ch.isspace() and not unicodedata.category(ch).startswith("P")


def _clauses(text: str) -> list[str]:
    """The clauses of ``text`` between punctuation, each normalised."""
    pieces = re.split(r"[\s\W_]+", _visible(text))
    return [normalise(piece) for piece in pieces if normalise(piece)]


def _plain_pronoun(text: str) -> str:
    """您 written as 你, so a polite pronoun does not hide a phrase."""
    return text.replace("您", "你")


def find_forbidden(text: str) -> list[Finding]:
    """The Annex 2 example phrases ``text`` contains, 您 read as 你.

    A phrase of one character (the interjection 喂) counts only as a clause
    of its own, so 喂养 is not mistaken for it.
    """
    whole = _plain_pronoun(normalise(text))
    clauses = _clauses(text)
    found = [
        phrase
        for phrase in (*ANNEX2, *CANTONESE_ANNEX2)
        if (phrase.key in clauses if len(phrase.key) == 1 else phrase.key in whole)
    ]
    kind = "a forbidden phrase (服务禁忌用语)"
    return [Finding(phrase.text, kind, phrase.article) for phrase in found]


def find_suspect(text: str, *, mandarin: bool = True) -> list[Finding]:
    """The Annex 2 patterns in ``text``, one finding per pattern at most.

    ``mandarin`` false (a dialect or minority-language script) leaves out the
    patterns that hold for Mandarin only.
    """
    whole = normalise(text)
    patterns = [p for p in PATTERNS if mandarin or not p.mandarin_only]
    matches = ((pattern, pattern.regex.search(whole)) for pattern in patterns)
    return [
        Finding(match.group(0), pattern.kind, pattern.article)
        for pattern, match in matches
        if match is not None
    ]
