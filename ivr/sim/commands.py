"""Dispatch of one AGI command line, and the commands that do not touch audio.

:class:`CommandSet` follows agi_handle_command() in res_agi.c: unknown or
incomplete commands get ``510``, commands not allowed on a dead channel get
``511``, a handler's usage error gets the one-line ``520``. Applications run
by ``EXEC`` (Playback, Queue, Wait, NoOp, Set, Answer, Hangup) live in
``ivr.sim.apps``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from .apps import Applications
from .channel_model import STATE_UP
from .context import CallContext, ShowUsage
from .media import MediaCommands
from .wire import INVALID_COMMAND, NOT_PERMITTED, SHOW_USAGE, find_command, parse_args

__all__ = ["CommandSet"]

logger = logging.getLogger("ivr.sim.commands")

Handler = Callable[[list[str]], Awaitable[str]]


class CommandSet:
    """Answers AGI commands for one emulated channel."""

    def __init__(self, ctx: CallContext) -> None:
        self.ctx = ctx
        self.dead = False
        media = MediaCommands(ctx)
        self._apps = Applications(ctx)
        self._handlers: dict[str, Handler] = {
            "ANSWER": self.answer,
            "HANGUP": self.hangup,
            "CHANNEL STATUS": self.channel_status,
            "SET VARIABLE": self.set_variable,
            "GET VARIABLE": self.get_variable,
            "GET FULL VARIABLE": self.get_full_variable,
            "EXEC": self.exec,
            "GOSUB": self.gosub,
            "NOOP": self._fixed("200 result=0\n"),
            "VERBOSE": self._fixed("200 result=1\n", least=2),
            "SET AUTOHANGUP": self._fixed("200 result=0\n", least=3, most=3),
            "SET MUSIC": self._fixed("200 result=0\n", least=3),
            "SET CONTEXT": self._fixed("200 result=0\n", least=3, most=3),
            "SET EXTENSION": self._fixed("200 result=0\n", least=3, most=3),
            "SET CALLERID": self.set_callerid,
            "DATABASE GET": self.database_get,
            "DATABASE PUT": self.database_put,
            "STREAM FILE": media.stream_file,
            "GET OPTION": media.get_option,
            "GET DATA": media.get_data,
            "WAIT FOR DIGIT": media.wait_for_digit,
            "RECORD FILE": media.record_file,
            "SAY NUMBER": lambda argv: media.say(argv, "number"),
            "SAY DIGITS": lambda argv: media.say(argv, "digits"),
            "SAY ALPHA": lambda argv: media.say(argv, "alpha"),
        }

    async def handle(self, line: str) -> str:
        """Answer one command line (without its newline); return the reply."""
        argv = parse_args(line)
        spec = find_command(argv)
        if spec is None:
            return INVALID_COMMAND
        if self.dead and not spec.dead:
            return NOT_PERMITTED
        handler = self._handlers.get(spec.name)
        if handler is None:
            return self._not_emulated(spec.name)
        try:
            return await handler(argv)
        except ShowUsage:
            return SHOW_USAGE

    def _not_emulated(self, name: str) -> str:
        logger.warning("command %s is not emulated; answering result=-1", name)
        self.ctx.model.record("command", name, "not emulated")
        return "200 result=-1\n"

    @staticmethod
    def _fixed(reply: str, *, least: int = 0, most: int = 1 << 30) -> Handler:
        async def fixed(argv: list[str]) -> str:
            if not least <= len(argv) <= most:
                raise ShowUsage
            return reply

        return fixed

    async def answer(self, argv: list[str]) -> str:
        """handle_answer(): ``200 result=0`` (also when already up)."""
        self.ctx.model.state = STATE_UP
        return "200 result=0\n"

    async def hangup(self, argv: list[str]) -> str:
        """handle_hangup(): hang up this channel, or a named one."""
        if len(argv) > 2:
            raise ShowUsage
        if len(argv) == 2 and argv[1] != self.ctx.model.setup.channel:
            return "200 result=-1\n"
        self.ctx.model.hang_up("service")
        return "200 result=1\n"

    async def channel_status(self, argv: list[str]) -> str:
        """handle_channelstatus(): the ast_channel_state number (6 = up)."""
        if len(argv) > 3:
            raise ShowUsage
        if len(argv) == 3 and argv[2] != self.ctx.model.setup.channel:
            return "200 result=-1\n"
        return f"200 result={self.ctx.model.state}\n"

    async def set_variable(self, argv: list[str]) -> str:
        """handle_setvariable(): exactly a name and a value."""
        if len(argv) != 4:
            raise ShowUsage
        self.ctx.model.set_variable(argv[2], argv[3])
        return "200 result=1\n"

    async def get_variable(self, argv: list[str]) -> str:
        """handle_getvariable(): ``200 result=1 (value)`` or ``200 result=0``."""
        if len(argv) != 3:
            raise ShowUsage
        value = self.ctx.model.get_variable(argv[2])
        return "200 result=0\n" if value is None else f"200 result=1 ({value})\n"

    async def get_full_variable(self, argv: list[str]) -> str:
        """handle_getvariablefull(): expand ``${...}`` on this (or a named) channel."""
        if len(argv) not in (4, 5):
            raise ShowUsage
        if len(argv) == 5 and argv[4] != self.ctx.model.setup.channel:
            return "200 result=0\n"
        return f"200 result=1 ({self.ctx.model.expand(argv[3])})\n"

    async def exec(self, argv: list[str]) -> str:
        """handle_exec(): the application's return value; ``-2`` if there is none."""
        if len(argv) < 2:
            raise ShowUsage
        data = argv[2] if len(argv) > 2 else ""
        self.ctx.model.record("exec", argv[1], data)
        self.ctx.drop_queued()
        return f"200 result={await self._apps.run(argv[1], data, dead=self.dead)}\n"

    async def gosub(self, argv: list[str]) -> str:
        """handle_gosub() in app_stack.c: ``100 ... Trying...`` then ``200 ...``.

        Every context, extension and priority is taken to exist.
        """
        if not 4 <= len(argv) <= 5:
            raise ShowUsage
        await self.ctx.send("100 result=0 Trying...\n")
        self.ctx.model.record(
            "gosub", ",".join(argv[1:4]), argv[4] if len(argv) > 4 else ""
        )
        await self.ctx.spend(0.04)
        return "200 result=0 Gosub complete\n"

    async def set_callerid(self, argv: list[str]) -> str:
        """handle_setcallerid(): ``"Name" <number>`` or a bare number."""
        if len(argv) > 2:
            name, _, number = argv[2].rpartition("<")
            self.ctx.model.callerid = number.rstrip(">").strip() if _ else argv[2]
            self.ctx.model.calleridname = name.strip().strip('"') if _ else ""
        return "200 result=1\n"

    async def database_get(self, argv: list[str]) -> str:
        """handle_dbget(): from an in-memory AstDB of this emulator."""
        if len(argv) != 4:
            raise ShowUsage
        value = self.ctx.database.get((argv[2], argv[3]))
        return "200 result=0\n" if value is None else f"200 result=1 ({value})\n"

    async def database_put(self, argv: list[str]) -> str:
        """handle_dbput(): into the in-memory AstDB."""
        if len(argv) != 5:
            raise ShowUsage
        self.ctx.database[(argv[2], argv[3])] = argv[4]
        return "200 result=1\n"
