"""Tests for masking and keyed hashing of caller numbers."""

from ivr.privacy import (
    hash_number,
    is_callable_number,
    mask_number,
    national_number,
)


def test_mobile_number_keeps_prefix_and_last_two() -> None:
    """A mobile number shows its first three and last two digits only."""
    assert mask_number("13812345678") == "138******78"


def test_short_numbers_reveal_almost_nothing() -> None:
    """Extensions and short codes keep only their last digit or two."""
    assert mask_number("1001") == "***1"
    assert mask_number("123456") == "1***56"


def test_missing_number_masks_to_empty() -> None:
    """An unknown caller masks to an empty string, not to 'None'."""
    assert mask_number(None) == ""
    assert hash_number(None, b"k") == ""


def test_hash_is_keyed_and_stable() -> None:
    """The same number hashes alike under one key and differently under another."""
    first = hash_number("13812345678", b"key-one")

    assert first == hash_number("13812345678", b"key-one")
    assert first != hash_number("13812345678", b"key-two")
    assert "13812345678" not in first


def test_only_digit_strings_are_callable_numbers() -> None:
    """Withheld caller IDs ("anonymous", empty, None) are nobody's number."""
    assert is_callable_number("13812345678")
    for withheld in ("anonymous", "unknown", "", None, "+8613812345678", "１２３"):
        assert not is_callable_number(withheld), withheld


def test_national_number_forms() -> None:
    """Country code dropped, a fixed line's trunk 0 restored, withheld IDs none."""
    cases = {
        "13800000000": "13800000000",
        "+86 138-0000-0000": "13800000000",
        "008613800000000": "13800000000",
        "8613800000000": "13800000000",
        "+861012345678": "01012345678",
        "0086571888888888": "0571888888888",
        "01012345678": "01012345678",
        "86123456": "86123456",
        "+441234567890": "00441234567890",
        "anonymous": None,
        "": None,
        "+86": None,
        "+": None,
    }

    assert {raw: national_number(raw) for raw in cases} == cases
    assert national_number(None) is None
