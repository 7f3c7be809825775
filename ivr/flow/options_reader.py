"""Read a menu's keys: ``options`` (every day) and ``campaigns`` (a few days).

A campaign item is a key offered between two dates only, for example the
graduates' expert line on the national consultation day::

    campaigns:
      - key: "9"
        to: graduates-line
        from: 2026-03-30
        until: 2026-03-30
        prompts: campaign-graduates-menu

Both dates are included and read in ``settings.timezone``. Its key may not be
a permanent option of the same menu, and two items on one key may not run on
the same day: on any day, each key leads to one place.
"""

from __future__ import annotations

import re
from datetime import date

from ivr.flow.model import REPEAT, CampaignOption
from ivr.flow.problems import Reader
from ivr.flow.yamlpos import PMap, PNode, Position, PScalar, PSeq

__all__ = ["read_campaigns", "read_options"]

_SINGLE_KEY = re.compile(r"^[*#]$")
_CAMPAIGN = ("key", "to", "from", "until", "prompts")
_ITEM = "a campaign item"


def read_options(reader: Reader, node: PNode | None, max_digits: int) -> dict[str, str]:
    """The ``options:`` mapping of a menu: key -> node id (or ``repeat``)."""
    section = reader.mapping(node, "'options'")
    if section is None:
        return {}
    options: dict[str, str] = {}
    for key, value in section.entries:
        _check_key(reader, key, max_digits)
        target = reader.text(value, f"key {key.value!r}")
        if target is not None and target != REPEAT:
            reader.node_refs.append((target, value.pos))
        if target is not None:
            options[key.value] = target
    return options


def _check_key(reader: Reader, key: PScalar, max_digits: int) -> None:
    digits = re.compile(rf"^[0-9]{{1,{max_digits}}}$")
    if not (digits.match(key.value) or _SINGLE_KEY.match(key.value)):
        reader.error(
            key.pos, f"{key.value!r} is not a key callers can press; use 0-9, * or #"
        )


def read_campaigns(
    reader: Reader, node: PNode | None, max_digits: int, options: dict[str, str]
) -> tuple[CampaignOption, ...]:
    """The ``campaigns:`` list of a menu, every item checked."""
    if node is None or (isinstance(node, PScalar) and node.is_null):
        return ()
    if not isinstance(node, PSeq):
        reader.error(node.pos, "campaigns must be a list of items, each '- key: ...'")
        return ()
    read = (_campaign(reader, item, max_digits, options) for item in node.items)
    found = [item for item in read if item is not None]
    _check_overlaps(reader, found)
    return tuple(item for item, _ in found)


def _campaign(
    reader: Reader, node: PNode, max_digits: int, options: dict[str, str]
) -> tuple[CampaignOption, Position] | None:
    entry = reader.mapping(node, _ITEM)
    if entry is None:
        return None
    reader.fields(entry, _CAMPAIGN, _ITEM)
    missing = [name for name in _CAMPAIGN if entry.get(name) is None]
    if missing:
        needs = ", ".join(f"'{name}:'" for name in missing)
        reader.error(entry.pos, f"{_ITEM} needs {needs} (it has {_has(entry)})")
    key = _campaign_key(reader, entry.get("key"), max_digits, options)
    target = reader.target(entry.get("to"), "to")
    first, last = _dates(reader, entry)
    prompts = reader.prompts(entry.get("prompts"), "prompts")
    if missing or key is None or target is None or not prompts:
        return None
    if first is None or last is None:
        return None
    return CampaignOption(key, target, first, last, prompts), entry.pos


def _has(entry: PMap) -> str:
    names = [key.value for key, _ in entry.entries]
    return ", ".join(names) if names else "nothing"


def _campaign_key(
    reader: Reader, node: PNode | None, max_digits: int, options: dict[str, str]
) -> str | None:
    if not isinstance(node, PScalar):
        return reader.text(node, "key")
    _check_key(reader, node, max_digits)
    if node.value in options:
        reader.error(
            node.pos,
            f"key {node.value!r} is already a permanent option of this menu "
            f"(to {options[node.value]!r}); give the campaign item a key of its own",
        )
    return reader.text(node, "key")


def _dates(reader: Reader, entry: PMap) -> tuple[date | None, date | None]:
    first = reader.day(entry.get("from"), "from")
    last = reader.day(entry.get("until"), "until")
    until = entry.get("until")
    if first and last and last < first and until is not None:
        reader.error(
            until.pos,
            f"until {last.isoformat()} is before from {first.isoformat()}; "
            "the item would never be offered (both dates are included)",
        )
        return first, None
    return first, last


def _check_overlaps(
    reader: Reader, found: list[tuple[CampaignOption, Position]]
) -> None:
    for index, (item, pos) in enumerate(found):
        for earlier, earlier_pos in found[:index]:
            if earlier.key == item.key and _overlap(earlier, item):
                reader.error(
                    pos,
                    f"campaign key {item.key!r} ({item}) runs on the same days as "
                    f"the item at line {earlier_pos.line} ({earlier}); "
                    "on any day a key can lead to one place only",
                )


def _overlap(one: CampaignOption, other: CampaignOption) -> bool:
    return one.first_day <= other.last_day and other.first_day <= one.last_day
