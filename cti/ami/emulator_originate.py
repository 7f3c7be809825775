"""Originate in the emulated Asterisk: the dial outcome, then what runs next.

main/manager.c action_originate answers "Originate successfully queued" and
fast_originate dials; the OriginateResponse that follows names Context and
Exten for a dialplan originate, Application and Data for an application
one, and on a failed dial the requested ``tech/data`` with Uniqueid
``<unknown>`` (no channel was kept). Reason is the AST_CONTROL_* code the
dial ended on (4 answered, 5 busy, 3 no answer, 8 congestion, 0 failed).

Once answered, the channel runs its application or extension. The emulator
has no dialplan, so a test says what a context does (:attr:`AMIEmulator.
dialplan`). Two contexts of ``asterisk-dialplan/extensions.conf`` are
known, each reporting its result with a UserEvent from its ``h``
extension: ``fax-out`` runs SendFAX, ``cti-callback`` dials the citizen of
a ticket call-back (the outcome a test sets in :class:`DialResult`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cti.ami.emulator_model import EmulatedChannel
from cti.ami.emulator_wire import EmulatedSession, Pairs, Request, response

if TYPE_CHECKING:
    from cti.ami.emulator import AMIEmulator

__all__ = [
    "ContextScene",
    "DialResult",
    "FaxResult",
    "cti_callback",
    "fax_out",
    "originate",
    "send_fax_application",
]

ContextScene = Callable[["AMIEmulator", EmulatedChannel, Request], None]
"""What a dialplan context does on an answered originated channel."""

ANSWERED = 4


@dataclass(frozen=True, slots=True)
class FaxResult:
    """How SendFAX ends on one channel: the variables res_fax.c sets.

    ``status`` is FAXSTATUS (SUCCESS or FAILED), ``error`` FAXERROR
    (res_fax.c sets e.g. FILE_ERROR, INIT_ERROR, T38_NEG_ERROR, or the fax
    technology's error), ``pages`` FAXPAGES.
    """

    status: str = "SUCCESS"
    error: str = ""
    pages: int = 1
    remote_station_id: str = "+86 10 8888 0000"


@dataclass(frozen=True, slots=True)
class DialResult:
    """How Dial ends on one channel: the variables apps/app_dial.c sets.

    ``status`` is DIALSTATUS (ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION,
    CHANUNAVAIL, DONTCALL, TORTURE, INVALIDARGS), ``answered_time``
    ANSWEREDTIME in seconds, which Dial leaves empty unless answered.
    """

    status: str = "ANSWER"
    answered_time: int = 42

    @property
    def answered_text(self) -> str:
        """ANSWEREDTIME as the channel variable reads."""
        return str(self.answered_time) if self.status == "ANSWER" else ""


async def originate(
    emu: AMIEmulator, session: EmulatedSession, request: Request
) -> bool:
    """Queue the call, dial it, send OriginateResponse, run what follows."""
    target = request.get("Channel")
    if not target:
        session.send(response(request, "Error", "Channel not specified"))
        return True
    session.send(response(request, "Success", "Originate successfully queued"))
    reason = emu.originate_reasons.get(target, _default_reason(target))
    channel = _dialled(emu, request) if reason == ANSWERED else None
    emu.emit("OriginateResponse", _response_pairs(emu, request, channel, reason))
    if channel is not None:
        _run(emu, channel, request)
    return True


def _default_reason(target: str) -> int:
    return 0 if "nosuchcontext" in target else ANSWERED


def _dialled(emu: AMIEmulator, request: Request) -> EmulatedChannel:
    """The answered outgoing channel: Newchannel, as ast_request makes it."""
    emu.originated += 1
    channel = EmulatedChannel(
        f"{request.get('Channel')}-{emu.originated:08x}",
        request.get("ChannelId") or f"{emu.now():.0f}.{emu.originated}",
        context=request.get("Context") or "default",
        exten=request.get("Exten") or "s",
        application=request.get("Application"),
        app_data=request.get("Data"),
        variables=_variables(request),
    )
    emu.channels[channel.channel] = channel
    emu.emit("Newchannel", channel.fields(), "call")
    return channel


def _variables(request: Request) -> dict[str, str]:
    """Originate's Variable headers (``a=b,c=d``; manager.c man_do_variable_value)."""
    found: dict[str, str] = {}
    for line in request.get_all("Variable"):
        for pair in line.split(","):
            name, _, value = pair.partition("=")
            found[name.strip()] = value
    return found


def _response_pairs(
    emu: AMIEmulator, request: Request, channel: EmulatedChannel | None, reason: int
) -> Pairs:
    application = request.get("Application")
    name = channel.channel if channel else request.get("Channel")
    pairs: Pairs = [
        *request.id_pairs(),
        ("Response", "Success" if channel else "Failure"),
        ("Channel", name),
    ]
    if application:
        pairs += [("Application", application), ("Data", request.get("Data"))]
    else:
        pairs += [("Context", request.get("Context")), ("Exten", request.get("Exten"))]
    uniqueid = channel.uniqueid if channel else request.get("ChannelId")
    pairs += [
        ("Reason", str(reason)),
        ("Uniqueid", uniqueid or "<unknown>"),
        ("CallerIDNum", "<unknown>"),
        ("CallerIDName", "<unknown>"),
    ]
    return pairs


def _run(emu: AMIEmulator, channel: EmulatedChannel, request: Request) -> None:
    """Run the application, or the context's scene when the test gave one."""
    if channel.application.lower() == "sendfax":
        send_fax_application(emu, channel, request)
        return
    scene = emu.dialplan.get(channel.context)
    if scene is not None:
        scene(emu, channel, request)


def send_fax_application(
    emu: AMIEmulator, channel: EmulatedChannel, request: Request
) -> FaxResult:
    """SendFAX on ``channel``: the channel variables, FAXStatus, SendFAX.

    res_fax.c sendfax_exec sets FAXSTATUS, FAXERROR, FAXPAGES... on the
    channel (set_channel_variables) and, after the transfer, sends the
    SendFAX event (report_send_fax_status, shaped by manager_channels.c
    channel_fax_cb: channel snapshot, then LocalStationID, RemoteStationID,
    PagesTransferred, Resolution, TransferRate, one FileName per file). The
    ``s`` option adds FAXStatus progress events (report_fax_status).
    """
    data = channel.app_data if channel.application else _fax_file(channel)
    files, _, options = data.partition(",")
    result = emu.fax_results.get(request.get("Channel"), FaxResult())
    channel.variables.update(
        {
            "FAXSTATUS": result.status,
            "FAXERROR": result.error,
            "FAXPAGES": str(result.pages),
            "REMOTESTATIONID": result.remote_station_id,
        }
    )
    names = [("FileName", name) for name in files.split("&")]
    if "s" in options:
        progress = [("Operation", "send"), ("Status", "FAX Transmission In Progress")]
        emu.emit("FAXStatus", [*channel.fields(), *progress, ("LocalStationID", "")])
    pairs = [
        *channel.fields(),
        ("LocalStationID", ""),
        ("RemoteStationID", result.remote_station_id),
        ("PagesTransferred", str(result.pages)),
        ("Resolution", "8040x3850"),
        ("TransferRate", "14400"),
        *names,
    ]
    emu.emit("SendFAX", pairs, "call")
    return result


def fax_out(emu: AMIEmulator, channel: EmulatedChannel, request: Request) -> None:
    """The ``fax-out`` context: SendFAX, then the ``h`` extension's UserEvent.

    The UserEvent carries the channel snapshot, ``UserEvent: FaxResult`` and
    the body pairs (main/stasis.c multi_user_event_to_ami, class ``user``);
    then the channel hangs up.
    """
    result = send_fax_application(emu, channel, request)
    body = [
        ("UserEvent", "FaxResult"),
        ("Ticket", channel.variables.get("FAX_TICKET", "")),
        ("Status", result.status),
        ("Error", result.error),
        ("Pages", str(result.pages)),
    ]
    emu.emit("UserEvent", [*channel.fields(), *body], "user")
    _hang_up(emu, channel)


def cti_callback(emu: AMIEmulator, channel: EmulatedChannel, request: Request) -> None:
    """The ``cti-callback`` context: Dial the citizen, then the ``h`` UserEvent.

    The outcome is ``emu.callback_results`` for the Originate's Channel (by
    default answered). Dial sets DIALSTATUS and ANSWEREDTIME on the agent's
    channel; after hangup the ``h`` extension sends them with the ticket
    number, shaped as :func:`fax_out`'s event; then the channel hangs up.
    """
    result = emu.callback_results.get(request.get("Channel"), DialResult())
    channel.variables.update(
        {"DIALSTATUS": result.status, "ANSWEREDTIME": result.answered_text}
    )
    body = [
        ("UserEvent", "CallbackResult"),
        ("Ticket", channel.variables.get("TICKET_NUMBER", "")),
        ("DialStatus", result.status),
        ("AnsweredTime", result.answered_text),
    ]
    emu.emit("UserEvent", [*channel.fields(), *body], "user")
    _hang_up(emu, channel)


def _hang_up(emu: AMIEmulator, channel: EmulatedChannel) -> None:
    """Forget the channel and send Hangup (16, normal clearing)."""
    emu.channels.pop(channel.channel, None)
    pairs = [*channel.fields(), ("Cause", "16"), ("Cause-txt", "Normal Clearing")]
    emu.emit("Hangup", pairs, "call")


def _fax_file(channel: EmulatedChannel) -> str:
    """The fax-out context's SendFAX argument: ``${FAX_FILE},f``."""
    return f"{channel.variables.get('FAX_FILE', '')},f"
