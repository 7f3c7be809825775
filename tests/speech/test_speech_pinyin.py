"""Scripts to pinyin: heteronyms, tone sandhi of 一/不, digits, pauses."""

from __future__ import annotations

import pytest

from ivr.speech import UnreadableTextError, syllables, to_pinyin


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("重听", "chong2 ting1"),
        ("重新", "chong2 xin1"),
        ("重要", "zhong4 yao4"),
        ("银行", "yin2 hang2"),
        ("还款", "huan2 kuan3"),
        ("还是", "hai2 shi4"),
        ("长期", "chang2 qi1"),
        ("成长", "cheng2 zhang3"),
        ("行政", "xing2 zheng4"),
        ("好了", "hao3 le5"),
        ("了解", "liao3 jie3"),
        ("慢慢地说", "man4 man4 de5 shuo1"),
        ("地方", "di4 fang1"),
        ("跑得快", "pao3 de5 kuai4"),
        ("得到", "de2 dao4"),
        ("一个", "yi2 ge4"),
        ("不要", "bu2 yao4"),
    ],
)
def test_heteronyms_take_their_word_reading(text: str, expected: str) -> None:
    """A character with several readings is read as its word says."""
    assert " ".join(syllables(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("重拨一遍", "chong2 bo1 yi2 bian4"),
        ("换一部", "huan4 yi2 bu4"),
        ("一万", "yi2 wan4"),
        ("一样", "yi2 yang4"),
        ("一下", "yi2 xia4"),
        ("一般", "yi4 ban1"),
        ("一千", "yi4 qian1"),
        ("一年", "yi4 nian2"),
        ("第一", "di4 yi1"),
        ("第1期", "di4 yi1 qi1"),
        ("统一咨询日", "tong3 yi1 zi1 xun2 ri4"),
        ("十一月", "shi2 yi1 yue4"),
        ("一一对应", "yi1 yi1 dui4 ying4"),
        ("2021年1月1日", "er4 ling2 er4 yi1 nian2 yi1 yue4 yi1 ri4"),
        ("1:00", "yi1 dian3"),
        ("按1", "an4 yi1"),
        ("1个月", "yi2 ge4 yue4"),
        ("不对", "bu2 dui4"),
        ("不好", "bu4 hao3"),
        ("不是", "bu2 shi4"),
    ],
)
def test_tone_sandhi_of_yi_and_bu(text: str, expected: str) -> None:
    """一 and 不 change tone by what follows, except in ordinals and dates."""
    assert " ".join(syllables(text)) == expected


def test_digits_read_as_numbers_or_digit_strings() -> None:
    """按1 is a number; the 12333 hotline is read digit by digit with 幺."""
    tokens = to_pinyin("掌上12333，请按1。三十日")

    assert tokens == [
        "zhang3", "shang4", "yao1", "er4", "san1", "san1", "san1", ",",
        "qing3", "an4", "yi1", ".", "san1", "shi2", "ri4",
    ]  # fmt: skip


def test_punctuation_becomes_pauses_and_quotes_are_silent() -> None:
    """Clause and sentence marks become ',' and '.'; quotes are not read."""
    assert to_pinyin("“您好”；再见！") == ["nin2", "hao3", ",", "zai4", "jian4", "."]


def test_unreadable_character_is_refused() -> None:
    """A Latin letter cannot be read by the pinyin voice: it is an error."""
    with pytest.raises(UnreadableTextError) as caught:
        to_pinyin("请按A键")

    assert caught.value.char == "A"
