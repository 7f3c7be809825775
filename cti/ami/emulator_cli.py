"""``ivr ami-emulator``: a stand-in Asterisk manager for trying the CTI.

Without an Asterisk, a new user or a desktop developer can still run the
staff side (tickets, knowledge, seats, wallboard) against this emulator:
it accepts the ``cti`` login, knows the queues of
``asterisk-dialplan/queues.conf`` and answers call-backs as if the agent
and the citizen picked up. It is the same emulator the tests speak to,
modelled on Asterisk's ``main/manager.c`` and ``apps/app_queue.c``; it
places no real calls.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

from cti.ami.emulator import AMIEmulator
from cti.ami.emulator_model import EmulatedQueue

__all__ = ["add_emulator_arguments", "run_emulator"]

QUEUES_CONF = Path(__file__).resolve().parents[2] / "asterisk-dialplan/queues.conf"
"""The dialplan's queue file; its concrete sections become the queues."""


def add_emulator_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``ivr ami-emulator``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=5038, help="port (5038)")
    parser.add_argument("--username", default="cti", help="AMI user (cti)")
    parser.add_argument(
        "--secret", required=True, help="its secret (the service's ami.secret)"
    )


def queue_names(conf: Path = QUEUES_CONF) -> list[str]:
    """The queues a queues.conf defines: sections that are not templates."""
    text = conf.read_text(encoding="utf-8")
    sections = re.findall(r"^\[([^\]]+)\](?!\(!\))", text, flags=re.MULTILINE)
    return [name for name in sections if name != "general"]


async def run_emulator(args: argparse.Namespace) -> int:
    """Serve until interrupted; print where, for the service's settings."""
    emulator = AMIEmulator({args.username: args.secret})
    for name in queue_names():
        emulator.queues[name] = EmulatedQueue(name)
    port = await emulator.start(args.host, args.port)
    print(
        f"AMI emulator on {args.host}:{port} (user {args.username}); start the "
        f"service with IVR_AMI_ENABLED=true IVR_AMI_PORT={port} "
        "IVR_AMI_SECRET=<the secret>",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await emulator.close()
    return 0
