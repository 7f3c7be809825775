"""The AMI actions the CTI sends, built in one place.

Queue members are added paused (QueueAdd with ``Paused: true``, field case
F37: a member added unpaused can be rung before a following QueuePause)
and unpaused when the agent is ready. Supervisors listen, whisper or barge
with ChanSpy (apps/app_chanspy.c options: ``q`` no beep or name, ``E``
leave when the spied-on channel hangs up, ``w`` whisper to the agent,
``B`` barge: talk to both). Transfers are Redirect (blind, the caller's
channel leaves the bridge) or Atxfer (attended, on the agent's channel;
main/manager.c action_atxfer). A ticket reply by call-back rings the
agent's phone and, once answered, dials the caller from the callback
context; a fax is an Originate to the fax number into the ``fax-out``
context (asterisk-dialplan/extensions.conf), which runs SendFAX.
"""

from __future__ import annotations

from cti.ami.actions import Action

__all__ = [
    "SPY_OPTIONS",
    "attended_transfer",
    "blind_transfer",
    "callback",
    "hangup",
    "queue_add",
    "queue_pause",
    "queue_remove",
    "send_fax",
    "spy",
]

SPY_OPTIONS = {"listen": "qE", "whisper": "qEw", "barge": "qEB"}


def queue_add(queue: str, interface: str, agent: str, reason: str) -> Action:
    """Add a member to ``queue``, paused, named by agent number."""
    return Action.build(
        "QueueAdd",
        Queue=queue,
        Interface=interface,
        MemberName=agent,
        Paused=True,
        Reason=reason,
    )


def queue_pause(interface: str, paused: bool, reason: str = "") -> Action:
    """Pause or unpause a member in every queue it is in."""
    return Action.build(
        "QueuePause", Interface=interface, Paused=paused, Reason=reason or None
    )


def queue_remove(queue: str, interface: str) -> Action:
    """Remove a member from ``queue``."""
    return Action.build("QueueRemove", Queue=queue, Interface=interface)


def hangup(channel: str) -> Action:
    """Hang up one channel (Cause 16, normal clearing)."""
    return Action.build("Hangup", Channel=channel, Cause=16)


def blind_transfer(caller_channel: str, exten: str, context: str) -> Action:
    """Send the caller's channel to ``exten@context`` (priority 1)."""
    return Action.build(
        "Redirect", Channel=caller_channel, Exten=exten, Context=context, Priority=1
    )


def attended_transfer(agent_channel: str, exten: str, context: str) -> Action:
    """Start an attended transfer from the agent's channel."""
    return Action.build("Atxfer", Channel=agent_channel, Exten=exten, Context=context)


def spy(phone: str, target_channel: str, mode: str, agent: str) -> Action:
    """Ring the supervisor's ``phone`` and spy on ``target_channel``."""
    return Action.build(
        "Originate",
        Channel=phone,
        Application="ChanSpy",
        Data=f"{target_channel},{SPY_OPTIONS[mode]}",
        CallerID=f"spy <{agent}>",
    )


def callback(interface: str, number: str, context: str, ticket: str) -> Action:
    """Ring the agent's ``interface``, then dial ``number`` from ``context``.

    A dialplan Originate (manager.c action_originate with Context and
    Exten): the agent's phone rings first and shows the ticket number; once
    it answers, ``number@context`` runs on that channel and dials the
    caller. TICKET_NUMBER links the call to the ticket in events and CDRs,
    and names it in the context's CallbackResult (:mod:`cti.callbacks`).
    """
    return Action.build(
        "Originate",
        Channel=interface,
        Context=context,
        Exten=number,
        Priority=1,
        CallerID=f"ticket <{ticket}>",
        Variable=f"TICKET_NUMBER={ticket}",
    )


def send_fax(
    channel: str, context: str, ticket: str, document: str, station_id: str = ""
) -> Action:
    """Dial the fax ``channel`` and run SendFAX on ``document`` from ``context``.

    ``document`` is a TIFF/F path Asterisk can read; the context sends it
    and reports FAXSTATUS, FAXERROR and FAXPAGES with the ticket number in a
    UserEvent. manager.c man_do_variable_value splits a Variable value at
    commas, so the caller must refuse a path holding one (:mod:`cti.fax`).
    ``station_id`` becomes FAXOPT(localstationid) in the context.
    """
    return Action.build(
        "Originate",
        ("Variable", f"FAX_TICKET={ticket}"),
        ("Variable", f"FAX_FILE={document}"),
        ("Variable", f"FAX_STATION_ID={station_id}"),
        Channel=channel,
        Context=context,
        Exten="s",
        Priority=1,
        CallerID="12333 <12333>",
    )
