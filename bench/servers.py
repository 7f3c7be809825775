"""The server under test in its own process: the engine or a baseline.

The engine is the real service, ``ivr serve``, on spare ports with a
configuration written to a temporary folder (its own SQLite file, clock
override on so calls can say when they happen). Optionally it runs under
cProfile, which writes its statistics when SIGINT stops the service.
The baselines are :mod:`bench.responders`. :class:`ServerProcess` measures
CPU time and resident memory from outside, with psutil.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

from ivr.records import migrate

__all__ = ["MemorySampler", "ServerProcess", "start_server", "write_config"]

ROOT = Path(__file__).resolve().parents[1]
_START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def database_url(folder: Path) -> str:
    """The SQLite database of a server started in ``folder``."""
    return f"sqlite+aiosqlite:///{folder / 'ivr.sqlite3'}"


def write_config(folder: Path, log_level: str = "INFO") -> tuple[Path, int, int]:
    """Write a service configuration on spare ports; return it and the ports.

    Absolute paths throughout, as a dialplan's classic AGI needs.
    """
    fastagi, http = _free_port(), _free_port()
    config = {
        "fastagi": {"host": "127.0.0.1", "port": fastagi},
        "http": {"host": "127.0.0.1", "port": http},
        "database": {"url": database_url(folder)},
        "flow": {"path": str(ROOT / "menus.yaml")},
        "prompts": {"dir": str(ROOT / "prompts")},
        "calls": {"allow_clock_override": True, "drain_seconds": 10.0},
        "privacy": {"hash_key": "benchmark-hash-key-0123456789"},
        "logging": {"level": log_level},
    }
    path = folder / "ivr.yaml"
    # JSON is YAML, and needs no quoting rules of its own.
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path, fastagi, http


@dataclass
class ServerProcess:
    """A running server: its process, FastAGI port and how to measure it."""

    kind: str
    process: subprocess.Popen[str]
    port: int
    log: IO[str] | None = None
    _ps: psutil.Process = field(init=False)

    def __post_init__(self) -> None:
        self._ps = psutil.Process(self.process.pid)

    def cpu_seconds(self) -> float:
        """CPU seconds spent serving calls so far (user + system).

        For ``classic`` that is the reaped ``ivr agi`` processes, as the
        front end's RUSAGE_CHILDREN reports them.
        """
        if self.kind == "classic":
            assert self.process.stdin is not None and self.process.stdout is not None
            self.process.stdin.write("stats\n")
            self.process.stdin.flush()
            stats = json.loads(self.process.stdout.readline())
            return float(stats["children_cpu_seconds"])
        times = self._ps.cpu_times()
        return float(times.user + times.system)

    def rss(self) -> int:
        """Resident bytes of the server (classic: the sum over its scripts)."""
        try:
            if self.kind == "classic":
                return sum(_rss(child) for child in self._ps.children())
            return int(self._ps.memory_info().rss)
        except psutil.NoSuchProcess:
            return 0

    def stop(self) -> None:
        """SIGINT (the service drains and exits; cProfile writes its file)."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.log is not None:
            self.log.close()


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


def start_server(
    kind: str,
    folder: Path,
    *,
    sequences: Path | None = None,
    profile_to: Path | None = None,
) -> ServerProcess:
    """Start ``engine``, ``minimal`` or ``classic``; return once it listens."""
    folder.mkdir(parents=True, exist_ok=True)
    log = (folder / f"{kind}.log").open("w", encoding="utf-8")
    if kind == "engine":
        return _start_engine(folder, log, profile_to)
    if kind == "minimal":
        assert sequences is not None
        argv = ["minimal", str(sequences)]
    else:
        config, _, _ = write_config(folder)
        # Migrated once beforehand, as in a deployment: scripts that all
        # start on an empty database race to create its tables.
        asyncio.run(migrate(database_url(folder)))
        argv = ["classic", str(config)]
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.responders", *argv],
        cwd=folder,
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    assert process.stdout is not None
    ready = process.stdout.readline().split()
    if ready[:1] != ["ready"]:
        process.kill()
        raise RuntimeError(f"{kind} responder did not start; see {log.name}")
    return ServerProcess(kind, process, int(ready[1]), log)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _start_engine(folder: Path, log: IO[str], profile_to: Path | None) -> ServerProcess:
    config, fastagi, http = write_config(folder)
    profiler = ["-m", "cProfile", "-o", str(profile_to)] if profile_to else []
    process = subprocess.Popen(
        [sys.executable, *profiler, "-m", "ivr.cli", "serve", "--config", str(config)],
        cwd=folder,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        text=True,
    )
    _wait_healthy(process, http, log.name)
    return ServerProcess("engine", process, fastagi, log)


def _wait_healthy(process: subprocess.Popen[str], port: int, log_name: str) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the engine exited at start-up; see {log_name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the engine did not answer /health; see {log_name}")


class MemorySampler:
    """Samples a server's resident memory in a thread while calls run."""

    def __init__(self, server: ServerProcess, interval: float = 0.1) -> None:
        self.server = server
        self.interval = interval
        self.idle = server.rss()
        self.peak = self.idle
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.server.rss())
