"""Asyncio AMI client: one link to Asterisk that survives restarts.

The client owns a reconnect loop. Each session connects, reads the banner,
logs in (nothing else is sent before that, field case F26), waits for
``FullyBooted`` or polls CoreStatus (F29), runs the resync hook so the CTI
can re-query queues and channels, then reads until EOF or ``Shutdown``.
Reading never waits for consumers: events go to bounded subscriptions
(F30). "Authentication failed" alerts and backs off slowly (F27).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Coroutine

from cti.ami.actions import Action, frame_action
from cti.ami.backoff import Backoff
from cti.ami.config import ACTION_STATES, AMIConfig, ConnectionState
from cti.ami.errors import (
    ActionFailedError,
    ActionTimeoutError,
    AMIError,
    AuthenticationError,
    ConnectionLostError,
    NotLoggedInError,
)
from cti.ami.message import Banner, Message, MessageKind
from cti.ami.parser import AMIParser
from cti.ami.pending import ActionTable, PendingAction
from cti.ami.replies import CommandResult, OriginateResult, Reply
from cti.ami.subscriptions import EventBus, Subscription
from ivr.tasks import cancel_and_wait

__all__ = ["AMIClient", "AMIConfig", "ConnectionState"]

logger = logging.getLogger("cti.ami.client")

Sleep = Callable[[float], Awaitable[None]]
ResyncHook = Callable[[], Awaitable[None]]
AlertHook = Callable[[AMIError], None]


class AMIClient:
    """A reconnecting AMI client; subscriptions survive reconnects.

    ``on_resync`` runs after every (re)login and after events were lost to
    a full subscription; until it returns, :attr:`stale` is True.
    ``on_alert`` hears configuration faults (wrong secret). ``sleep`` and
    ``random`` are injectable so tests run without real delays.
    """

    def __init__(
        self,
        config: AMIConfig,
        *,
        on_resync: ResyncHook | None = None,
        on_alert: AlertHook | None = None,
        sleep: Sleep = asyncio.sleep,
        random: Callable[[], float] = random.random,
    ) -> None:
        self.config = config
        self.state = ConnectionState.DISCONNECTED
        self.stale = True
        self.banner: Banner | None = None
        self.connect_attempts = 0
        self._on_resync = on_resync
        self._on_alert = on_alert
        self._sleep = sleep
        self._backoff = Backoff(config.backoff_base, config.backoff_cap, random)
        self._auth_backoff = Backoff(
            config.auth_backoff_base, config.auth_backoff_cap, random
        )
        self._table = ActionTable()
        self._bus = EventBus(self._request_resync)
        self._ready = asyncio.Event()
        self._writer: asyncio.StreamWriter | None = None
        self._runner: asyncio.Task[None] | None = None
        self._session_tasks: set[asyncio.Task[None]] = set()
        self._banner_seen: asyncio.Future[Banner] | None = None
        self._booted: asyncio.Future[None] | None = None
        self._resync_again = False

    async def __aenter__(self) -> AMIClient:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def start(self) -> None:
        """Start the connect-login-read loop in the background."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="ami-client")

    async def stop(self) -> None:
        """Log off when logged in, then end the loop and every task it owns."""
        if self.state is ConnectionState.READY:
            await self._logoff()
        self.state = ConnectionState.STOPPED
        runner, self._runner = self._runner, None
        if runner is not None:
            await cancel_and_wait(runner, logger=logger)

    async def wait_ready(self) -> None:
        """Wait until logged in, booted and resynced."""
        await self._ready.wait()

    def subscribe(self, *names: str, maxsize: int = 1000) -> Subscription:
        """Return a bounded stream of events (all, or only ``names``)."""
        return self._bus.subscribe(names, maxsize)

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop feeding ``subscription``."""
        self._bus.unsubscribe(subscription)

    async def send_action(
        self, action: Action, *, timeout: float | None = None
    ) -> Reply:
        """Send an action and return its reply (with list events).

        Raises :class:`NotLoggedInError` before login (nothing is sent),
        :class:`ActionFailedError` on ``Response: Error``,
        :class:`ActionTimeoutError` and :class:`ConnectionLostError`.
        """
        if action.name.lower() in {"login", "logoff"}:
            raise NotLoggedInError(f"{action.name} is the client's own business")
        pending = self._open(action)
        return await self._exchange(pending, action, timeout)

    async def command(self, text: str) -> CommandResult:
        """Run a CLI command; a failed one returns ``ok=False`` with output."""
        try:
            reply = await self.send_action(Action.build("Command", Command=text))
        except ActionFailedError as exc:
            return CommandResult(False, exc.reply.command_output(), exc.reply)
        return CommandResult(True, reply.response.command_output(), reply.response)

    async def originate(
        self, action: Action, *, timeout: float | None = None
    ) -> OriginateResult:
        """Send an Originate, always Async (F23), and await OriginateResponse.

        The reply only says the call was queued; the outcome comes in the
        OriginateResponse event with our ActionID (F22).
        """
        headers = tuple(kv for kv in action.headers if kv[0].lower() != "async")
        action = Action("Originate", (*headers, ("Async", "true")))
        pending = self._open(action)
        waiter = self._table.expect_event(pending.action_id, "OriginateResponse")
        try:
            await self._exchange(pending, action, None)
            limit = timeout or self.config.originate_timeout
            async with asyncio.timeout(limit):
                return OriginateResult(await waiter)
        except TimeoutError as exc:
            raise ActionTimeoutError("no OriginateResponse in time") from exc
        finally:
            self._table.drop_event_waiter(pending.action_id, "OriginateResponse")

    def _open(self, action: Action, *, login: bool = False) -> PendingAction:
        if self._writer is None or (not login and self.state not in ACTION_STATES):
            raise NotLoggedInError(
                f"{action.name} refused: not logged in ({self.state.value})"
            )
        return self._table.open(action.name)

    async def _exchange(
        self, pending: PendingAction, action: Action, timeout: float | None
    ) -> Reply:
        try:
            data = frame_action(action, pending.action_id)
            assert self._writer is not None  # checked by _open
            self._writer.write(data)
            logger.debug("sent %s %s", action.name, pending.action_id)
            async with asyncio.timeout(timeout or self.config.action_timeout):
                return await pending.future
        except TimeoutError as exc:
            raise ActionTimeoutError(f"{action.name}: no reply in time") from exc
        finally:
            self._table.close(pending)

    async def _run(self) -> None:
        while True:
            self.connect_attempts += 1
            try:
                await self._session()
                delay = self._backoff.next_delay()
            except AuthenticationError as exc:
                logger.error("AMI login refused for %s: %s", self.config.username, exc)
                if self._on_alert is not None:
                    self._on_alert(exc)
                delay = self._auth_backoff.next_delay()
            except (OSError, AMIError, TimeoutError) as exc:
                logger.warning("AMI session ended: %r", exc)
                delay = self._backoff.next_delay()
            finally:
                await self._teardown()
            logger.info("reconnecting to AMI in %.1f s", delay)
            await self._sleep(delay)

    async def _session(self) -> None:
        self.state = ConnectionState.CONNECTING
        async with asyncio.timeout(self.config.connect_timeout):
            reader, writer = await asyncio.open_connection(
                self.config.host, self.config.port
            )
        loop = asyncio.get_running_loop()
        self._writer = writer
        self._banner_seen, self._booted = loop.create_future(), loop.create_future()
        parser = AMIParser(fallback_encoding=self.config.fallback_encoding)
        reading = self._own(self._read(reader, parser))
        await self._handshake()
        self._backoff.reset()
        self._auth_backoff.reset()
        await reading

    async def _handshake(self) -> None:
        assert self._banner_seen is not None
        async with asyncio.timeout(self.config.login_timeout):
            self.banner = await self._banner_seen
        self.state = ConnectionState.LOGGING_IN
        login = Action.build(
            "Login",
            Username=self.config.username,
            Secret=self.config.secret,
            Events=self.config.events,
        )
        await self._exchange(
            self._open(login, login=True), login, self.config.login_timeout
        )
        self.state = ConnectionState.BOOTING
        await self._wait_booted()
        self.state = ConnectionState.SYNCING
        await self._resync()
        self.state = ConnectionState.READY
        self._ready.set()
        logger.info("AMI ready (banner %s)", self.banner.version)

    async def _wait_booted(self) -> None:
        assert self._booted is not None
        if self.config.expect_fully_booted:
            try:
                async with asyncio.timeout(self.config.boot_timeout):
                    await self._booted
                return
            except TimeoutError:
                logger.warning("no FullyBooted after login; polling CoreStatus")
        while True:
            try:
                await self._exchange(
                    self._open(Action("CoreStatus")), Action("CoreStatus"), None
                )
                return
            except ActionFailedError as exc:
                logger.warning("CoreStatus refused (%s); retrying", exc)
                await self._sleep(self.config.core_status_interval)

    async def _resync(self) -> None:
        self.stale = True
        while True:
            self._resync_again = False
            if self._on_resync is not None:
                await self._on_resync()
            if not self._resync_again:
                break
        self.stale = False

    def _request_resync(self) -> None:
        self.stale = True
        if self.state is not ConnectionState.READY:
            return
        self._resync_again = True
        if not any(task.get_name() == "ami-resync" for task in self._session_tasks):
            self._own(self._resync(), name="ami-resync")

    async def _read(self, reader: asyncio.StreamReader, parser: AMIParser) -> None:
        try:
            while data := await reader.read(65536):
                for item in parser.feed(data):
                    self._handle(item)
            parser.feed_eof()
        except OSError as exc:
            logger.warning("AMI read failed: %r", exc)
        finally:
            self._lost(ConnectionLostError("the AMI connection ended"))

    def _handle(self, item: Banner | Message) -> None:
        if isinstance(item, Banner):
            if self._banner_seen is not None and not self._banner_seen.done():
                self._banner_seen.set_result(item)
            return
        try:
            self._dispatch(item)
        except Exception:
            # One message must never end the session (panoramisk's failure).
            logger.exception(
                "could not handle an AMI message (%d bytes)", len(item.raw)
            )

    def _dispatch(self, message: Message) -> None:
        logger.debug("received %s %s", message.kind.value, message.name)
        if self._table.route(message):
            return
        if message.kind is MessageKind.UNKNOWN:
            logger.warning("AMI message without Event or Response ignored")
            return
        if message.name == "FullyBooted" and self._booted and not self._booted.done():
            self._booted.set_result(None)
        self._bus.publish(message)
        if message.name == "Shutdown":
            self._lost(ConnectionLostError("Asterisk is shutting down"))
            if self._writer is not None:
                self._writer.close()

    def _lost(self, error: ConnectionLostError) -> None:
        self.stale = True
        self._ready.clear()
        self._table.fail_all(error)
        for future in (self._banner_seen, self._booted):
            if future is not None and not future.done():
                future.set_exception(error)
                # Nobody may be waiting (a refused login never waits for
                # FullyBooted): mark it seen so asyncio logs no "never
                # retrieved" error; a waiter still gets the exception.
                future.exception()

    async def _teardown(self) -> None:
        self._lost(ConnectionLostError("the AMI session ended"))
        if self.state is not ConnectionState.STOPPED:
            self.state = ConnectionState.DISCONNECTED
        tasks, self._session_tasks = self._session_tasks, set()
        for task in tasks:
            await cancel_and_wait(task, logger=logger)
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    async def _logoff(self) -> None:
        try:
            logoff = Action("Logoff")
            await self._exchange(self._open(logoff), logoff, 2.0)
        except (AMIError, OSError) as exc:
            logger.info("Logoff not answered: %r", exc)

    def _own(
        self, coro: Coroutine[object, object, None], name: str = "ami-read"
    ) -> asyncio.Task[None]:
        task = asyncio.create_task(coro, name=name)
        self._session_tasks.add(task)
        task.add_done_callback(self._forget_task)
        return task

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        self._session_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error(
                "AMI task %s failed", task.get_name(), exc_info=task.exception()
            )
