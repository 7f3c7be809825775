"""YAML with positions: marks, raw scalars and duplicate keys."""

from __future__ import annotations

import pytest

from ivr.flow.yamlpos import (
    PMap,
    Position,
    PScalar,
    PSeq,
    YamlSyntaxError,
    parse_yaml,
    parse_yaml_bytes,
)


def test_positions_are_one_based_for_keys_and_values() -> None:
    """Keys, scalars and sequences keep the line and column they start at."""
    document = parse_yaml("a:\n  b: [x, 'y']\n", "f.yaml")

    root = document.root
    assert isinstance(root, PMap)
    inner = root.get("a")
    assert isinstance(inner, PMap)
    key = inner.key("b")
    items = inner.get("b")
    assert key is not None and key.pos == Position("f.yaml", 2, 3)
    assert isinstance(items, PSeq)
    assert [item.pos.column for item in items.items] == [7, 10]
    assert items.items[1] == PScalar("y", Position("f.yaml", 2, 10), plain=False)


def test_scalars_keep_their_raw_text() -> None:
    """09:00 stays a string instead of YAML 1.1's sexagesimal 540."""
    document = parse_yaml("t: 09:00\nd: 2026-02-30\n", "f.yaml")

    assert isinstance(document.root, PMap)
    assert document.root.get("t") == PScalar("09:00", Position("f.yaml", 1, 4))
    assert document.root.get("d") == PScalar("2026-02-30", Position("f.yaml", 2, 4))


def test_duplicate_keys_are_listed_with_both_positions() -> None:
    """A key written twice is reported, quoted or not."""
    document = parse_yaml('m:\n  "1": a\n  2: b\n  1: c\n', "f.yaml")

    [duplicate] = document.duplicates
    assert duplicate.name == "1"
    assert duplicate.first == Position("f.yaml", 2, 3)
    assert duplicate.second == Position("f.yaml", 4, 3)


def test_unclosed_list_points_where_it_opens() -> None:
    """An unclosed '[' is reported at the bracket, in plain words."""
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml("a: [1,\nb: 2\n", "f.yaml")

    assert caught.value.pos == Position("f.yaml", 1, 4)
    assert caught.value.message == (
        "not valid YAML: a list opened here with '[' is not closed with ']'"
    )


def test_control_character_is_named_at_its_place() -> None:
    """A stray control code (not NUL) is named and located, one line."""
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml_bytes(b"a: 1\nb: x\x07\n", "f.yaml")

    assert caught.value.pos == Position("f.yaml", 2, 5)
    assert "#x0007" in caught.value.message
    assert "\n" not in caught.value.message


def test_empty_document_has_no_root() -> None:
    """An empty file parses to no root and no duplicates."""
    document = parse_yaml("# only a comment\n", "f.yaml")

    assert document.root is None
    assert document.duplicates == []
