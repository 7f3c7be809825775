"""Asterisk Manager Interface: wire protocol, client and emulated peer.

Layers, imports only downward: ``message`` and ``parser`` (sans-IO, bytes in,
messages out), ``actions`` (framing), ``pending``/``subscriptions`` (routing),
``client`` (asyncio, reconnects). ``emulator`` is a separate Asterisk-side
peer for tests and demos; it shares no code with the client.
"""

from cti.ami.actions import Action, frame_action, split_variables, variable_lines
from cti.ami.client import AMIClient
from cti.ami.config import AMIConfig, ConnectionState
from cti.ami.errors import (
    ActionFailedError,
    ActionFramingError,
    ActionTimeoutError,
    AMIError,
    AMIProtocolError,
    AuthenticationError,
    ConnectionLostError,
    NotLoggedInError,
)
from cti.ami.message import Banner, Header, Message, MessageKind, split_variable
from cti.ami.parser import AMIParser, decode_value
from cti.ami.replies import CommandResult, OriginateResult, Reply
from cti.ami.subscriptions import Subscription

__all__ = [
    "AMIClient",
    "AMIConfig",
    "AMIError",
    "AMIParser",
    "AMIProtocolError",
    "Action",
    "ActionFailedError",
    "ActionFramingError",
    "ActionTimeoutError",
    "AuthenticationError",
    "Banner",
    "CommandResult",
    "ConnectionLostError",
    "ConnectionState",
    "Header",
    "Message",
    "MessageKind",
    "NotLoggedInError",
    "OriginateResult",
    "Reply",
    "Subscription",
    "decode_value",
    "frame_action",
    "split_variable",
    "split_variables",
    "variable_lines",
]
