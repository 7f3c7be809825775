"""The ``query`` node: a self-service information query with verification.

Kept apart from :mod:`ivr.flow.model` because it is larger than the other
kinds: what to collect, how the caller is verified, how each field of the
answer is read, and where each outcome leads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ivr.flow.model import Node

__all__ = [
    "ASK_PROMPTS",
    "FIELD_KINDS",
    "ID_REASON_PROMPTS",
    "INPUTS",
    "PIN_LENGTH_PROMPT",
    "VERDICT_PROMPTS",
    "VERIFY_METHODS",
    "QueryNode",
    "SpokenField",
    "fixed_prompts",
]

INPUTS = ("id_number", "pin", "certificate")
"""What a query node can ask the caller to key, in the order it asks."""
VERIFY_METHODS = ("pin", "phone", "none")
"""``pin``: the caller keys a PIN; ``phone``: the calling number must be the
one the backend has on record; ``none``: the backend checks the inputs
themselves (a certificate against its holder's ID number)."""
FIELD_KINDS = ("money", "count", "date", "month", "digits", "text")
"""How a field of the answer is read (see :class:`SpokenField`)."""


@dataclass(frozen=True, slots=True)
class SpokenField:
    """One field of a backend's answer, read to the caller.

    ``kind``: ``money`` (yuan, 一千二百三十四元五角), ``count`` (a number of
    ``unit``, 一百八十二个月), ``date`` (二〇二六年十一月十五日), ``month``
    (二〇二六年十月), ``digits`` (one by one), ``text`` (a value from a fixed
    list, each with its own recorded prompt in ``values``). ``before`` and
    ``after`` are prompts played around the value.
    """

    name: str
    kind: str
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    unit: str = ""
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QueryNode(Node):
    """Collect inputs, verify the caller, ask a backend, read the answer.

    ``attempts`` is how many failed verifications (refused ID numbers,
    mismatched PINs or phones, unknown persons) a call may have before the
    caller is locked out and sent to ``on_locked``; the daily limits per
    caller and per ID number come from the service configuration. A caller
    who keys ``#`` alone at any request asks for help and goes to
    ``on_locked`` too (the requests say so), so ``on_locked`` must offer an
    agent or a voice message. A PIN of other than ``pin_digits`` digits is
    a keying mistake like a refused ID number: told, asked again, never
    sent to the backend.
    """

    backend: str
    query: str
    inputs: tuple[str, ...]
    verify: str
    prompts: tuple[str, ...]
    say: tuple[SpokenField, ...]
    closing: tuple[str, ...]
    next: str
    on_locked: str
    on_unavailable: str
    on_not_found: str
    on_no_input: str
    attempts: int = 3
    timeout: float = 10.0
    pin_digits: int = 6


ASK_PROMPTS = {
    "id_number": "query-ask-id-number",
    "pin": "query-ask-pin",
    "certificate": "query-ask-certificate",
}
"""The prompt asking for each input (fixed ids, scripts in prompts.yaml)."""
ID_REASON_PROMPTS = {
    "length": "query-id-length",
    "characters": "query-id-characters",
    "check_digit": "query-id-check-digit",
    "birth_date": "query-id-birth-date",
    "region": "query-id-region",
}
"""What the caller hears for each reason an ID number is refused."""
PIN_LENGTH_PROMPT = "query-pin-length"
"""A PIN not of ``pin_digits`` digits: a keying mistake, asked again."""
WAIT_PROMPT = "query-wait"
MISMATCH_PROMPT = "query-mismatch"
PHONE_MISMATCH_PROMPT = "query-phone-mismatch"
"""For ``verify: phone`` from another number: keying again cannot help."""
PHONE_WITHHELD_PROMPT = "query-phone-withheld"
"""For ``verify: phone`` with the caller ID withheld, before anything is keyed."""
LOCKED_PROMPT = "query-locked"
KEYING_LOCKED_PROMPT = "query-keying-locked"
"""The lockout line when only keying mistakes (refused ID numbers) led to it."""
TRIES_USED_PROMPT = "query-tries-used"
"""The lockout line of a daily limit reached before the caller tried now:
it blames nobody (the tries may be someone else's) and offers the ways on."""
NOT_FOUND_PROMPT = "query-not-found"
UNAVAILABLE_PROMPT = "query-unavailable"
NO_INPUT_PROMPT = "query-no-input"
VERDICT_PROMPTS = {
    "pin": (MISMATCH_PROMPT,),
    "phone": (PHONE_MISMATCH_PROMPT, PHONE_WITHHELD_PROMPT),
    "none": (MISMATCH_PROMPT, NOT_FOUND_PROMPT),
}
"""What a failed verification is told with, by ``verify``: "not found" only
where no caller's identity is verified (art. 25)."""
REPEAT_PROMPT = "query-answer-repeat"
"""After the answer: 1 hears it again."""
OUTCOME_PROMPTS = (
    REPEAT_PROMPT,
    WAIT_PROMPT,
    LOCKED_PROMPT,
    KEYING_LOCKED_PROMPT,
    TRIES_USED_PROMPT,
    UNAVAILABLE_PROMPT,
    NO_INPUT_PROMPT,
)


def fixed_prompts(inputs: tuple[str, ...], verify: str) -> tuple[str, ...]:
    """The fixed prompts a query node with ``inputs`` and ``verify`` may play."""
    asks = tuple(ASK_PROMPTS[name] for name in inputs if name in ASK_PROMPTS)
    reasons = tuple(ID_REASON_PROMPTS.values()) if "id_number" in inputs else ()
    if "pin" in inputs:
        reasons += (PIN_LENGTH_PROMPT,)
    verdicts = VERDICT_PROMPTS.get(verify, ())
    return (*asks, *reasons, *verdicts, *OUTCOME_PROMPTS)
