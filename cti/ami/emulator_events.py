"""Event scenes for the emulated Asterisk: calls, queues and agents.

Each function sends what Asterisk 22 sends for that step, with the fields
of ``ami-events.jsonl``: Newchannel/Hangup (main/manager_channels.c),
QueueCallerJoin/Leave/Abandon and AgentCalled/Connect/Complete/RingNoAnswer
(apps/app_queue.c queue_*_cb and send_agent_*), QueueMemberPause with
``PausedReason: Auto-Pause`` when a member lets a call ring out under
``autopause`` (app_queue.c do_set_member_penalty_paused via rna).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cti.ami.emulator_model import EmulatedChannel, EmulatedQueue, QueueMember

if TYPE_CHECKING:
    from cti.ami.emulator import AMIEmulator

__all__ = [
    "agent_called",
    "agent_complete",
    "agent_connect",
    "agent_ring_no_answer",
    "caller_abandon",
    "caller_join",
    "caller_leave",
    "event_storm",
    "hangup",
    "new_channel",
]


def new_channel(emu: AMIEmulator, channel: EmulatedChannel) -> None:
    """A channel appears: Newchannel, and it joins CoreShowChannels."""
    emu.channels[channel.channel] = channel
    emu.emit("Newchannel", channel.fields(), "call")


def hangup(emu: AMIEmulator, channel: EmulatedChannel, cause: int = 16) -> None:
    """A channel ends: Hangup with its cause, and it leaves every list."""
    emu.channels.pop(channel.channel, None)
    for queue in emu.queues.values():
        if channel in queue.callers:
            queue.callers.remove(channel)
    pairs = [
        *channel.fields(),
        ("Cause", str(cause)),
        ("Cause-txt", _cause_text(cause)),
    ]
    emu.emit("Hangup", pairs, "call")


def caller_join(
    emu: AMIEmulator, queue: EmulatedQueue, caller: EmulatedChannel
) -> None:
    """A caller enters the queue (QueueCallerJoin, Position and Count)."""
    queue.callers.append(caller)
    position = len(queue.callers)
    pairs = [*caller.fields(), ("Queue", queue.name), ("Position", str(position))]
    emu.emit("QueueCallerJoin", [*pairs, ("Count", str(position))], "agent")


def caller_leave(
    emu: AMIEmulator, queue: EmulatedQueue, caller: EmulatedChannel
) -> None:
    """A caller leaves the queue, answered or not (QueueCallerLeave)."""
    position = queue.callers.index(caller) + 1 if caller in queue.callers else 1
    if caller in queue.callers:
        queue.callers.remove(caller)
    pairs = [
        *caller.fields(),
        ("Queue", queue.name),
        ("Count", str(len(queue.callers))),
    ]
    emu.emit("QueueCallerLeave", [*pairs, ("Position", str(position))], "agent")


def caller_abandon(
    emu: AMIEmulator, queue: EmulatedQueue, caller: EmulatedChannel, hold: int
) -> None:
    """The caller hangs up waiting: Abandon, then Leave (F39 order)."""
    position = queue.callers.index(caller) + 1 if caller in queue.callers else 1
    queue.abandoned += 1
    pairs = [*caller.fields(), ("Queue", queue.name), ("Position", str(position))]
    pairs += [("OriginalPosition", str(position)), ("HoldTime", str(hold))]
    emu.emit("QueueCallerAbandon", pairs, "agent")
    caller_leave(emu, queue, caller)


def agent_called(
    emu: AMIEmulator,
    queue: EmulatedQueue,
    caller: EmulatedChannel,
    member: QueueMember,
    agent: EmulatedChannel,
) -> None:
    """Asterisk rings a member (AgentCalled)."""
    emu.emit("AgentCalled", _agent_fields(queue, caller, member, agent), "agent")


def agent_ring_no_answer(
    emu: AMIEmulator,
    queue: EmulatedQueue,
    caller: EmulatedChannel,
    member: QueueMember,
    agent: EmulatedChannel,
    *,
    ring_time_ms: int,
    autopause: bool = True,
) -> None:
    """The member let it ring out: AgentRingNoAnswer, then Auto-Pause."""
    pairs = _agent_fields(queue, caller, member, agent)
    emu.emit("AgentRingNoAnswer", [*pairs, ("RingTime", str(ring_time_ms))], "agent")
    if autopause:
        emu.set_paused(queue.name, member, True, "Auto-Pause")


def agent_connect(
    emu: AMIEmulator,
    queue: EmulatedQueue,
    caller: EmulatedChannel,
    member: QueueMember,
    agent: EmulatedChannel,
    *,
    hold: int,
    ring_time: int,
) -> None:
    """The member answers (AgentConnect with HoldTime and RingTime)."""
    member.in_call = 1
    queue.holdtime = hold
    pairs = _agent_fields(queue, caller, member, agent)
    pairs += [("HoldTime", str(hold)), ("RingTime", str(ring_time))]
    emu.emit("AgentConnect", pairs, "agent")


def agent_complete(
    emu: AMIEmulator,
    queue: EmulatedQueue,
    caller: EmulatedChannel,
    member: QueueMember,
    agent: EmulatedChannel,
    *,
    hold: int,
    talk: int,
    reason: str = "caller",
) -> None:
    """The call ends (AgentComplete with TalkTime and who hung up)."""
    member.in_call = 0
    member.calls_taken += 1
    member.last_call = int(emu.now())
    queue.completed += 1
    pairs = _agent_fields(queue, caller, member, agent)
    pairs += [("HoldTime", str(hold)), ("TalkTime", str(talk)), ("Reason", reason)]
    emu.emit("AgentComplete", pairs, "agent")


def event_storm(emu: AMIEmulator, count: int, channel: EmulatedChannel) -> None:
    """Send ``count`` Newexten events at once, as a busy dialplan does."""
    for priority in range(1, count + 1):
        pairs = [*channel.fields(), ("Extension", channel.exten)]
        pairs += [("Application", "NoOp"), ("AppData", f"step {priority}")]
        emu.emit("Newexten", pairs, "dialplan")


def _agent_fields(
    queue: EmulatedQueue,
    caller: EmulatedChannel,
    member: QueueMember,
    agent: EmulatedChannel,
) -> list[tuple[str, str]]:
    return [
        *caller.fields(),
        *agent.fields("Dest"),
        ("Queue", queue.name),
        ("MemberName", member.name),
        ("Interface", member.interface),
    ]


def _cause_text(cause: int) -> str:
    return {16: "Normal Clearing", 17: "User busy", 19: "No user responding"}.get(
        cause, "Unknown"
    )
