"""The emulated Asterisk's state: queues, members, channels, and their text.

Field order follows Asterisk 22 as recorded in ``ami-events.jsonl`` and the
source: apps/app_queue.c manager_queues_status (QueueParams, QueueMember,
QueueEntry), queue_member_blob_create (QueueMember* events), and
main/manager.c ast_manager_build_channel_state_string_prefix (channel
fields). This module shares nothing with the client's parser on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cti.ami.emulator_wire import Pairs

__all__ = ["EmulatedChannel", "EmulatedQueue", "QueueMember"]


@dataclass(slots=True)
class QueueMember:
    """One queue member, as app_queue.c's ``struct member`` shows it."""

    name: str
    interface: str
    state_interface: str
    membership: str = "static"
    penalty: int = 0
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = 0
    in_call: int = 0
    status: int = 1
    paused: bool = False
    paused_reason: str = ""
    ringinuse: int = 1
    wrapuptime: int = 0

    def event_fields(self, queue: str) -> Pairs:
        """Fields of QueueMemberAdded/Removed/Pause/Status events."""
        return [
            ("Queue", queue),
            ("MemberName", self.name),
            ("Interface", self.interface),
            ("StateInterface", self.state_interface),
            *self._counters(),
            ("Ringinuse", str(self.ringinuse)),
            ("Wrapuptime", str(self.wrapuptime)),
        ]

    def status_fields(self, queue: str) -> Pairs:
        """Fields of the QueueMember event in a QueueStatus list."""
        return [
            ("Queue", queue),
            ("Name", self.name),
            ("Location", self.interface),
            ("StateInterface", self.state_interface),
            *self._counters(),
            ("Wrapuptime", str(self.wrapuptime)),
        ]

    def _counters(self) -> Pairs:
        return [
            ("Membership", self.membership),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", str(self.in_call)),
            ("Status", str(self.status)),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.paused_reason),
        ]


@dataclass(slots=True)
class EmulatedChannel:
    """A channel as the channel snapshot shows it in events and lists."""

    channel: str
    uniqueid: str
    caller_num: str = "<unknown>"
    caller_name: str = "<unknown>"
    state: int = 6
    state_desc: str = "Up"
    context: str = "default"
    exten: str = "s"
    priority: int = 1
    application: str = ""
    app_data: str = ""
    linkedid: str = ""
    variables: dict[str, str] = field(default_factory=dict)

    def fields(self, prefix: str = "") -> Pairs:
        """Channel state fields, optionally prefixed (``Dest`` for callees)."""
        pairs = [
            ("Channel", self.channel),
            ("ChannelState", str(self.state)),
            ("ChannelStateDesc", self.state_desc),
            ("CallerIDNum", self.caller_num),
            ("CallerIDName", self.caller_name),
            ("ConnectedLineNum", "<unknown>"),
            ("ConnectedLineName", "<unknown>"),
            ("Language", "zh"),
            ("AccountCode", ""),
            ("Context", self.context),
            ("Exten", self.exten),
            ("Priority", str(self.priority)),
            ("Uniqueid", self.uniqueid),
            ("Linkedid", self.linkedid or self.uniqueid),
        ]
        return [(prefix + key, value) for key, value in pairs]


@dataclass(slots=True)
class EmulatedQueue:
    """A queue with its counters, members and waiting callers."""

    name: str
    strategy: str = "ringall"
    holdtime: int = 0
    talktime: int = 0
    completed: int = 0
    abandoned: int = 0
    members: dict[str, QueueMember] = field(default_factory=dict)
    callers: list[EmulatedChannel] = field(default_factory=list)

    def params_fields(self) -> Pairs:
        """The QueueParams event of QueueStatus."""
        return [
            ("Queue", self.name),
            ("Max", "0"),
            ("Strategy", self.strategy),
            ("Calls", str(len(self.callers))),
            ("Holdtime", str(self.holdtime)),
            ("TalkTime", str(self.talktime)),
            ("Completed", str(self.completed)),
            ("Abandoned", str(self.abandoned)),
            ("ServiceLevel", "0"),
            ("ServicelevelPerf", "0.0"),
            ("ServicelevelPerf2", "0.0"),
            ("Weight", "0"),
        ]

    def entry_fields(self, position: int, caller: EmulatedChannel, wait: int) -> Pairs:
        """The QueueEntry event of QueueStatus for one waiting caller."""
        return [
            ("Queue", self.name),
            ("Position", str(position)),
            ("Channel", caller.channel),
            ("Uniqueid", caller.uniqueid),
            ("CallerIDNum", caller.caller_num),
            ("CallerIDName", caller.caller_name),
            ("ConnectedLineNum", "unknown"),
            ("ConnectedLineName", "unknown"),
            ("Wait", str(wait)),
            ("Priority", "0"),
        ]

    def summary_fields(self) -> Pairs:
        """The QueueSummary event of QueueSummary."""
        logged_in = [m for m in self.members.values() if m.status != 5]
        available = [m for m in logged_in if not m.paused and m.status in (1, 6)]
        return [
            ("Queue", self.name),
            ("LoggedIn", str(len(logged_in))),
            ("Available", str(len(available))),
            ("Callers", str(len(self.callers))),
            ("HoldTime", str(self.holdtime)),
            ("TalkTime", str(self.talktime)),
            ("LongestHoldTime", "0"),
        ]
