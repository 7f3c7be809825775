"""Run a ``query`` node on a call: collect, verify, ask, read the answer.

The caller hears, in order: the node's ``prompts`` (the norm's "为了保障您的
信息安全，我们需要核对您的基本信息", Annex 1 二.(三)), a request for each input,
"请您稍等" while the backend is asked, then the answer's fields read with
:mod:`ivr.speech`. Every way out plays something first, so no caller is left
in silence: the reason an ID number was refused, the norm's mismatch line
(also for "nothing on record" where identity is verified, so no caller
learns whether an ID number is on record), "not found" of a certificate
check, the lockout line (then ``on_locked``, an agent offer; a
daily limit already reached when the caller comes, or right after the ID
number is keyed, is told as today's tries being used up), for
``verify: phone`` from another number that only the registered phone can
ask (then ``on_locked`` at once: keying again cannot help) or the
"system is being adjusted" line of Annex 1 二.(十二) (then ``on_unavailable``).

Nothing the caller keys is kept in the clear: the step's ``keys`` hold the
masked ID number (``110*************8X``), ``*`` for each PIN digit and the
masked certificate number; log lines name the node and the outcome only.
The answer is noted as its fixed prompts with a placeholder for each value
read (``query-pension-amount``, ``<money>``): the caller hears the values,
the call record does not keep them.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, NoReturn

from ivr.channel import CallerHungUp, Channel, CollectResult
from ivr.flow.query_answers import noted_field, speak_field
from ivr.flow.query_model import (
    ASK_PROMPTS,
    ID_REASON_PROMPTS,
    KEYING_LOCKED_PROMPT,
    LOCKED_PROMPT,
    MISMATCH_PROMPT,
    NO_INPUT_PROMPT,
    NOT_FOUND_PROMPT,
    PHONE_MISMATCH_PROMPT,
    PHONE_WITHHELD_PROMPT,
    PIN_LENGTH_PROMPT,
    REPEAT_PROMPT,
    TRIES_USED_PROMPT,
    UNAVAILABLE_PROMPT,
    WAIT_PROMPT,
    QueryNode,
)
from ivr.privacy import mask_number
from ivr.queries import (
    Found,
    IdNumber,
    IdNumberError,
    Lockout,
    NotFound,
    QueryCall,
    QueryResult,
    Reservation,
    Unavailable,
    VerificationFailed,
    Verifier,
    parse_keyed_id,
)
from ivr.trace import CallTrace, Step

__all__ = ["QueryRun"]

logger = logging.getLogger("ivr.flow.query_nodes")

MAX_DIGITS = {"id_number": 18 + 1, "certificate": 20 + 1}
"""Most keys read per request: the number's length, plus one for the ``#``
every request asks for. GET DATA returns at its last digit
(ast_readstring_full() in main/channel.c), so a ``#`` pressed after it
would end the next request with nothing read: "# alone", help asked.
One key more is a wrong length, refused like any other."""
NO_INPUT_RETRIES = 2
ANSWER_REPEATS = 2
"""How many times a caller may hear the answer again (key 1)."""
REPEAT_WAIT_SECONDS = 4.0
"""How long the offer to repeat waits for the key before going on."""
"""Re-asks after a silence, before the node leaves by ``on_no_input``."""

Play = Callable[[Sequence[str]], Awaitable[None]]
Report = Callable[[Sequence[str]], None]


class _Leave(Exception):
    """Internal: the node is done and leaves for ``target``."""

    def __init__(self, target: str, result: str) -> None:
        super().__init__(result)
        self.target, self.result = target, result


class QueryRun:
    """One caller's way through one query node (built per visit)."""

    def __init__(
        self,
        call: QueryCall | None,
        channel: Channel,
        node: QueryNode,
        step: Step,
        trace: CallTrace,
        now: Callable[[], datetime],
        report_missing: Report,
    ) -> None:
        self.call, self.channel, self.node, self.step = call, channel, node, step
        self.trace, self.now, self.report = trace, now, report_missing
        caller_hash = call.caller_hash if call is not None else ""
        self.who = Verifier(trace.uniqueid, node.id, trace.caller_masked, caller_hash)
        self.failures: Counter[str] = Counter()
        """The backend's verdict on each failed try: mismatch or not found."""
        self.answered = False
        """Whether the answer was read (a hang-up after it is no failure)."""

    async def run(self) -> str:
        """Run the node; return the id of the node to go to."""
        try:
            if self.call is None:
                await self.play([UNAVAILABLE_PROMPT])
                raise _Leave(self.node.on_unavailable, "unavailable: no query service")
            await self._check_backend(self.call)
            if self.node.verify == "phone" and self.call.number is None:
                # Nothing keyed could pass: say why before the caller tries.
                await self.play([PHONE_WITHHELD_PROMPT])
                raise _Leave(self.node.on_locked, "caller ID withheld")
            await self._check_lockout(self.call)
            await self.play(self.node.prompts)
            while True:
                await self._attempt(self.call)
        except _Leave as leave:
            self.step.result = self._with_failures(leave.result)
            logger.info(
                "call %s: query %s: %s",
                self.trace.uniqueid,
                self.node.id,
                self.step.result,
            )
            return leave.target
        except CallerHungUp:
            # Callers often hang up once they have their answer: a success.
            done = "answered" if self.answered else "hangup"
            self.step.result = self._with_failures(done)
            raise

    def _with_failures(self, result: str) -> str:
        """``result``, then the failed tries by the backend's verdict.

        Callers hear one line for "mismatch" and "not found" where identity
        is verified (art. 25); the call record keeps them apart:
        ``locked out (call) [2 mismatch, 1 not found]``.
        """
        if not self.failures:
            return result
        tally = ", ".join(f"{count} {what}" for what, count in self.failures.items())
        return f"{result} [{tally}]"

    async def play(
        self, prompts: Sequence[str], noted: Sequence[str] | None = None
    ) -> None:
        """Play prompts, noted on the step; report the missing ones.

        With ``noted`` (an answer read aloud), the step notes ``noted``
        instead, and missing recordings are reported once each, in name
        order: the order of the pieces would spell the values out.
        """
        if not prompts:
            return
        self.step.prompts.extend(prompts if noted is None else noted)
        missing = (await self.channel.play(prompts)).missing
        self.report(missing if noted is None else sorted(set(missing)))

    async def _attempt(self, call: QueryCall) -> None:
        """One try: collect, check, ask; raises :class:`_Leave` to end the node.

        A lockout in force was checked when the node began; later ones come
        from this call's own failures (:meth:`_failed`), from a limit its
        ID number has reached (:meth:`_checked_id`) or from the reservation
        before the backend is asked (:meth:`_ask`).
        """
        self.who = replace(self.who, id_masked="", id_hash="")
        await self._check_backend(call)
        inputs = await self._inputs(call)
        if inputs is None:
            return
        if self.node.verify == "phone":
            inputs["caller"] = call.number or ""
        result, reservation = await self._ask(call, inputs)
        match result:
            case Found():
                await self._answer(result.fields)
            case Unavailable():
                await self.play([UNAVAILABLE_PROMPT])
                raise _Leave(self.node.on_unavailable, f"unavailable: {result.reason}")
        self.failures["not found" if isinstance(result, NotFound) else "mismatch"] += 1
        await self._failed(call, reservation)
        await self._tell_failure(isinstance(result, NotFound))

    async def _tell_failure(self, not_found: bool) -> None:
        """Tell a failed verification; leave, or return for another try.

        Where the caller's identity is verified (``verify: pin`` or
        ``phone``), "nothing on record" is told with the same line as a
        mismatch: a different line would tell anyone whether an ID number
        is on record (art. 25). A certificate check (``verify: none``)
        says "not found".
        """
        if not_found and self.node.verify == "none":
            await self.play([NOT_FOUND_PROMPT])
            raise _Leave(self.node.on_not_found, "not found")
        if self.node.verify == "phone":
            await self.play([PHONE_MISMATCH_PROMPT])
            raise _Leave(self.node.on_locked, "phone mismatch")
        await self.play([MISMATCH_PROMPT])

    async def _ask(
        self, call: QueryCall, inputs: Mapping[str, str]
    ) -> tuple[QueryResult, Reservation]:
        """Count the try against the daily limits, then ask the backend.

        The try is counted first, so calls at the same time cannot pass a
        limit together; it is given back unless the verification failed
        (an answer, a backend fault, the caller gone meanwhile).
        """
        limiter = call.desk.limiter
        reservation = await limiter.reserve(self.who, self.now())
        if isinstance(reservation, Lockout):
            await self._locked(reservation)
        failed = False
        try:
            await self.play([WAIT_PROMPT])
            result = await call.desk.ask(
                self.node.backend, self.node.query, inputs, self.trace.uniqueid
            )
            failed = isinstance(result, NotFound | VerificationFailed)
        finally:
            if not failed:
                await limiter.release(reservation)
        return result, reservation

    async def _check_backend(self, call: QueryCall) -> None:
        """Say "unavailable" at once when the backend would not be asked."""
        refusal = call.desk.refusal(self.node.backend)
        if refusal is not None:
            await self.play([UNAVAILABLE_PROMPT])
            raise _Leave(self.node.on_unavailable, f"unavailable: {refusal}")

    async def _inputs(self, call: QueryCall) -> dict[str, str] | None:
        """Collect each input; an ID number is checked as soon as it is keyed.

        Returns ``None`` after a refused ID number (a keying mistake: it uses
        up one of the call's tries, not the daily limits). A PIN of the
        wrong length is such a mistake too; only the PIN is asked again.
        """
        inputs: dict[str, str] = {}
        masked: list[str] = []
        for name in self.node.inputs:
            keys = await self._collect(name)
            masked.append(_masked(name, keys))
            self.step.keys = " ".join(masked)
            while name == "pin" and not _whole_pin(keys, self.node.pin_digits):
                await self._keying_mistake(call)
                await self.play([PIN_LENGTH_PROMPT])
                keys = await self._collect(name)
                masked.append(_masked(name, keys))
                self.step.keys = " ".join(masked)
            if name == "id_number":
                number = await self._checked_id(call, keys)
                if number is None:
                    return None
                keys = number
            inputs[name] = keys
        return inputs

    async def _collect(self, name: str) -> str:
        """The keys of one input.

        ``#`` alone (no key before it) is the caller asking for help, as
        every request says: the node leaves by ``on_locked``, the agent or
        message offer. Silence re-asks, then leaves by ``on_no_input``.
        Keys without ``#`` are read when the request times out.
        """
        ask = [ASK_PROMPTS[name]]
        most = self.node.pin_digits + 1 if name == "pin" else MAX_DIGITS[name]
        for _ in range(NO_INPUT_RETRIES + 1):
            collected = await self._keys(ask, most)
            if collected.digits:
                return collected.digits
            if not collected.timed_out:
                raise _Leave(self.node.on_locked, f"help asked ({name})")
            ask = [NO_INPUT_PROMPT, ASK_PROMPTS[name]]
        raise _Leave(self.node.on_no_input, f"no input ({name})")

    async def _keys(
        self, prompts: list[str], max_digits: int, timeout: float | None = None
    ) -> CollectResult:
        self.step.prompts.extend(prompts)
        collected = await self.channel.collect(
            prompts,
            max_digits=max_digits,
            first_timeout=self.node.timeout if timeout is None else timeout,
            terminators="#",
        )
        self.report(collected.missing)
        return collected

    async def _checked_id(self, call: QueryCall, keys: str) -> str | None:
        """The ID number as the backend wants it, or ``None`` when refused.

        A valid number is then checked against its own daily limit.
        """
        try:
            number = parse_keyed_id(keys, self.now().date())
        except IdNumberError as exc:
            await self._keying_mistake(call)
            await self.play([ID_REASON_PROMPTS[exc.reason]])
            return None
        self.who = _with_id(self.who, number, call.desk.hash_key)
        await self._check_lockout(call)
        return number.value

    async def _keying_mistake(self, call: QueryCall) -> None:
        """Count a number refused by its own checks against this call only."""
        await self._leave_if_locked(
            await call.desk.limiter.keying_mistake(
                call.attempts, self.node.attempts, self.who, self.now()
            )
        )

    async def _check_lockout(self, call: QueryCall) -> None:
        limiter = call.desk.limiter
        await self._leave_if_locked(
            await limiter.lockout(
                call.attempts, self.node.attempts, self.who, self.now()
            )
        )

    async def _failed(self, call: QueryCall, reservation: Reservation) -> None:
        limiter = call.desk.limiter
        await self._leave_if_locked(
            await limiter.fail(
                call.attempts, self.node.attempts, self.who, self.now(), reservation
            )
        )

    async def _leave_if_locked(self, lockout: Lockout | None) -> None:
        """Leave by ``on_locked`` when locked out; else go on."""
        if lockout is not None:
            await self._locked(lockout)

    async def _locked(self, lockout: Lockout) -> NoReturn:
        """Play the lockout line and leave by ``on_locked``.

        The norm's mismatch line only when this caller's own failures led
        to it. Only keying mistakes: a line about numbers that fail their
        checks (nothing was compared with the records). A daily limit
        reached before this try: today's tries are used up, which blames
        no one (they may have been someone else's).
        """
        line = LOCKED_PROMPT
        if lockout.scope == "keying":
            line = KEYING_LOCKED_PROMPT
        elif lockout.standing:
            line = TRIES_USED_PROMPT
        await self.play([line])
        raise _Leave(self.node.on_locked, f"locked out ({lockout.scope})")

    async def _answer(self, fields: Mapping[str, Any]) -> None:
        """Read the answer; with nothing readable, say "unavailable" instead.

        Only the names of unreadable fields are logged: values are personal.
        """
        prompts: list[str] = []
        noted: list[str] = []
        unreadable: list[str] = []
        for item in self.node.say:
            spoken = speak_field(item, fields.get(item.name))
            if spoken is None:
                unreadable.append(item.name)
                continue
            prompts += [*item.before, *spoken, *item.after]
            noted += noted_field(item)
        if unreadable:
            logger.warning(
                "call %s: query %s: unreadable field(s) skipped: %s",
                self.trace.uniqueid,
                self.node.id,
                ", ".join(unreadable),
            )
        if self.node.say and not prompts:
            await self.play([UNAVAILABLE_PROMPT])
            raise _Leave(self.node.on_unavailable, "unavailable: nothing readable")
        closing = self.node.closing
        await self.play([*prompts, *closing], noted=[*noted, *closing])
        self.answered = True
        for _ in range(ANSWER_REPEATS):
            # A caller on a bad line who missed a figure hears it again
            # without keying the ID number and PIN once more.
            again = await self._keys([REPEAT_PROMPT], 1, REPEAT_WAIT_SECONDS)
            if again.digits != "1":
                break
            await self.play(prompts, noted=noted)
        raise _Leave(self.node.next, "answered")


def _with_id(who: Verifier, number: IdNumber, key: bytes) -> Verifier:
    return replace(who, id_masked=number.masked, id_hash=number.keyed_hash(key))


def _whole_pin(keys: str, digits: int) -> bool:
    """Whether ``keys`` is a PIN as the prompt asks for it: ``digits`` digits."""
    return len(keys) == digits and keys.isascii() and keys.isdigit()


def _masked(name: str, keys: str) -> str:
    """What the call record keeps of a keyed input."""
    if name == "pin":
        return "*" * len(keys)
    return mask_number(keys.upper().replace("*", "X"))
