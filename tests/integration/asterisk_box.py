"""A throwaway Asterisk for integration tests: config, process, CLI.

:class:`AsteriskBox` writes a complete Asterisk configuration into a
temporary folder (every directory Asterisk writes to points there), copies
in the project's ``asterisk-dialplan/*.conf`` with the test's FastAGI port,
starts ``asterisk -f`` in the foreground without a console and talks to it
with ``asterisk -rx`` over the control socket. Nothing binds a SIP port:
the PJSIP configuration is not copied and ``chan_pjsip`` is not loaded.

The binary is found through ``IVR_ASTERISK_BIN``, then ``PATH``, then
``/opt/asterisk/sbin/asterisk``; :func:`find_asterisk` returns ``None``
when there is none, and the tests skip.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import shutil
import struct
import tempfile
import wave
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["AsteriskBox", "AsteriskError", "StartAsterisk", "find_asterisk"]

REPO_ROOT = Path(__file__).resolve().parents[2]
DIALPLAN_DIR = REPO_ROOT / "asterisk-dialplan"
DIALPLAN_FILES = ("extensions.conf", "queues.conf", "musiconhold.conf")
FALLBACK_BINARY = Path("/opt/asterisk/sbin/asterisk")
SOUND_PROBE = "pls-hold-while-try"
SOUND_CANDIDATES = (
    "{prefix}/var/lib/asterisk/sounds/en",
    "/var/lib/asterisk/sounds/en",
    "/usr/share/asterisk/sounds/en",
    "/usr/share/asterisk/sounds/en_US_f_Allison",
)
MODULE_CANDIDATES = (
    "{prefix}/lib/asterisk/modules",
    "{prefix}/lib64/asterisk/modules",
    "/usr/lib/x86_64-linux-gnu/asterisk/modules",
    "/usr/lib/asterisk/modules",
)
# Modules that would open network ports or talk to services a test box does
# not have. chan_pjsip/res_pjsip are listed for builds that have pjproject.
NOLOAD = (
    "chan_pjsip.so",
    "res_pjsip.so",
    "chan_iax2.so",
    "chan_unistim.so",
    "chan_sip.so",
    "pbx_dundi.so",
    "res_hep.so",
    "res_ari.so",
    "res_http_websocket.so",
    "res_phoneprov.so",
    "res_snmp.so",
    "cdr_radius.so",
    "cel_radius.so",
)
BOOT_SECONDS = 30.0
CLI_SECONDS = 10.0
STOP_SECONDS = 10.0
POLL_SECONDS = 0.2


class AsteriskError(Exception):
    """Asterisk did not start, answer or stop as expected."""


def find_asterisk() -> Path | None:
    """Return the Asterisk binary to test against, or ``None``."""
    configured = os.environ.get("IVR_ASTERISK_BIN")
    if configured:
        return Path(configured) if Path(configured).is_file() else None
    on_path = shutil.which("asterisk")
    if on_path:
        return Path(on_path)
    return FALLBACK_BINARY if FALLBACK_BINARY.is_file() else None


def _first_dir(candidates: tuple[str, ...], prefix: Path, probe: str) -> Path | None:
    for pattern in candidates:
        folder = Path(pattern.format(prefix=prefix))
        if (folder / probe).exists():
            return folder
    return None


def _write_tone(path: Path, seconds: float = 2.0, rate: int = 8000) -> None:
    """Write a 450 Hz tone (the Chinese ring frequency) as 8 kHz mono WAV."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 450 * n / rate)))
        for n in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)


def _set_globals(text: str, values: dict[str, str]) -> str:
    """Replace ``NAME=value`` lines of the dialplan's [globals]."""
    for name, value in values.items():
        text, count = re.subn(
            rf"^{name}=.*$", f"{name}={value}", text, count=1, flags=re.M
        )
        if count != 1:
            raise AsteriskError(f"extensions.conf has no global {name}")
    return text


async def _poll(
    read: Callable[[], Awaitable[str]], pattern: str, seconds: float
) -> re.Match[str]:
    """Read until the text matches ``pattern``; ``TimeoutError`` after ``seconds``.

    Asterisk is another process: its log and CLI offer no event to await,
    so this polls under a deadline.
    """
    async with asyncio.timeout(seconds):
        while True:
            found = re.search(pattern, await read(), re.M)
            if found is not None:
                return found
            await asyncio.sleep(POLL_SECONDS)


@dataclass
class AsteriskBox:
    """One Asterisk process with its own configuration under ``root``.

    ``prompt_dir``, when set, is installed as ``sounds/zh`` so the flow's
    prompts play with their real lengths.
    """

    binary: Path
    root: Path
    dialplan_globals: dict[str, str] = field(default_factory=dict)
    prompt_dir: Path | None = None
    process: asyncio.subprocess.Process | None = None
    run_dir: Path | None = None

    @property
    def config_file(self) -> Path:
        """The ``asterisk.conf`` passed with ``-C``."""
        return self.root / "etc" / "asterisk.conf"

    @property
    def full_log(self) -> Path:
        """Asterisk's verbose log of everything the dialplan did."""
        return self.root / "log" / "full"

    def write_config(self) -> None:
        """Write asterisk.conf, the support files and the project dialplan."""
        prefix = self.binary.resolve().parent.parent
        # The control socket path must fit in sockaddr_un (108 bytes), which
        # pytest's tmp_path does not promise: the run folder goes in /tmp.
        self.run_dir = Path(tempfile.mkdtemp(prefix="ivr-ast-", dir="/tmp"))
        etc = self.root / "etc"
        for sub in ("etc", "log", "spool", "lib", "data/sounds"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._write_asterisk_conf(prefix)
        self._write_support(etc)
        self._copy_dialplan(etc)
        self._prepare_data(prefix)

    def _write_asterisk_conf(self, prefix: Path) -> None:
        modules = _first_dir(MODULE_CANDIDATES, prefix, "app_queue.so")
        if modules is None:
            raise AsteriskError(f"no Asterisk module folder found under {prefix}")
        lines = [
            "[directories]",
            f"astetcdir => {self.root / 'etc'}",
            f"astmoddir => {modules}",
            f"astvarlibdir => {self.root / 'lib'}",
            f"astdbdir => {self.root / 'lib'}",
            f"astkeydir => {self.root / 'lib'}",
            f"astdatadir => {self.root / 'data'}",
            f"astagidir => {self.root / 'lib'}",
            f"astspooldir => {self.root / 'spool'}",
            f"astrundir => {self.run_dir}",
            f"astlogdir => {self.root / 'log'}",
            f"astsbindir => {self.binary.parent}",
            "[options]",
            "verbose = 3",
            "nocolor = yes",
            "documentation_language = en_US",
        ]
        self.config_file.write_text("\n".join(lines) + "\n")

    def _write_support(self, etc: Path) -> None:
        noload = "".join(f"noload => {name}\n" for name in NOLOAD)
        (etc / "modules.conf").write_text(f"[modules]\nautoload = yes\n{noload}")
        (etc / "logger.conf").write_text(
            "[general]\n[logfiles]\nfull => notice,warning,error,verbose(3),dtmf\n"
        )
        (etc / "manager.conf").write_text("[general]\nenabled = no\n")
        (etc / "http.conf").write_text("[general]\nenabled = no\n")
        (etc / "indications.conf").write_bytes(
            (DIALPLAN_DIR / "indications.conf").read_bytes()
        )

    def _copy_dialplan(self, etc: Path) -> None:
        for name in DIALPLAN_FILES:
            text = (DIALPLAN_DIR / name).read_text()
            if name == "extensions.conf":
                text = _set_globals(text, self.dialplan_globals)
            (etc / name).write_text(text)

    def _prepare_data(self, prefix: Path) -> None:
        sounds = _first_dir(SOUND_CANDIDATES, prefix, f"{SOUND_PROBE}.wav")
        if sounds is not None:
            (self.root / "data" / "sounds" / "en").symlink_to(sounds)
        if self.prompt_dir is not None:
            # The flow plays prompts by id in the channel language (zh), so
            # Asterisk looks for them in sounds/zh/ (main/file.c).
            (self.root / "data" / "sounds" / "zh").symlink_to(self.prompt_dir)
        # A build with XML documentation refuses to boot without it: 22.x
        # treats a config option missing from the docs as fatal (XMLDOC_STRICT,
        # main/config_options.c), and astdatadir points here, not at the
        # install's own data folder.
        docs = prefix / "var" / "lib" / "asterisk" / "documentation"
        if docs.is_dir():
            (self.root / "data" / "documentation").symlink_to(docs)
        moh = self.root / "data" / "moh" / "national-wait"
        moh.mkdir(parents=True)
        _write_tone(moh / "wait-tone.wav")

    async def start(self) -> None:
        """Start Asterisk and wait until it reports itself fully booted."""
        log = (self.root / "log" / "console.txt").open("wb")
        with log:
            self.process = await asyncio.create_subprocess_exec(
                str(self.binary),
                "-f",
                "-n",
                "-C",
                str(self.config_file),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        try:
            async with asyncio.timeout(BOOT_SECONDS):
                await self._wait_for_socket()
                await self.cli("core waitfullybooted")
        except TimeoutError as exc:
            raise AsteriskError(f"Asterisk did not boot: {self.console()}") from exc

    async def _wait_for_socket(self) -> None:
        assert self.run_dir is not None and self.process is not None
        socket = self.run_dir / "asterisk.ctl"
        # Polling an external process's start-up: there is no event to await.
        while not socket.exists():
            if self.process.returncode is not None:
                raise AsteriskError(f"Asterisk exited: {self.console()}")
            await asyncio.sleep(0.1)

    async def cli(self, command: str) -> str:
        """Run one CLI command through ``asterisk -rx`` and return its output."""
        remote = await asyncio.create_subprocess_exec(
            str(self.binary),
            "-C",
            str(self.config_file),
            "-rx",
            command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            async with asyncio.timeout(CLI_SECONDS):
                output, _ = await remote.communicate()
        except TimeoutError as exc:
            remote.kill()
            await remote.wait()
            raise AsteriskError(f"CLI command timed out: {command}") from exc
        return output.decode("utf-8", "replace")

    def console(self) -> str:
        """What Asterisk printed on stdout and stderr so far."""
        path = self.root / "log" / "console.txt"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    def log_text(self) -> str:
        """The full log so far (empty before the first line is written)."""
        if not self.full_log.exists():
            return ""
        return self.full_log.read_text("utf-8", "replace")

    async def wait_for_log(self, pattern: str, seconds: float) -> re.Match[str]:
        """Wait until the full log has a line matching ``pattern``."""

        async def read() -> str:
            return self.log_text()

        return await _poll(read, pattern, seconds)

    async def wait_for_cli(
        self, command: str, pattern: str, seconds: float
    ) -> re.Match[str]:
        """Run ``command`` until its output matches ``pattern``."""
        return await _poll(lambda: self.cli(command), pattern, seconds)

    async def originate(self, exten: str, context: str, caller: str) -> None:
        """Originate ``Local/exten@context`` with the caller in ``caller``."""
        reply = await self.cli(
            f"channel originate Local/{exten}@{context} extension s@{caller}"
        )
        if reply.strip():
            raise AsteriskError(f"originate refused: {reply.strip()}")

    async def stop(self) -> None:
        """Stop Asterisk (``core stop now``), killing it if it will not go."""
        process = self.process
        if process is not None and process.returncode is None:
            try:
                await self.cli("core stop now")
                async with asyncio.timeout(STOP_SECONDS):
                    await process.wait()
            except (AsteriskError, TimeoutError):
                process.kill()
                await process.wait()
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)


StartAsterisk = Callable[..., Awaitable[AsteriskBox]]
"""What the ``start_asterisk`` fixture returns: ``await start(**globals)``."""
