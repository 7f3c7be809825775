"""The simulated caller: Asterisk's side of FastAGI, driven by a pretend caller.

``FastAGIEmulator`` connects to a FastAGI server exactly as Asterisk 22 does
and answers its commands as res/res_agi.c would; ``ScriptedCaller`` and
``InteractiveCaller`` decide what the person on the phone does; ``place_call``
and ``run_calls`` are what the ``ivr call`` command and the benchmark use;
``replay_transcript`` plays back a recorded session. Nothing here imports
``ivr.agi``: the emulator and the client it tests share no code.
"""

from .behaviour import (
    CallerBehaviour,
    DigitRequest,
    KeyAnswer,
    PromptAnswer,
    PromptRequest,
    QueueOutcome,
    QueueRequest,
    RecordOutcome,
    RecordRequest,
)
from .channel_model import CallLog, CallSetup, Event
from .cli import (
    QUEUE_MODES,
    TranscriptPrinter,
    call_arguments,
    parse_call_time,
    place_call,
    run_calls,
)
from .context import PromptLibrary
from .emulator import FastAGIEmulator
from .errors import (
    CallerScriptError,
    InvalidCallTimeError,
    NoServiceError,
    SimError,
    TranscriptError,
    UnknownQueueModeError,
)
from .replay import ReplayReport, load_transcript, replay_transcript
from .script import InteractiveCaller, ScriptedCaller, parse_tokens

__all__ = [
    "QUEUE_MODES",
    "CallLog",
    "CallSetup",
    "CallerBehaviour",
    "CallerScriptError",
    "DigitRequest",
    "Event",
    "FastAGIEmulator",
    "InteractiveCaller",
    "InvalidCallTimeError",
    "KeyAnswer",
    "NoServiceError",
    "PromptAnswer",
    "PromptLibrary",
    "PromptRequest",
    "QueueOutcome",
    "QueueRequest",
    "RecordOutcome",
    "RecordRequest",
    "ReplayReport",
    "ScriptedCaller",
    "SimError",
    "TranscriptError",
    "TranscriptPrinter",
    "UnknownQueueModeError",
    "call_arguments",
    "load_transcript",
    "parse_call_time",
    "parse_tokens",
    "place_call",
    "replay_transcript",
    "run_calls",
]
