"""The ``ivr`` command: serve, call, check, agi and prompts.

Each subcommand imports what it needs when it runs, so ``ivr check`` works
on an ops laptop without a database driver, and a classic AGI process starts
fast.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ivr.ticket_settings import FaxDocumentSettings

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ivr`` command line; return the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        code: int = args.run(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as shell tools
        # do, and keep Python from complaining again when it flushes at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ivr", description="IVR engine for the 12333 hotline."
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_serve(commands)
    _add_call(commands)
    _add_check(commands)
    _add_graph(commands)
    _add_agi(commands)
    _add_prompts(commands)
    _add_admin(commands)
    _add_staff(commands)
    _add_ami_emulator(commands)
    return parser


def _add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="configuration file (default: config/default.yaml when present)",
    )


def _add_serve(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="run the FastAGI and HTTP service")
    _add_config_option(serve)
    serve.add_argument("--fastagi-port", type=int, metavar="N")
    serve.add_argument("--http-port", type=int, metavar="N")
    serve.add_argument("--database", metavar="URL", help="SQLAlchemy database URL")
    serve.add_argument("--flow", metavar="PATH", help="menus.yaml to run")
    serve.set_defaults(run=_run_serve)


def _add_call(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    call = commands.add_parser(
        "call", help="place a simulated call through the running service"
    )
    call.add_argument("--host", default="127.0.0.1")
    call.add_argument("--port", type=int, default=4573)
    call.add_argument(
        "--keys",
        help='answers to each request for digits, e.g. "1 2 _ !" '
        "(_ = no input, ! = hang up); once the keys run out every further "
        "request counts as no input, so the flow's no-input handling ends the "
        "call; omit to type keys yourself (each request's own timeout applies)",
    )
    call.add_argument(
        "--at",
        help='local time of the call, "YYYY-MM-DD HH:MM[:SS]" (or with T), '
        'e.g. "2026-10-08 09:00"',
    )
    call.add_argument("--caller", help="calling number, e.g. 13800000000")
    call.add_argument(
        "--queue",
        choices=("answer", "noanswer", "timeout", "empty"),
        default="answer",
        help="how queues treat the call: an agent answers (default); members "
        "ring, nobody answers (TIMEOUT); no agent free until the queue's "
        "timeout (TIMEOUT); nobody logged in (JOINEMPTY)",
    )
    call.add_argument("--prompts", default="prompts", help="prompt folder")
    call.add_argument(
        "--lang",
        default="zh",
        help="the channel's language, e.g. yue for the Cantonese route (default zh)",
    )
    call.set_defaults(run=_run_call)


def _add_check(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser("check", help="check a menus.yaml for problems")
    check.add_argument("flow", nargs="?", default="menus.yaml")
    check.add_argument(
        "--prompts",
        default=None,
        help="prompt folder (default: the prompts folder beside the flow file)",
    )
    check.add_argument(
        "--backends",
        default=None,
        help="backends file the query nodes name (default: queries.backends_file "
        "of the configuration, in the working folder or beside the flow file)",
    )
    check.add_argument("--config", default=None, help="configuration file")
    check.set_defaults(run=_run_check)


def _add_graph(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    graph = commands.add_parser("graph", help="draw a menus.yaml as SVG or HTML")
    graph.add_argument("flow", nargs="?", default="menus.yaml")
    graph.add_argument(
        "-o",
        "--output",
        default=None,
        help="picture file, .svg or .html (default: <flow name>.svg here)",
    )
    graph.add_argument(
        "--prompts",
        default=None,
        help="prompt folder (default: the prompts folder beside the flow file)",
    )
    graph.set_defaults(run=_run_graph)


def _add_agi(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agi = commands.add_parser(
        "agi", help="run one call as a classic AGI script (stdin/stdout)"
    )
    _add_config_option(agi)
    agi.set_defaults(run=_run_agi)


def _add_prompts(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from ivr.prompts.cli import add_prompts_actions

    prompts = commands.add_parser("prompts", help="prompt audio and speech")
    add_prompts_actions(prompts)


def _add_admin(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reload = commands.add_parser(
        "reload", help="reload menus.yaml and prompts in the running service"
    )
    rollback = commands.add_parser(
        "rollback", help="restore the previous flow version (or --to VERSION)"
    )
    rollback.add_argument("--to", metavar="VERSION", help="a version from `versions`")
    versions = commands.add_parser("versions", help="list the flow versions loaded")
    for parser, run in ((reload, _run_reload), (rollback, _run_rollback)):
        _add_config_option(parser)
        parser.set_defaults(run=run)
    _add_config_option(versions)
    versions.set_defaults(run=_run_versions)


def _admin(
    args: argparse.Namespace, method: str, path: str, body: dict[str, str] | None
) -> int:
    from ivr.admin_client import (
        AdminClientError,
        call_admin,
        print_result,
        print_versions,
    )
    from ivr.config import ConfigError, load_config

    try:
        config = load_config(args.config)
        _, reply = asyncio.run(call_admin(config, method, path, body))
    except (ConfigError, AdminClientError) as exc:
        print(f"ivr {args.command_name}: {exc}", file=sys.stderr)
        return 2
    if path == "/admin/versions":
        return print_versions(reply, sys.stdout)
    return print_result(reply, sys.stdout)


def _run_reload(args: argparse.Namespace) -> int:
    args.command_name = "reload"
    return _admin(args, "POST", "/admin/reload", None)


def _run_rollback(args: argparse.Namespace) -> int:
    args.command_name = "rollback"
    body = None if args.to is None else {"to": args.to}
    return _admin(args, "POST", "/admin/rollback", body)


def _run_versions(args: argparse.Namespace) -> int:
    args.command_name = "versions"
    return _admin(args, "GET", "/admin/versions", None)


def _add_staff(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    staff = commands.add_parser(
        "staff", help="CTI staff accounts: add, passwd, list, token"
    )
    _add_config_option(staff)
    from cti.staff_cli import add_staff_arguments

    add_staff_arguments(staff)
    staff.set_defaults(run=_run_staff)


def _run_staff(args: argparse.Namespace) -> int:
    from cti.staff_cli import run_staff

    code: int = asyncio.run(run_staff(args))
    return code


def _add_ami_emulator(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    emulator = commands.add_parser(
        "ami-emulator",
        help="a stand-in Asterisk manager, to try the CTI without Asterisk",
    )
    from cti.ami.emulator_cli import add_emulator_arguments

    add_emulator_arguments(emulator)
    emulator.set_defaults(run=_run_ami_emulator)


def _run_ami_emulator(args: argparse.Namespace) -> int:
    from cti.ami.emulator_cli import run_emulator

    code: int = asyncio.run(run_emulator(args))
    return code


def _overrides(args: argparse.Namespace) -> dict[str, object]:
    pairs = {
        "fastagi.port": getattr(args, "fastagi_port", None),
        "http.port": getattr(args, "http_port", None),
        "database.url": getattr(args, "database", None),
        "flow.path": getattr(args, "flow", None),
    }
    return {key: value for key, value in pairs.items() if value is not None}


def _run_serve(args: argparse.Namespace) -> int:
    from ivr.config import ConfigError, load_config
    from ivr.service import ServiceError, serve_forever

    try:
        config = load_config(args.config, overrides=_overrides(args))
    except ConfigError as exc:
        print(f"ivr serve: {exc}", file=sys.stderr)
        return 2
    _setup_logging(config.logging.level)
    try:
        asyncio.run(serve_forever(config))
    except ServiceError as exc:
        print(f"ivr serve: {exc}", file=sys.stderr)
        return 1
    return 0


def _run_call(args: argparse.Namespace) -> int:
    import os

    from ivr.prompts import PromptCatalog, PromptCatalogError
    from ivr.sim import place_call

    try:
        catalog = PromptCatalog.load(Path(args.prompts))
    except PromptCatalogError as exc:
        print(
            f"ivr call: {exc}; run it from the project folder or give "
            "--prompts <the service's prompt folder> (to print what is said)",
            file=sys.stderr,
        )
        return 2
    call = place_call(
        host=args.host,
        port=args.port,
        keys=args.keys,
        at=args.at,
        caller=args.caller,
        queue=args.queue,
        prompt_text=lambda name: catalog.spoken_text(name, args.lang),
        language=args.lang,
        out=sys.stdout,
        err=sys.stderr,
    )
    try:
        return asyncio.run(call)
    except BrokenPipeError:
        # Whoever read the transcript (`| head`) has gone: stop quietly with
        # 128 + SIGPIPE, as tools killed by the signal do. stdout now points
        # at /dev/null so the interpreter's last flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141


def _run_check(args: argparse.Namespace) -> int:
    from ivr.config import ConfigError, check_config
    from ivr.flow import check_main

    backends = args.backends or _configured_backends(args.config)
    documents, origin = _configured_fax_documents(args.config)
    code = check_main(
        args.flow,
        args.prompts,
        backends_file=backends,
        fax_documents=documents,
        fax_origin=origin,
    )
    if args.config is None:
        return code
    try:
        # Every rule `ivr serve` applies, so a deploy is not refused later.
        check_config(args.config)
    except ConfigError as exc:
        print(f"{exc}", file=sys.stdout)
        print(f"{args.config}: error: the service would refuse to start")
        return max(code, 1)
    print(f"{args.config}: the service would accept this configuration")
    return code


def _configured_fax_documents(
    path: str | None,
) -> tuple[tuple[FaxDocumentSettings, ...] | None, str]:
    """``tickets.fax_documents`` of the configuration and where it is set;
    ``None`` (not checked) when it cannot be read."""
    from ivr.config import ConfigError, read_setting, setting_origin
    from ivr.ticket_settings import ShapeError, parse_fax_documents

    key = "tickets.fax_documents"
    try:
        value, origin = read_setting(key, path), setting_origin(key, path)
        return parse_fax_documents([] if value is None else value), origin
    except (ConfigError, ShapeError) as exc:
        print(f"ivr check: {exc}; the fax documents are unchecked", file=sys.stderr)
        return None, ""


def _configured_backends(path: str | None) -> str | None:
    """``queries.backends_file`` of the configuration, if it can be read."""
    from ivr.config import ConfigError, read_setting

    try:
        value = read_setting("queries.backends_file", path)
    except ConfigError as exc:
        print(f"ivr check: {exc}; using the default backends file", file=sys.stderr)
        return None
    return str(value) if value else None


def _run_graph(args: argparse.Namespace) -> int:
    from ivr.flow.graph_cli import graph_main

    return graph_main(args.flow, args.output, args.prompts)


def _run_agi(args: argparse.Namespace) -> int:
    from ivr.config import ConfigError, load_config
    from ivr.service import ServiceError, run_classic_call

    # Classic AGI: stdout is Asterisk's command channel, so every message,
    # including a refusal to run, goes to stderr (Asterisk logs it). On a
    # refusal IVR_DONE stays unset and the dialplan queues the caller.
    try:
        _require_streams(0, 1)
        config = load_config(args.config)
        _setup_logging(config.logging.level, stream=sys.stderr)
        return asyncio.run(run_classic_call(config))
    except (ConfigError, ServiceError) as exc:
        print(f"ivr agi: {exc}", file=sys.stderr)
        return 1


def _require_streams(*fds: int) -> None:
    """Classic AGI speaks over pipes (or a terminal, to try it by hand)."""
    from ivr.service import ServiceError

    for fd in fds:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)):
            raise ServiceError(
                f"file descriptor {fd} is a regular file; Asterisk runs AGI "
                "scripts with pipes (to try it by hand, use a terminal)"
            )


def _setup_logging(level: str, *, stream: object = None) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=stream if stream is not None else sys.stderr,  # type: ignore[arg-type]
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    # Database drivers log every statement with its parameters at DEBUG:
    # call notes and hashes would reach the log, and AGI wire traffic (our
    # DEBUG) would drown. They speak only from WARNING up.
    for noisy in ("aiosqlite", "asyncpg", "sqlalchemy"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.root.level))


if __name__ == "__main__":
    sys.exit(main())
