"""The AGI wire layer: Asterisk's Gateway Interface, FastAGI and classic.

Layers, lowest first: :mod:`~ivr.agi.parser` and :mod:`~ivr.agi.commands`
(bytes only, no I/O), :mod:`~ivr.agi.session` (asyncio streams),
:mod:`~ivr.agi.fastagi` and :mod:`~ivr.agi.classic` (transports), and
:mod:`~ivr.agi.channel`, the :class:`ivr.channel.Channel` the flow uses.
"""

from ivr.agi.call import AGIHandler, read_environment, run_call
from ivr.agi.channel import AGIChannel
from ivr.agi.classic import run_classic_agi
from ivr.agi.commands import DEAD_CHANNEL_COMMANDS, Command, Quoted
from ivr.agi.errors import (
    AGIAsteriskError,
    AGICommandError,
    AGICommandFailedError,
    AGIConnectionClosed,
    AGIDeadChannelError,
    AGIError,
    AGIHandshakeError,
    AGIHangupError,
    AGIInvalidCommandError,
    AGIProtocolError,
    AGIReplyTimeoutError,
    AGIUsageError,
)
from ivr.agi.fastagi import FastAGIServer, start_fastagi_server
from ivr.agi.messages import AGIEnvironment, BadLine, HangupNotice, Message, Reply
from ivr.agi.parser import EnvironmentParser, ReplyParser
from ivr.agi.session import AGISession

__all__ = [
    "DEAD_CHANNEL_COMMANDS",
    "AGIAsteriskError",
    "AGIChannel",
    "AGICommandError",
    "AGICommandFailedError",
    "AGIConnectionClosed",
    "AGIDeadChannelError",
    "AGIEnvironment",
    "AGIError",
    "AGIHandler",
    "AGIHandshakeError",
    "AGIHangupError",
    "AGIInvalidCommandError",
    "AGIProtocolError",
    "AGIReplyTimeoutError",
    "AGISession",
    "AGIUsageError",
    "BadLine",
    "Command",
    "EnvironmentParser",
    "FastAGIServer",
    "HangupNotice",
    "Message",
    "Quoted",
    "Reply",
    "ReplyParser",
    "read_environment",
    "run_call",
    "run_classic_agi",
    "start_fastagi_server",
]
