"""``ivr staff``: create staff accounts, reset passwords, list, issue tokens.

Runs against the configured records database (migrated first). A password
is read from standard input with ``--password-stdin`` (so it never sits in
the shell history), or generated and printed once.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import UTC, datetime, timedelta

from cti.errors import CTIError
from cti.staff import ROLES, StaffDirectory
from ivr.config import ConfigError, load_config
from ivr.records import MigrationError, RecordStore, migrate

__all__ = ["add_staff_arguments", "run_staff"]


def add_staff_arguments(staff: argparse.ArgumentParser) -> None:
    """The ``add``, ``passwd``, ``list`` and ``token`` subcommands."""
    actions = staff.add_subparsers(dest="staff_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create an agent, supervisor or admin")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="agent")
    add.add_argument("--agent-number", default="", help="工号 (agents)")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--interface", default="", help="phone, e.g. PJSIP/1001")
    add.add_argument("--skills", default="", help="queues, comma-separated")
    passwd = actions.add_parser("passwd", help="reset a password; ends sessions")
    passwd.add_argument("username")
    token = actions.add_parser("token", help="issue a bearer token")
    token.add_argument("username")
    token.add_argument("--hours", type=float, default=12.0)
    for parser in (add, passwd):
        parser.add_argument("--password-stdin", action="store_true")
    actions.add_parser("list", help="list the accounts")


async def run_staff(args: argparse.Namespace) -> int:
    """Run one ``ivr staff`` action; return the exit code."""
    try:
        config = load_config(args.config)
        await migrate(config.database.url)
    except (ConfigError, MigrationError) as exc:
        print(f"ivr staff: {exc}", file=sys.stderr)
        return 2
    store = RecordStore(config.database.url)
    try:
        return await _act(args, StaffDirectory(store.engine))
    except CTIError as exc:
        print(f"ivr staff: {exc}", file=sys.stderr)
        return 1
    finally:
        await store.engine.dispose()


async def _act(args: argparse.Namespace, staff: StaffDirectory) -> int:
    now = datetime.now(UTC)
    if args.staff_action == "list":
        for member in await staff.all():
            skills = ",".join(member.skills)
            print(f"{member.username}\t{member.role}\t{member.agent_number}\t{skills}")
    elif args.staff_action == "add":
        password = _password(args)
        queues = [s.strip() for s in args.skills.split(",") if s.strip()]
        await staff.add(
            args.username,
            args.role,
            password,
            now,
            agent_number=args.agent_number,
            display_name=args.name,
            interface=args.interface,
            skills=queues,
        )
        print(f"created {args.role} {args.username}")
    elif args.staff_action == "passwd":
        await staff.set_password(args.username, _password(args))
        print(f"password of {args.username} reset; its sessions ended")
    else:
        member = await staff.get(args.username)
        life = timedelta(hours=args.hours)
        print(await staff.issue_token(member.id, now, life))
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = secrets.token_urlsafe(12)
    print(f"generated password (shown once): {password}")
    return password
