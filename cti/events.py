"""Queue and channel events, normalised across Asterisk generations.

Asterisk 12 renamed the queue events (field case F35): ``Join`` and
``Leave`` became ``QueueCallerJoin`` and ``QueueCallerLeave``,
``QueueMemberPaused`` became ``QueueMemberPause``, and AgentCalled's
``AgentCalled``/``ChannelCalling``/``DestinationChannel`` fields became
``Interface``/``Channel``/``DestChannel``. :func:`normalise` maps the old
names to the new so the rest of the CTI knows one shape. Unknown events
pass through unchanged (they are never errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cti.ami.message import Message

__all__ = ["Event", "normalise"]

_RENAMED_EVENTS = {
    "join": "QueueCallerJoin",
    "leave": "QueueCallerLeave",
    "queuememberpaused": "QueueMemberPause",
}

_RENAMED_FIELDS = {
    "agentcalled": "interface",
    "channelcalling": "channel",
    "destinationchannel": "destchannel",
    "agentname": "membername",
    "location": "interface",
}

# The variables the IVR sets on the caller's channel before Queue; Asterisk
# attaches them to channel events when manager.conf has
# ``channelvars=IVR_PATH,IVR_LANG,IVR_SESSION`` (main/manager.c,
# manager_channelvars; field case F19).
IVR_VARIABLES = ("IVR_PATH", "IVR_LANG", "IVR_SESSION")


@dataclass(frozen=True, slots=True)
class Event:
    """An event with lower-cased field names and the caller's variables."""

    name: str
    fields: Mapping[str, str]
    variables: Mapping[str, str] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        """Return the field ``name`` (any case), or ``default``."""
        return self.fields.get(name.lower(), default)

    def number(self, name: str, default: float = 0.0) -> float:
        """Return a numeric field, or ``default`` when absent or not a number."""
        try:
            return float(self.get(name))
        except ValueError:
            return default

    def optional(self, name: str) -> str:
        """Return a field with ``<unknown>`` and ``<null>`` read as empty."""
        value = self.get(name)
        return "" if value in {"<unknown>", "<null>"} else value


def normalise(message: Message) -> Event:
    """Return ``message`` as an :class:`Event` in Asterisk 12+ names."""
    name = _RENAMED_EVENTS.get(message.name.lower(), message.name)
    fields: dict[str, str] = {}
    for header in message.headers:
        key = header.name.lower()
        key = _RENAMED_FIELDS.get(key, key)
        fields.setdefault(key, header.value)
    return Event(name, fields, _variables(message, fields.get("channel", "")))


def _variables(message: Message, channel: str) -> dict[str, str]:
    variables = message.variables()
    legacy = message.variables_by_channel().get(channel, {})
    return {**legacy, **variables}
