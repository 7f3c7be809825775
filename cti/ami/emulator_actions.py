"""Replies of the emulated Asterisk to the actions the CTI sends.

Each handler writes what the matching C function writes, in the same order:
main/manager.c action_ping, action_command, action_getvar, action_corestatus,
action_coreshowchannels, action_logoff; apps/app_queue.c
manager_queues_status, manager_queues_summary, manager_add_queue_member,
manager_remove_queue_member, manager_pause_queue_member. Originate is in
:mod:`cti.ami.emulator_originate`. A handler returns False to close the session.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from cti.ami import emulator_originate
from cti.ami.emulator_model import QueueMember
from cti.ami.emulator_wire import (
    EmulatedSession,
    Pairs,
    Request,
    format_message,
    response,
)

if TYPE_CHECKING:
    from cti.ami.emulator import AMIEmulator

__all__ = ["ACTION_CLASSES", "Handler", "handlers"]

Handler = Callable[[EmulatedSession, Request], Awaitable[bool]]

# Write classes per action: any one suffices, none means anyone logged in
# (main/manager.c ast_manager_register_xml_core calls near line 9736;
# apps/app_queue.c load_module near line 12238).
ACTION_CLASSES: dict[str, frozenset[str]] = {
    "command": frozenset({"command"}),
    "getvar": frozenset({"call", "reporting"}),
    "originate": frozenset({"originate"}),
    "corestatus": frozenset({"system", "reporting"}),
    "coreshowchannels": frozenset({"system", "reporting"}),
    "queueadd": frozenset({"agent"}),
    "queueremove": frozenset({"agent"}),
    "queuepause": frozenset({"agent"}),
    "hangup": frozenset({"system", "call"}),
    "redirect": frozenset({"call"}),
    "atxfer": frozenset({"call"}),
}


def handlers(emulator: AMIEmulator) -> dict[str, Handler]:
    """Return the handlers bound to ``emulator``, by lower-case action name."""
    replies = _Replies(emulator)
    return {
        "ping": replies.ping,
        "logoff": replies.logoff,
        "command": replies.command,
        "getvar": replies.getvar,
        "corestatus": replies.corestatus,
        "coreshowchannels": replies.coreshowchannels,
        "originate": functools.partial(emulator_originate.originate, emulator),
        "queuestatus": replies.queuestatus,
        "queuesummary": replies.queuesummary,
        "queuepause": replies.queuepause,
        "queueadd": replies.queueadd,
        "queueremove": replies.queueremove,
        "hangup": replies.channel_action,
        "redirect": replies.channel_action,
        "atxfer": replies.channel_action,
    }


def _list_complete(request: Request, event: str, count: int) -> bytes:
    """astman_send_list_complete: the event that ends an EventList."""
    pairs = [("Event", event), *request.id_pairs()]
    return format_message(
        [*pairs, ("EventList", "Complete"), ("ListItems", str(count))]
    )


class _Replies:
    def __init__(self, emulator: AMIEmulator) -> None:
        self.emu = emulator

    async def ping(self, session: EmulatedSession, request: Request) -> bool:
        # action_ping writes in two astman_append calls, seen as two chunks.
        session.send(b"Response: Success\r\n")
        now = self.emu.now()
        pairs = [*request.id_pairs(), ("Ping", "Pong"), ("Timestamp", f"{now:.6f}")]
        session.send(format_message(pairs))
        return True

    async def logoff(self, session: EmulatedSession, request: Request) -> bool:
        session.send(response(request, "Goodbye", "Thanks for all the fish."))
        return False

    async def command(self, session: EmulatedSession, request: Request) -> bool:
        text = request.get("Command")
        output = self.emu.commands.get(text)
        status = "Success" if output is not None else "Error"
        if output is None:
            output = (
                f"No such command '{text}' (type 'core show help {text}' "
                "for other possible commands)"
            )
        pairs: Pairs = [("Response", status), *request.id_pairs()]
        pairs.append(("Message", "Command output follows"))
        pairs += [("Output", line) for line in output.split("\n")]
        session.send(format_message(pairs))
        return True

    async def getvar(self, session: EmulatedSession, request: Request) -> bool:
        name = request.get("Variable")
        if not name:
            session.send(response(request, "Error", "No variable specified"))
            return True
        channel = self.emu.channels.get(request.get("Channel"))
        if request.get("Channel") and channel is None:
            session.send(response(request, "Error", "No such channel"))
            return True
        value = channel.variables.get(name, "") if channel else ""
        pairs = [("Response", "Success"), *request.id_pairs()]
        session.send(format_message([*pairs, ("Variable", name), ("Value", value)]))
        return True

    async def corestatus(self, session: EmulatedSession, request: Request) -> bool:
        pairs = [("Response", "Success"), *request.id_pairs()]
        pairs += [
            ("CoreStartupDate", "2026-12-03"),
            ("CoreStartupTime", "15:36:02"),
            ("CoreReloadDate", "2026-12-03"),
            ("CoreReloadTime", "15:44:10"),
            ("CoreCurrentCalls", str(len(self.emu.channels))),
            ("CoreProcessedCalls", str(len(self.emu.channels))),
        ]
        session.send(format_message(pairs))
        return True

    async def coreshowchannels(
        self, session: EmulatedSession, request: Request
    ) -> bool:
        session.send(response_list(request, "Channels will follow"))
        channels = list(self.emu.channels.values())
        for channel in channels:
            pairs = [
                ("Event", "CoreShowChannel"),
                *request.id_pairs(),
                *channel.fields(),
            ]
            pairs += [
                ("Application", channel.application),
                ("ApplicationData", channel.app_data),
                ("Duration", "00:00:10"),
                ("BridgeId", ""),
            ]
            session.send(format_message(pairs))
        session.send(_list_complete(request, "CoreShowChannelsComplete", len(channels)))
        return True

    async def queuestatus(self, session: EmulatedSession, request: Request) -> bool:
        session.send(response_list(request, "Queue status will follow"))
        wanted, count = request.get("Queue"), 0
        for queue in self.emu.queues.values():
            if wanted and queue.name != wanted:
                continue
            items = [queue.params_fields()]
            items += [m.status_fields(queue.name) for m in queue.members.values()]
            items += [
                queue.entry_fields(pos, caller, 0)
                for pos, caller in enumerate(queue.callers, start=1)
            ]
            names = ["QueueParams"] + ["QueueMember"] * len(queue.members)
            names += ["QueueEntry"] * len(queue.callers)
            for name, fields in zip(names, items, strict=True):
                event = [("Event", name), *fields, *request.id_pairs()]
                session.send(format_message(event))
            count += len(items)
        session.send(_list_complete(request, "QueueStatusComplete", count))
        return True

    async def queuesummary(self, session: EmulatedSession, request: Request) -> bool:
        session.send(response_list(request, "Queue summary will follow"))
        queues = list(self.emu.queues.values())
        for queue in queues:
            event = [("Event", "QueueSummary"), *queue.summary_fields()]
            session.send(format_message(event + request.id_pairs()))
        session.send(_list_complete(request, "QueueSummaryComplete", len(queues)))
        return True

    async def queuepause(self, session: EmulatedSession, request: Request) -> bool:
        paused = request.get("Paused").lower() in {"true", "yes", "1", "on"}
        found = self._members(request.get("Queue"), request.get("Interface"))
        if not found:
            session.send(response(request, "Error", "Interface not found"))
            return True
        message = (
            "Interface paused successfully"
            if paused
            else "Interface unpaused successfully"
        )
        session.send(response(request, "Success", message))
        for queue, member in found:
            self.emu.set_paused(queue, member, paused, request.get("Reason"))
        return True

    async def queueadd(self, session: EmulatedSession, request: Request) -> bool:
        queue = self.emu.queues.get(request.get("Queue"))
        interface = request.get("Interface")
        if queue is None:
            message = "Unable to add interface to queue: No such queue"
            session.send(response(request, "Error", message))
            return True
        if interface in queue.members:
            session.send(
                response(request, "Error", "Unable to add interface: Already there")
            )
            return True
        member = QueueMember(
            name=request.get("MemberName") or interface,
            interface=interface,
            state_interface=request.get("StateInterface") or interface,
            membership="dynamic",
            paused=request.get("Paused").lower() in {"true", "yes", "1"},
            paused_reason=request.get("Reason"),
            login_time=int(self.emu.now()),
        )
        queue.members[interface] = member
        session.send(response(request, "Success", "Added interface to queue"))
        self.emu.emit("QueueMemberAdded", member.event_fields(queue.name), "agent")
        return True

    async def queueremove(self, session: EmulatedSession, request: Request) -> bool:
        queue = self.emu.queues.get(request.get("Queue"))
        if queue is None:
            message = "Unable to remove interface from queue: No such queue"
            session.send(response(request, "Error", message))
            return True
        member = queue.members.pop(request.get("Interface"), None)
        if member is None:
            session.send(
                response(request, "Error", "Unable to remove interface: Not there")
            )
            return True
        session.send(response(request, "Success", "Removed interface from queue"))
        self.emu.emit("QueueMemberRemoved", member.event_fields(queue.name), "agent")
        return True

    async def channel_action(self, session: EmulatedSession, request: Request) -> bool:
        """Hangup, Redirect and Atxfer: acknowledged when the channel exists.

        manager.c action_hangup, action_redirect and action_atxfer answer
        "No such channel" otherwise; the effect on the call is left to the
        test's scenes.
        """
        if request.get("Channel") not in self.emu.channels:
            session.send(response(request, "Error", "No such channel"))
            return True
        messages = {
            "hangup": "Channel Hungup",
            "redirect": "Redirect successful",
            "atxfer": "Atxfer successfully queued",
        }
        session.send(response(request, "Success", messages[request.action.lower()]))
        return True

    def _members(
        self, queue_name: str, interface: str
    ) -> list[tuple[str, QueueMember]]:
        return [
            (queue.name, queue.members[interface])
            for queue in self.emu.queues.values()
            if (not queue_name or queue.name == queue_name)
            and interface in queue.members
        ]


def response_list(request: Request, message: str) -> bytes:
    """astman_send_listack: the reply that opens an EventList."""
    pairs = [("Response", "Success"), *request.id_pairs(), ("EventList", "start")]
    return format_message([*pairs, ("Message", message)])
