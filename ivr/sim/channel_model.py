"""The emulated channel: its identity, variables, state and event log.

No I/O here. :class:`CallSetup` is what Asterisk knows when it starts the AGI
(and sends as the environment, in ``setup_env`` order); :class:`ChannelModel`
is what changes during the call. Variable lookup and ``${...}`` expansion
follow ``main/pbx_variables.c`` for the parts a FastAGI service uses.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

__all__ = [
    "STATE_RING",
    "STATE_UP",
    "CallLog",
    "CallSetup",
    "ChannelModel",
    "Event",
    "EventKind",
    "environment_lines",
]

STATE_RING = 4
"""``AST_STATE_RING``: an incoming call not answered yet."""
STATE_UP = 6
"""``AST_STATE_UP``: answered (``CHANNEL STATUS`` answers ``result=6``)."""

EventKind = Literal[
    "connect",
    "command",
    "reply",
    "prompt",
    "say",
    "keys",
    "record",
    "set",
    "exec",
    "queue",
    "gosub",
    "hangup",
    "notice",
    "interrupted",
    "closed",
]

# Asterisk's uniqueid is "<epoch>.<channel sequence>", unique on one system.
# Several `ivr call` processes in the same second must not share one, or their
# call records would merge, so each process starts its sequence at random.
_SEQUENCE = itertools.count(random.randrange(1, 10**6) * 1000)


@dataclass(frozen=True, slots=True)
class CallSetup:
    """The call as Asterisk presents it to the AGI (``agi_*`` variables).

    ``None`` for ``callerid``, ``calleridname``, ``dnid`` or ``rdnis`` is sent
    as ``unknown``, as setup_env() does. Empty ``channel``, ``uniqueid`` and
    ``threadid`` are made up per call. ``args`` become ``agi_arg_1`` ... in
    order; empty ones are kept. ``request`` is the AGI URL as the dialplan
    wrote it (``agi_request``); empty means ``agi://host:port/script`` of the
    address connected to.
    """

    script: str = "ivr"
    args: Sequence[str] = ()
    channel: str = ""
    channel_type: str = "PJSIP"
    language: str = "zh"
    uniqueid: str = ""
    callerid: str | None = "13800000000"
    calleridname: str | None = None
    callingpres: int = 0
    callingani2: int = 0
    callington: int = 0
    callingtns: int = 0
    dnid: str | None = None
    rdnis: str | None = None
    context: str = "from-pstn"
    extension: str = "12333"
    priority: int = 1
    accountcode: str = ""
    threadid: int = 0
    request: str = ""

    def completed(self) -> CallSetup:
        """Return a copy with the made-up identity fields filled in."""
        seq = next(_SEQUENCE)
        return replace(
            self,
            channel=self.channel or f"PJSIP/12333-trunk-{seq:08x}",
            uniqueid=self.uniqueid or f"{int(time.time())}.{seq}",
            threadid=self.threadid or random.randrange(10**14, 10**15),
        )


def environment_lines(setup: CallSetup, host: str, port: int) -> list[str]:
    """The lines Asterisk 22 sends before the first command, blank line last.

    launch_netscript() sends ``agi_network`` and (for a non-empty script)
    ``agi_network_script``; setup_env() sends the rest in this order.
    """
    request = setup.request or f"agi://{host}:{port}/{setup.script}"
    lines = ["agi_network: yes"]
    if setup.script:
        lines.append(f"agi_network_script: {setup.script}")
    lines += [
        f"agi_request: {request}",
        f"agi_channel: {setup.channel}",
        f"agi_language: {setup.language}",
        f"agi_type: {setup.channel_type}",
        f"agi_uniqueid: {setup.uniqueid}",
        "agi_version: 22.10.1",
        f"agi_callerid: {_or_unknown(setup.callerid)}",
        f"agi_calleridname: {_or_unknown(setup.calleridname)}",
        f"agi_callingpres: {setup.callingpres}",
        f"agi_callingani2: {setup.callingani2}",
        f"agi_callington: {setup.callington}",
        f"agi_callingtns: {setup.callingtns}",
        f"agi_dnid: {_or_unknown(setup.dnid)}",
        f"agi_rdnis: {_or_unknown(setup.rdnis)}",
        f"agi_context: {setup.context}",
        f"agi_extension: {setup.extension}",
        f"agi_priority: {setup.priority}",
        "agi_enhanced: 0.0",
        f"agi_accountcode: {setup.accountcode}",
        f"agi_threadid: {setup.threadid}",
    ]
    lines += [f"agi_arg_{n}: {arg}" for n, arg in enumerate(setup.args, start=1)]
    return [line + "\n" for line in [*lines, ""]]


def _or_unknown(value: str | None) -> str:
    return "unknown" if value is None else value


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened on the emulated call.

    ``t`` is call time in seconds (modelled durations, whatever the pace);
    ``name`` is the prompt, variable, application or queue; ``value`` the
    keys, the variable's value or the outcome.
    """

    t: float
    kind: EventKind
    name: str = ""
    value: str = ""


@dataclass(slots=True)
class CallLog:
    """Everything an emulated call did, for tests and the CLI."""

    setup: CallSetup
    events: list[Event] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    hung_up_by: str | None = None
    commands: int = 0

    def of_kind(self, *kinds: EventKind) -> list[Event]:
        """The events of the given kinds, in order."""
        return [event for event in self.events if event.kind in kinds]


class ChannelModel:
    """State of the emulated channel: variables, answer and hang-up, clock."""

    def __init__(self, setup: CallSetup, listener: Callable[[Event], None]) -> None:
        self.setup = setup
        self.log = CallLog(setup)
        self.state = STATE_RING
        self.clock = 0.0
        self.callerid = setup.callerid
        self.calleridname = setup.calleridname
        self._listener = listener

    @property
    def variables(self) -> dict[str, str]:
        """The channel variables (shared with the call log)."""
        return self.log.variables

    @property
    def hung_up(self) -> bool:
        """True once the caller (or the service) has hung up."""
        return self.log.hung_up_by is not None

    def record(self, kind: EventKind, name: str = "", value: str = "") -> None:
        """Append an event to the log and tell the listener."""
        event = Event(round(self.clock, 3), kind, name, value)
        self.log.events.append(event)
        self._listener(event)

    def hang_up(self, by: str) -> None:
        """Mark the channel gone (first hang-up wins)."""
        if self.log.hung_up_by is None:
            self.log.hung_up_by = by
            self.record("hangup", by)

    def set_variable(self, name: str, value: str) -> None:
        """Set a variable as pbx_builtin_setvar_helper() does.

        One or two leading underscores (inheritance marks) are not part of
        the name; ``CALLERID(num)`` and ``CALLERID(name)`` are written through.
        """
        if name.endswith(")"):
            self._write_function(name, value)
        else:
            self.variables[_plain_name(name)] = value
        self.record("set", name, value)

    def unset(self, name: str) -> None:
        """Remove a variable (pbx_builtin_setvar_helper with NULL)."""
        self.variables.pop(name, None)

    def _write_function(self, name: str, value: str) -> None:
        function = name.upper()
        if function == "CALLERID(NUM)":
            self.callerid = value
        elif function == "CALLERID(NAME)":
            self.calleridname = value

    def get_variable(self, name: str) -> str | None:
        """Read a variable or function as ``GET VARIABLE`` does; ``None`` if unset."""
        if name.endswith(")"):
            return self._read_function(name)
        builtin = self._builtin(name)
        if builtin is not None:
            return builtin
        return self.variables.get(name)

    def _builtin(self, name: str) -> str | None:
        # pbx_retrieve_variable(): these names come from the channel itself.
        values = {
            "EXTEN": self.setup.extension,
            "CONTEXT": self.setup.context,
            "PRIORITY": str(self.setup.priority),
            "CHANNEL": self.setup.channel,
            "UNIQUEID": self.setup.uniqueid,
            "EPOCH": str(int(time.time())),
        }
        return values.get(name)

    def _read_function(self, name: str) -> str | None:
        function, _, argument = name[:-1].partition("(")
        if function.upper() != "CALLERID":
            return None
        field_name = argument.strip().lower()
        if field_name in ("num", "number"):
            return self.callerid or ""
        if field_name == "name":
            return self.calleridname or ""
        return None

    def expand(self, text: str) -> str:
        """Substitute ``${...}`` as ast_str_substitute_variables() does.

        Nested references are expanded inside out; unknown names become
        empty. Expressions (``$[...]``) and substrings are not emulated.
        """
        out: list[str] = []
        pos = 0
        while (start := text.find("${", pos)) >= 0:
            end = _closing_brace(text, start + 2)
            if end < 0:
                break
            out.append(text[pos:start])
            inner = self.expand(text[start + 2 : end])
            out.append(self.get_variable(inner) or "")
            pos = end + 1
        out.append(text[pos:])
        return "".join(out)


def _plain_name(name: str) -> str:
    # pbx_builtin_setvar_helper() compares names without their one or two
    # leading underscores (the marks that make a variable inherited).
    for mark in ("__", "_"):
        if name.startswith(mark):
            return name[len(mark) :]
    return name


def _closing_brace(text: str, pos: int) -> int:
    depth = 1
    for index in range(pos, len(text)):
        if text.startswith("${", index):
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return -1
