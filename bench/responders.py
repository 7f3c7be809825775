"""The two baselines the engine is measured against, each in its own process.

``minimal``: an asyncio FastAGI server with no logic. For each call it reads
the environment, finds the scenario in the ``bench=`` argument and writes the
command lines the engine wrote for that scenario (recorded once per run),
reading one reply after each. It is the ceiling for Python on this
protocol: the same bytes on the wire, none of the engine's work.

``classic``: the classic AGI path. Asterisk's run_agi() forks the script per
call and talks over its stdin/stdout (res/res_agi.c launch_script); here a
TCP front end does the same for the emulator: one ``ivr agi`` process per
connection, lines relayed both ways, and the ``HANGUP`` notice turned into
the SIGHUP res_agi.c sends a classic script when the channel hangs up.

Run as ``python -m bench.responders minimal SEQUENCES.json`` or
``python -m bench.responders classic CONFIG.yaml``. Each prints
``ready PORT`` on stdout, then answers ``stats`` lines on stdin with one
JSON line (CPU seconds of reaped child processes), and exits at end of stdin.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

__all__ = ["classic_handler", "main", "minimal_handler"]

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
_HANGUP = b"HANGUP\n"


async def _read_environment(reader: asyncio.StreamReader) -> list[str]:
    lines = []
    while (line := await reader.readline()) not in (b"\n", b""):
        lines.append(line.decode("utf-8", "replace").rstrip("\n"))
    return lines


async def _read_reply(reader: asyncio.StreamReader) -> bool:
    """Read up to one final reply, skipping HANGUP notices; False at EOF."""
    while line := await reader.readline():
        if line[:3].isdigit() and line[3:4] != b"-":
            return True
    return False


def minimal_handler(sequences: dict[str, list[str]]) -> Handler:
    """A FastAGI handler that replays the recorded command lines of each call."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            env = await _read_environment(reader)
            name = next((v[6:] for v in _args(env) if v.startswith("bench=")), "")
            for command in sequences.get(name, []):
                writer.write(command.encode("utf-8") + b"\n")
                if not await _read_reply(reader):
                    break
        except ConnectionError:
            pass
        finally:
            writer.close()

    return handle


def _args(env: list[str]) -> list[str]:
    return [line.partition(": ")[2] for line in env if line.startswith("agi_arg_")]


def classic_handler(command: list[str]) -> Handler:
    """A TCP front end that runs ``command`` per connection as a classic AGI."""

    async def handle(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        child = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert child.stdin is not None and child.stdout is not None
        inbound = asyncio.create_task(_to_child(reader, child))
        try:
            while line := await child.stdout.readline():
                writer.write(line)
        finally:
            writer.close()
            inbound.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await inbound
            await child.wait()

    return handle


async def _to_child(
    reader: asyncio.StreamReader, child: asyncio.subprocess.Process
) -> None:
    """Relay Asterisk's lines to the script; a HANGUP notice becomes SIGHUP."""
    assert child.stdin is not None
    try:
        while line := await reader.readline():
            if line == _HANGUP:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGHUP)
                continue
            child.stdin.write(line)
            await child.stdin.drain()
    except ConnectionError:
        pass
    finally:
        with contextlib.suppress(ConnectionError):
            child.stdin.close()


def _stats() -> dict[str, float]:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"children_cpu_seconds": children.ru_utime + children.ru_stime}


async def serve(handler: Handler) -> None:
    """Listen on a free port, say so, answer ``stats`` until stdin ends."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"ready {port}", flush=True)
    loop = asyncio.get_running_loop()
    async with server:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            if line.strip() == "stats":
                print(json.dumps(_stats()), flush=True)


def main(argv: list[str]) -> int:
    """``minimal SEQUENCES.json`` or ``classic CONFIG.yaml [PYTHON]``."""
    kind, path = argv[0], Path(argv[1])
    if kind == "minimal":
        handler = minimal_handler(json.loads(path.read_text("utf-8")))
    else:
        python = argv[2] if len(argv) > 2 else sys.executable
        handler = classic_handler(
            [python, "-m", "ivr.cli", "agi", "--config", str(path)]
        )
    asyncio.run(serve(handler))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
