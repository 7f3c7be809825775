"""An emulated Asterisk AMI peer (server side) for tests and demos.

It speaks as Asterisk 22 does: the banner ``Asterisk Call Manager/11.0.0``
(include/asterisk/manager.h AMI_VERSION), Login with the one-second delay
and close on failure (main/manager.c action_login), "Permission denied"
before login and without the right class (process_message), and the replies
of the actions the CTI uses, shaped as manager.c and apps/app_queue.c shape
them, and voicemail's MailboxCount, MailboxStatus and VoicemailUsersList
(:mod:`cti.ami.emulator_voicemail`, boxes in :attr:`AMIEmulator.mailboxes`).
Tests push events with :meth:`AMIEmulator.emit` and the scenes in
:mod:`cti.ami.emulator_events`. It imports nothing from the client side.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from cti.ami import emulator_actions, emulator_originate, emulator_voicemail
from cti.ami.emulator_model import EmulatedChannel, EmulatedQueue, QueueMember
from cti.ami.emulator_voicemail import EmulatedMailbox
from cti.ami.emulator_wire import (
    EmulatedSession,
    EmulatedUser,
    Pairs,
    Request,
    events_mask,
    format_message,
    read_request,
    response,
)

__all__ = ["AMI_BANNER", "AMIEmulator"]

logger = logging.getLogger("cti.ami.emulator")

AMI_BANNER = b"Asterisk Call Manager/11.0.0\r\n"

_ACTION_CLASSES = {
    **emulator_actions.ACTION_CLASSES,
    **emulator_voicemail.ACTION_CLASSES,
}


class AMIEmulator:
    """An AMI server on a spare local port with scriptable state and events.

    ``users`` maps names to :class:`EmulatedUser` (or to a bare secret).
    ``sleep`` replaces the real one-second login failure delay in tests.
    ``requests`` records every action received, for assertions;
    ``overrides`` maps a lower-case action name to raw reply bytes, with
    ``{ActionID}`` replaced by the request's (or to ``b""``: no reply).
    ``originate_reasons`` maps an Originate's Channel to the dial's Reason
    (default 4, answered); ``dialplan`` maps a context to what it does on
    an answered channel (``fax-out`` and ``cti-callback`` are known);
    ``fax_results`` maps an Originate's Channel to how SendFAX ends there,
    ``callback_results`` to how the call-back's Dial of the citizen ends.
    """

    def __init__(
        self,
        users: dict[str, EmulatedUser | str],
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        fully_booted: bool = True,
    ) -> None:
        self.users = {
            name: user if isinstance(user, EmulatedUser) else EmulatedUser(user)
            for name, user in users.items()
        }
        self.fully_booted = fully_booted
        self.queues: dict[str, EmulatedQueue] = {}
        self.channels: dict[str, EmulatedChannel] = {}
        self.mailboxes: dict[str, EmulatedMailbox] = {}
        """voicemail.conf users by ``mailbox@context``."""
        self.commands: dict[str, str] = {
            "core show uptime": "System uptime: 10 minutes, 11 seconds\n"
            "Last reload: 2 minutes, 4 seconds"
        }
        self.overrides: dict[str, bytes] = {}
        self.requests: list[Request] = []
        self.originate_reasons: dict[str, int] = {}
        self.fax_results: dict[str, emulator_originate.FaxResult] = {}
        self.callback_results: dict[str, emulator_originate.DialResult] = {}
        self.dialplan: dict[str, emulator_originate.ContextScene] = {
            "fax-out": emulator_originate.fax_out,
            "cti-callback": emulator_originate.cti_callback,
        }
        self.originated = 0
        self.connections = 0
        self.port = 0
        self._sleep = sleep
        self._clock = clock
        self._server: asyncio.Server | None = None
        self._sessions: set[EmulatedSession] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._handlers = {
            **emulator_actions.handlers(self),
            **emulator_voicemail.handlers(self),
        }

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen and return the port (a spare one when ``port`` is 0)."""
        self._server = await asyncio.start_server(self._serve, host, port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        """Stop listening and drop every session."""
        if self._server is not None:
            self._server.close()
        self.drop_sessions()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    def drop_sessions(self) -> None:
        """Close every connection, as a crash or a write timeout would (F30)."""
        for session in list(self._sessions):
            session.writer.close()

    def shutdown(self) -> None:
        """Send ``Shutdown`` (main/asterisk.c) then close, and stop being booted."""
        self.emit("Shutdown", [("Shutdown", "Cleanly"), ("Restart", "True")], "system")
        self.fully_booted = False
        self.drop_sessions()

    def boot(self) -> None:
        """Finish booting: broadcast FullyBooted to the logged-in sessions."""
        self.fully_booted = True
        self.emit("FullyBooted", self._booted_fields(), "system")

    def emit(self, name: str, pairs: Pairs, category: str = "call") -> None:
        """Send an event to each session whose read and Events mask allow it."""
        privilege = f"{category},all"
        data = format_message([("Event", name), ("Privilege", privilege), *pairs])
        for session in self._sessions:
            if session.user and category in session.user.read & session.events:
                session.send(data)

    def emit_raw(self, data: bytes) -> None:
        """Send bytes as they are to every logged-in session (broken input)."""
        for session in self._sessions:
            if session.user is not None:
                session.send(data)

    async def drain(self) -> None:
        """Wait until every session's output has been handed to the socket."""
        for session in list(self._sessions):
            if not session.writer.is_closing():
                await session.writer.drain()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        session = EmulatedSession(writer)
        self._sessions.add(session)
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            writer.write(AMI_BANNER)
            while (request := await read_request(reader)) is not None:
                self.requests.append(request)
                if not await self._handle(session, request):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            logger.debug("emulated session dropped by the peer")
        finally:
            self._sessions.discard(session)
            if task is not None:
                self._tasks.discard(task)
            writer.close()

    async def _handle(self, session: EmulatedSession, request: Request) -> bool:
        name = request.action.lower()
        if name in self.overrides:
            action_id = request.get("ActionID").encode()
            session.send(self.overrides[name].replace(b"{ActionID}", action_id))
            return True
        if name == "login":
            return await self._login(session, request)
        if session.user is None and name != "logoff":
            session.send(response(request, "Error", "Permission denied"))
            return True
        handler = self._handlers.get(name)
        if handler is None:
            text = (
                f"Invalid/unknown command: {request.action}. "
                "Use Action: ListCommands to show available commands."
            )
            session.send(response(request, "Error", text))
            return True
        if not self._allowed(session, name):
            session.send(response(request, "Error", "Permission denied"))
            return True
        return await handler(session, request)

    def _allowed(self, session: EmulatedSession, name: str) -> bool:
        needed = _ACTION_CLASSES.get(name, frozenset())
        return not needed or bool(session.user and needed & session.user.write)

    async def _login(self, session: EmulatedSession, request: Request) -> bool:
        if session.user is not None:
            session.send(response(request, "Success", "Already authenticated"))
            return True
        user = self.users.get(request.get("Username"))
        if user is None or user.secret != request.get("Secret"):
            await self._sleep(1.0)
            session.send(response(request, "Error", "Authentication failed"))
            await session.writer.drain()
            return False
        session.user = user
        session.events = events_mask(request.get("Events"))
        session.send(response(request, "Success", "Authentication accepted"))
        if self.fully_booted and "system" in user.read & session.events:
            pairs = [("Event", "FullyBooted"), ("Privilege", "system,all")]
            session.send(format_message(pairs + self._booted_fields()))
        return True

    def _booted_fields(self) -> Pairs:
        return [("Uptime", "518"), ("LastReload", "30"), ("Status", "Fully Booted")]

    def set_paused(
        self, queue: str, member: QueueMember, paused: bool, reason: str
    ) -> None:
        """Pause or unpause a member and send QueueMemberPause (app_queue.c).

        On unpause Asterisk sends an empty PausedReason (field case F34).
        """
        member.paused = paused
        member.paused_reason = reason if paused else ""
        if paused:
            member.last_pause = int(self.now())
        self.emit("QueueMemberPause", member.event_fields(queue), "agent")

    def now(self) -> float:
        """The emulated clock (for Timestamp, LastPause, LoginTime)."""
        return self._clock()
