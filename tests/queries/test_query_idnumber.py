"""The resident ID number as keyed on a phone: checks, masked form, hash."""

from __future__ import annotations

from datetime import date

import pytest

from ivr.privacy import hash_number
from ivr.queries import IdNumberError, check_character, parse_keyed_id
from ivr.queries.backend_config import read_backends
from ivr.queries.errors import BackendConfigError

TODAY = date(2026, 12, 3)
VALID_X = "11010119700101018X"


def test_star_stands_for_x_and_is_checked() -> None:
    """``*`` as the last key is the check character X."""
    number = parse_keyed_id("11010119700101018*", TODAY)

    assert number.value == VALID_X
    assert number.birth_date == date(1970, 1, 1)


def test_gb11643_check_character_of_the_standard_example() -> None:
    """The worked example of GB 11643-1999 (11010519491231002X)."""
    assert check_character("11010519491231002") == "X"
    assert check_character("11010119700101001") == "6"


@pytest.mark.parametrize(
    ("keys", "reason"),
    [
        ("1101011970010101", "length"),
        ("11010119700101018*0", "length"),
        ("1101011970010*018X", "characters"),
        ("110101197001010181", "check_digit"),
        ("11010120270101001" + check_character("11010120270101001"), "birth_date"),
        ("11010118991231001" + check_character("11010118991231001"), "birth_date"),
        ("11010119700231001" + check_character("11010119700231001"), "birth_date"),
        ("99010119700101001" + check_character("99010119700101001"), "region"),
    ],
)
def test_refusals_name_their_reason(keys: str, reason: str) -> None:
    """Each refusal carries the reason the caller hears, never the number."""
    with pytest.raises(IdNumberError) as caught:
        parse_keyed_id(keys, TODAY)

    assert caught.value.reason == reason
    assert keys not in str(caught.value)


def test_masked_form_and_repr_hide_the_number() -> None:
    """Only the first three and last two characters are ever shown."""
    number = parse_keyed_id(VALID_X, TODAY)

    assert number.masked == "110*************8X"
    assert str(number) == number.masked
    assert VALID_X not in repr(number)


def test_keyed_hash_differs_from_a_phone_hash_and_by_key() -> None:
    """The hash depends on the key and never equals a caller-number hash."""
    number = parse_keyed_id(VALID_X, TODAY)
    key = b"k" * 32

    assert number.keyed_hash(key) != hash_number(VALID_X, key)
    assert number.keyed_hash(key) != number.keyed_hash(b"j" * 32)
    assert len(number.keyed_hash(key)) == 64


def test_backends_file_reads_secrets_from_the_environment() -> None:
    """``${NAME}`` in headers is read from the environment; unset is an error."""
    data = {
        "backends": {
            "hrss": {
                "base_url": "https://si.example/api/",
                "headers": {"X-Api-Key": "${HRSS_KEY}"},
                "queries": {"q": {"url": "/q"}},
            }
        }
    }

    found = read_backends(data, "b.yaml", {"HRSS_KEY": "s3cret"})["hrss"]
    with pytest.raises(BackendConfigError, match="HRSS_KEY is not set"):
        read_backends(data, "b.yaml", {})

    assert found.headers == {"X-Api-Key": "s3cret"}
    assert found.base_url == "https://si.example/api"
    assert found.queries["q"].method == "POST"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"queries": {"q": {"url": "/q"}}}, "needs 'base_url:'"),
        ({"base_url": "demo"}, "needs 'queries:'"),
        ({"base_url": "demo", "queries": {"q": {"method": "PUT", "url": "/"}}}, "GET"),
        (
            {"base_url": "demo", "queries": {"q": {"url": "/"}}, "retries": -1},
            "retries",
        ),
        ({"base_url": "demo", "queries": {"q": {"url": "/"}}, "timout": 3}, "timout"),
    ],
)
def test_backends_file_mistakes_are_named(
    body: dict[str, object], message: str
) -> None:
    """Each mistake in a backend names the backend and the setting."""
    with pytest.raises(BackendConfigError, match=message) as caught:
        read_backends({"backends": {"hrss": body}}, "b.yaml", {})

    assert "b.yaml: backend 'hrss'" in str(caught.value)
