"""Tests for masking and keyed hashing of caller numbers."""

from ivr.privacy import hash_number, is_callable_number, mask_number


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
