"""Safe reload: new calls take a new flow, calls in progress keep theirs.

Ops replace ``menus.yaml`` or the prompt scripts and ask for a reload (SIGHUP,
``ivr reload`` or ``POST /admin/reload``). The files are read once, checked
off the event loop (query nodes against the backends file's names too), and
only a flow without errors replaces the running one;
a call holds the flow it started with until it ends, so nothing in progress
changes under a caller. Every version loaded is stored with its hash, time,
source and file texts (``ivr.records.versions``), so ``ivr rollback`` can
write the previous one back and load it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.calls import LoadedFlow
from ivr.config import Config
from ivr.flow import (
    KnownQueries,
    Problem,
    WorkCalendar,
    check_fax_documents,
    flow_version,
    load_flow,
)
from ivr.prompts import PromptCatalog, PromptError
from ivr.queries.backend_config import query_names, url_exposures
from ivr.queries.errors import BackendConfigError
from ivr.records import FlowVersionStore

__all__ = ["FlowRefusedError", "ReloadResult", "Reloader", "read_flow"]

FAX_DOCUMENTS_ORIGIN = "configuration tickets.fax_documents"
"""Where start-up and reload say a fax document problem is: the service
has the merged configuration, not the file and line each value came from
(``ivr check --config`` names those)."""

logger = logging.getLogger("ivr.reload")


class FlowRefusedError(Exception):
    """The flow on disk cannot run; ``problems`` says why, one line each."""

    def __init__(self, summary: str, problems: list[str]) -> None:
        super().__init__("\n".join([summary, *(f"  {p}" for p in problems)]))
        self.summary = summary
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ReloadResult:
    """What a reload or roll-back did."""

    ok: bool
    version: str
    previous: str
    changed: bool = False
    source: str = ""
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The result as the admin API returns it."""
        return {
            "ok": self.ok,
            "version": self.version,
            "previous": self.previous,
            "changed": self.changed,
            "source": self.source,
            "problems": self.problems,
        }


def source_files(config: Config) -> dict[str, bytes]:
    """Read the flow file and every prompt catalog file once, as bytes."""
    paths = [Path(config.flow.path)]
    prompts = Path(config.prompts.dir)
    if prompts.is_dir():
        paths += sorted(prompts.rglob("*.yaml"))
    files = {}
    for path in paths:
        try:
            files[str(path)] = path.read_bytes()
        except OSError:
            continue
    return files


def version_of(files: Mapping[str, bytes]) -> str:
    """One hash over every source file: a prompt change is a new version too."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()[:12]


def read_flow(config: Config) -> tuple[LoadedFlow, list[Problem], dict[str, bytes]]:
    """Load and check the configured flow and prompts (blocking file I/O).

    Returns the loaded flow (its version covers the prompt files too), its
    warnings, and the bytes it was built from. Raises
    :class:`FlowRefusedError` listing every error when it cannot run.
    """
    flow_path = Path(config.flow.path)
    files = source_files(config)
    try:
        catalog = PromptCatalog.load(Path(config.prompts.dir))
    except PromptError as exc:
        raise FlowRefusedError(str(exc), []) from exc
    flow, problems = load_flow(flow_path, catalog, queries=_known_queries(config))
    documents = config.tickets.fax_documents
    problems += check_fax_documents(flow, catalog, documents, FAX_DOCUMENTS_ORIGIN)
    errors = [p for p in problems if p.severity == "error"]
    if flow is None or errors:
        raise FlowRefusedError(
            f"the flow has {len(errors)} problem(s); "
            f"run `ivr check {flow_path}` after fixing them",
            [str(p) for p in errors],
        )
    if flow_version(files.get(str(flow_path), b"")) != flow.version:
        raise FlowRefusedError(f"{flow_path} changed while it was read; try again", [])
    flow = replace(flow, version=version_of(files))
    loaded = LoadedFlow(
        flow,
        WorkCalendar.for_flow(flow),
        datetime.now(flow.settings.zone),
        catalog,
    )
    return loaded, [p for p in problems if p.severity != "error"], files


def _known_queries(config: Config) -> KnownQueries | None:
    """The backends file's names, to refuse a query node naming none of them.

    No backends file: ``None`` (every query answers unavailable, and the
    service says so when it starts its queries).
    """
    path = config.queries.backends_file
    if not path or not Path(path).is_file():
        return None
    try:
        return KnownQueries(query_names(path), path, url_exposures(path))
    except BackendConfigError as exc:
        raise FlowRefusedError(str(exc), []) from exc


class Reloader:
    """Reloads the flow for a running service, one reload at a time."""

    def __init__(
        self,
        config: Config,
        versions: FlowVersionStore,
        current: Callable[[], LoadedFlow],
        install: Callable[[LoadedFlow, list[Problem]], None],
    ) -> None:
        self._config = config
        self._versions = versions
        self._current = current
        self._install = install
        self._lock = asyncio.Lock()

    async def record(self, files: Mapping[str, bytes], source: str) -> None:
        """Store the running version (at start-up)."""
        await self._save(self._current(), files, source)

    async def reload(self, source: str) -> ReloadResult:
        """Check the files on disk and, if they run, make them the flow."""
        async with self._lock:
            return await self._reload(source)

    async def rollback(self, to: str | None = None) -> ReloadResult:
        """Write an earlier version's files back and load them.

        ``to`` is a version (or a prefix of 6+ characters); by default the
        newest version loaded before the running one.
        """
        async with self._lock:
            running = self._current().flow.version
            if to is not None and len(to) < 6:
                problem = "give at least 6 characters of a version (see `ivr versions`)"
                return ReloadResult(False, running, running, problems=[problem])
            target = await (
                self._versions.find(to) if to else self._versions.previous(running)
            )
            if target is None:
                wanted = f"version {to}" if to else "an earlier version"
                return ReloadResult(
                    False, running, running, problems=[f"no {wanted} is stored"]
                )
            await asyncio.to_thread(_write_back, target.files)
            logger.warning("rolling back from %s to %s", running, target.version)
            return await self._reload(f"rollback to {target.version}")

    async def _reload(self, source: str) -> ReloadResult:
        running = self._current()
        try:
            loaded, warnings, files = await asyncio.to_thread(read_flow, self._config)
        except FlowRefusedError as exc:
            logger.error(
                "reload (%s) refused; still running %s: %s",
                source,
                running.flow.version,
                exc,
            )
            return ReloadResult(
                False,
                running.flow.version,
                running.flow.version,
                source=source,
                problems=[exc.summary, *exc.problems],
            )
        old, new = running.flow.version, loaded.flow.version
        if new == old:
            return ReloadResult(
                True, old, old, source=source, problems=[str(w) for w in warnings]
            )
        self._install(loaded, warnings)
        await self._save(loaded, files, source)
        logger.info("reloaded (%s): flow %s replaces %s", source, new, old)
        return ReloadResult(
            True,
            new,
            old,
            changed=True,
            source=source,
            problems=[str(w) for w in warnings],
        )

    async def _save(
        self, loaded: LoadedFlow, files: Mapping[str, bytes], source: str
    ) -> None:
        texts = {name: data.decode("utf-8", "replace") for name, data in files.items()}
        await self._versions.save(
            loaded.flow.version,
            loaded_at=loaded.loaded_at,
            source=source,
            flow_path=self._config.flow.path,
            files=texts,
        )


def _write_back(files: Mapping[str, str]) -> None:
    """Replace each file atomically with its stored text."""
    for name, text in files.items():
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
