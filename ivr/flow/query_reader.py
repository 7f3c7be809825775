"""Read a ``query`` node of ``menus.yaml`` (see :mod:`ivr.flow.query_model`).

For example::

    query-pension:
      kind: query
      backend: hrss                 # a backend of the backends file
      query: pension-payments       # a query of that backend
      inputs: [id_number]           # id_number, pin, certificate
      # pin_digits: 6               # with the input pin: its length (4-12)
      verify: phone                 # pin, phone or none
      prompts: query-intro
      say:
        - field: last_amount
          as: money
          before: query-pension-amount
      next: self-service
      on_locked: agent-general
      on_unavailable: query-unavailable-menu

The fixed prompts a query plays (asking for each input, the reasons an ID
number is refused, "please wait", "not found"...) are named in
:mod:`ivr.flow.query_model`; they are checked against the catalog like the
prompts written here.
"""

from __future__ import annotations

from ivr.flow.model import Node, Settings
from ivr.flow.problems import Reader, suggest
from ivr.flow.query_model import (
    FIELD_KINDS,
    INPUTS,
    VERIFY_METHODS,
    QueryNode,
    SpokenField,
    fixed_prompts,
)
from ivr.flow.yamlpos import PMap, PNode, PScalar, PSeq
from ivr.speech import COUNT_UNITS

__all__ = ["QUERY_REQUIRED", "QUERY_SETTINGS", "read_query"]

QUERY_SETTINGS = (
    "backend",
    "query",
    "inputs",
    "verify",
    "prompts",
    "say",
    "closing",
    "next",
    "on_locked",
    "on_unavailable",
    "on_not_found",
    "on_no_input",
    "attempts",
    "timeout",
    "pin_digits",
)
QUERY_REQUIRED = (
    "backend",
    "query",
    "inputs",
    "say",
    "next",
    "on_locked",
    "on_unavailable",
)
MAX_PIN_DIGITS = 12
"""The longest PIN a query node may ask for: a longer one is no PIN a
caller keys from memory, and more likely a mistyped setting."""
_FIELD_SETTINGS = ("field", "as", "before", "after", "unit", "values")


def read_query(
    reader: Reader, what: str, key: PScalar, body: PMap, settings: Settings
) -> Node | None:
    """Build a :class:`QueryNode`, reporting every mistake in its lines."""
    inputs, all_known = _inputs(reader, body.get("inputs"))
    verify = _verify(reader, what, key, body.get("verify"), inputs)
    if all_known:
        _check_person(reader, what, key, verify, inputs)
    fixed = fixed_prompts(inputs, verify)
    reader.prompt_refs.extend((prompt, key.pos) for prompt in fixed)
    attempts = reader.integer(body.get("attempts"), "attempts", low=1)
    pin_digits = _pin_digits(reader, body, inputs)
    _remember_names(reader, body)
    return QueryNode(
        id=key.value,
        pos=key.pos,
        backend=reader.text(body.get("backend"), "backend") or "",
        query=reader.text(body.get("query"), "query") or "",
        inputs=inputs,
        verify=verify,
        prompts=reader.prompts(body.get("prompts"), "prompts") or (),
        say=_fields(reader, body.get("say")),
        closing=reader.prompts(body.get("closing"), "closing") or (),
        next=reader.target(body.get("next"), "next") or "",
        on_locked=reader.target(body.get("on_locked"), "on_locked") or "",
        on_unavailable=reader.target(body.get("on_unavailable"), "on_unavailable")
        or "",
        on_not_found=_not_found_target(reader, what, key, body, verify),
        on_no_input=reader.target(body.get("on_no_input"), "on_no_input")
        or settings.defaults.on_no_input,
        attempts=attempts or 3,
        timeout=reader.number(body.get("timeout"), "timeout", low=1) or 10.0,
        pin_digits=pin_digits or 6,
    )


def _not_found_target(
    reader: Reader, what: str, key: PScalar, body: PMap, verify: str
) -> str:
    """``on_not_found``: needed by a certificate check, unused elsewhere.

    Where the caller's identity is verified, "nothing on record" is told
    as a mismatch (art. 25: no caller may learn whether an ID number is on
    record), so the node never leaves that way.
    """
    node = body.get("on_not_found")
    if node is None and verify == "none":
        reader.error(key.pos, f"{what} needs 'on_not_found:' (with verify: none)")
    elif node is not None and verify != "none":
        reader.warning(
            node.pos,
            f"on_not_found is not used with verify: {verify}: nothing on "
            "record is told as a mismatch, so no caller learns whether an "
            "ID number is on record (norm art. 25); remove it",
        )
    return reader.target(node, "on_not_found") or ""


def _pin_digits(reader: Reader, body: PMap, inputs: tuple[str, ...]) -> int | None:
    """``pin_digits``: how many digits a PIN has (4 to 12), only with a PIN.

    A PIN keyed with another number of digits is a keying mistake the node
    tells and asks again; it never reaches the backend.
    """
    node = body.get("pin_digits")
    if node is not None and "pin" not in inputs:
        reader.warning(node.pos, "pin_digits is not used without the input pin")
    return reader.integer(node, "pin_digits", low=4, high=MAX_PIN_DIGITS)


def _remember_names(reader: Reader, body: PMap) -> None:
    """Keep ``backend:`` and ``query:`` for the check against the backends."""
    backend, query = body.get("backend"), body.get("query")
    if isinstance(backend, PScalar) and isinstance(query, PScalar):
        reader.query_refs.append((backend, query))


def _inputs(reader: Reader, node: PNode | None) -> tuple[tuple[str, ...], bool]:
    """The known inputs, and whether every one written is known (a
    misspelt one is reported here, so rules on the set wait for it)."""
    names = reader.texts(node, "inputs") or ()
    for name, item in zip(names, _items(node), strict=False):
        if name not in INPUTS:
            hint = suggest(name, INPUTS)
            reader.error(
                item.pos, f"unknown input {name!r}{hint}; use {', '.join(INPUTS)}"
            )
    if len(set(names)) != len(names) and node is not None:
        reader.error(node.pos, "inputs: each input once")
    known = tuple(name for name in names if name in INPUTS)
    return known, len(known) == len(names)


def _verify(
    reader: Reader,
    what: str,
    key: PScalar,
    node: PNode | None,
    inputs: tuple[str, ...],
) -> str:
    method = reader.text(node, "verify") or ("pin" if "pin" in inputs else "phone")
    if method not in VERIFY_METHODS and node is not None:
        reader.error(
            node.pos,
            f"verify must be one of {', '.join(VERIFY_METHODS)}, not {method!r}",
        )
    if (method == "pin") != ("pin" in inputs):
        reader.error(key.pos, f"{what}: 'verify: pin' and the input 'pin' go together")
    return method


def _check_person(
    reader: Reader, what: str, key: PScalar, verify: str, inputs: tuple[str, ...]
) -> None:
    """A PIN or phone check needs the ID number: whose PIN, whose phone?
    Personal data needs the person (art. 25), and the per-ID-number daily
    limit needs a number to count against."""
    if verify in ("pin", "phone") and "id_number" not in inputs:
        reader.error(
            key.pos,
            f"{what}: 'verify: {verify}' checks a person, so inputs need 'id_number'",
        )


def _fields(reader: Reader, node: PNode | None) -> tuple[SpokenField, ...]:
    if node is None:
        return ()
    if not isinstance(node, PSeq) or not node.items:
        reader.error(node.pos, "say must be a list of fields (- field: ...)")
        return ()
    built = (_field(reader, item) for item in node.items)
    return tuple(item for item in built if item is not None)


def _field(reader: Reader, node: PNode) -> SpokenField | None:
    body = reader.mapping(node, "a say item")
    if body is None:
        return None
    reader.fields(body, _FIELD_SETTINGS, "a say item")
    name = reader.text(body.get("field"), "field")
    kind = reader.text(body.get("as"), "as")
    if name is None or kind is None:
        reader.error(node.pos, "a say item needs 'field:' and 'as:'")
        return None
    if kind not in FIELD_KINDS:
        where = body.get("as")
        assert where is not None
        hint = suggest(kind, FIELD_KINDS)
        reader.error(where.pos, f"as: {kind!r}{hint}; use {', '.join(FIELD_KINDS)}")
    return SpokenField(
        name=name,
        kind=kind,
        before=reader.prompts(body.get("before"), "before") or (),
        after=reader.prompts(body.get("after"), "after") or (),
        unit=_unit(reader, body, kind),
        values=_values(reader, body, kind),
    )


def _unit(reader: Reader, body: PMap, kind: str) -> str:
    unit = reader.text(body.get("unit"), "unit") or ""
    where = body.get("unit") or body.get("as")
    assert where is not None
    if kind == "count" and unit not in COUNT_UNITS:
        reader.error(where.pos, f"a count needs 'unit:' ({', '.join(COUNT_UNITS)})")
    return unit


def _values(reader: Reader, body: PMap, kind: str) -> dict[str, str]:
    section = reader.mapping(body.get("values"), "'values'")
    if kind == "text" and not section:
        where = body.get("as")
        assert where is not None
        reader.error(where.pos, "a text field needs 'values:' (value: prompt-id)")
    found: dict[str, str] = {}
    for value, prompt in section.entries if section else ():
        ids = reader.prompts(prompt, f"value {value.value!r}")
        if ids:
            found[value.value] = ids[0]
    return found


def _items(node: PNode | None) -> list[PNode]:
    if isinstance(node, PSeq):
        return list(node.items)
    return [node] if node is not None else []
