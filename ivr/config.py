"""Layered configuration: code defaults, a YAML file, environment, command line.

Each layer overrides the one before it (house style 14):

1. the defaults written in the dataclasses below;
2. a YAML file: ``--config PATH``, else ``config/default.yaml`` when it exists
   in the working folder;
3. environment variables ``IVR_<SECTION>_<KEY>`` (``IVR_FASTAGI_PORT``);
4. overrides from the command line, as a mapping of dotted keys
   (``{"fastagi.port": 4574}``) or nested sections.

The result is a tree of frozen dataclasses. Every bad value is reported with
where it came from (file, line and column; variable name; flag), the key and
what was expected; unknown keys are errors with a "did you mean".

The caller-number hash key (``privacy.hash_key``) is a secret: it is never
shown in ``repr``. When it is unset and ``privacy.hash_key_file`` names a file,
the key is read from that file, or generated once and written there with mode
0600, so hashes stay comparable across restarts.
"""

from __future__ import annotations

import difflib
import logging
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_type_hints

import yaml

from ivr.ticket_settings import (
    FaxAreaCodes,
    FaxDocuments,
    FaxDocumentSettings,
    ShapeError,
    TicketsSettings,
    parse_fax_area_codes,
    parse_fax_documents,
    ticket_problems,
)

__all__ = [
    "AMISettings",
    "CTISettings",
    "CallsSettings",
    "Config",
    "ConfigError",
    "DatabaseSettings",
    "FastAGISettings",
    "FaxDocumentSettings",
    "FlowSettings",
    "HTTPSettings",
    "LoggingSettings",
    "PrivacySettings",
    "PromptsSettings",
    "QueriesSettings",
    "TicketsSettings",
    "check_config",
    "load_config",
    "read_setting",
    "setting_origin",
]

log = logging.getLogger("ivr.config")

DEFAULT_CONFIG_FILE = Path("config/default.yaml")
ENV_PREFIX = "IVR_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DB_SCHEMES = ("sqlite+aiosqlite://", "postgresql+asyncpg://")
MIN_KEY_LENGTH = 16


class ConfigError(ValueError):
    """The configuration could not be loaded; the message says where and why."""


def _rule(test: Callable[[Any], bool], expected: str) -> dict[str, Any]:
    """Field metadata: a test a loaded value must pass, and what it expects."""
    return {"test": test, "expected": expected}


_PORT = _rule(
    lambda v: 0 <= v <= 65535, "a TCP port number from 0 to 65535 (0: any free port)"
)
_SECONDS = _rule(lambda v: v > 0, "a number of seconds greater than 0")
_NOT_EMPTY = _rule(bool, "a non-empty string")
_DB_URL = _rule(
    lambda v: v.startswith(DB_SCHEMES),
    "an async database URL starting with " + " or ".join(DB_SCHEMES),
)
_LOG_LEVEL = _rule(lambda v: v in LOG_LEVELS, "one of " + ", ".join(LOG_LEVELS))


@dataclass(frozen=True, slots=True)
class FastAGISettings:
    """Where the FastAGI server listens for Asterisk (``agi://host:port``)."""

    host: str = field(default="127.0.0.1", metadata=_NOT_EMPTY)
    port: int = field(default=4573, metadata=_PORT)


@dataclass(frozen=True, slots=True)
class HTTPSettings:
    """Where the HTTP service (health, flow view) listens."""

    host: str = field(default="127.0.0.1", metadata=_NOT_EMPTY)
    port: int = field(default=8080, metadata=_PORT)


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """The call-record database, as an SQLAlchemy async URL."""

    url: str = field(default="sqlite+aiosqlite:///./ivr.sqlite3", metadata=_DB_URL)


@dataclass(frozen=True, slots=True)
class FlowSettings:
    """The call flow definition."""

    path: str = field(default="menus.yaml", metadata=_NOT_EMPTY)


@dataclass(frozen=True, slots=True)
class PromptsSettings:
    """The folder of recorded prompts."""

    dir: str = field(default="prompts", metadata=_NOT_EMPTY)


@dataclass(frozen=True, slots=True)
class CallsSettings:
    """Per-call behaviour and deadlines, in seconds.

    ``allow_clock_override`` lets the AGI arguments ``--at`` and ``--caller``
    set a call's clock and caller; it is for test lines and must be off in
    production.
    """

    allow_clock_override: bool = True
    handshake_timeout: float = field(default=5.0, metadata=_SECONDS)
    reply_timeout: float = field(default=30.0, metadata=_SECONDS)
    drain_seconds: float = field(default=30.0, metadata=_SECONDS)


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    """The secret key for keyed hashes of caller numbers.

    After loading, ``hash_key`` is always set: from the configuration or
    environment, else from ``hash_key_file``. An empty ``hash_key_file``
    means the key must be given (production).
    """

    hash_key: bytes = field(default=b"", repr=False)
    hash_key_file: str = ".ivr-hash-key"


@dataclass(frozen=True, slots=True)
class AdminSettings:
    """The bearer token for the admin HTTP API (reload, roll back).

    Like the hash key: from the configuration or environment
    (``IVR_ADMIN_TOKEN``), else from ``token_file`` (created with a random
    token on first use). With neither, the admin API is switched off.
    """

    token: bytes = field(default=b"", repr=False)
    token_file: str = ".ivr-admin-token"


_POSITIVE = _rule(lambda v: v > 0, "a whole number greater than 0")
_SERVICE_LEVELS = _rule(
    lambda v: all(p.strip().isdigit() and int(p) > 0 for p in v.split(",")),
    "whole seconds greater than 0, separated by commas (15,20,60)",
)


@dataclass(frozen=True, slots=True)
class AMISettings:
    """The Asterisk Manager Interface link of the CTI adapter (``cti/``).

    Off by default, so the service runs without Asterisk. The secret comes
    from the configuration or ``IVR_AMI_SECRET`` and is never shown in
    ``repr``; the user and its rights are in ``asterisk-dialplan/manager.conf``.
    """

    enabled: bool = False
    host: str = field(default="127.0.0.1", metadata=_NOT_EMPTY)
    port: int = field(default=5038, metadata=_PORT)
    username: str = field(default="cti", metadata=_NOT_EMPTY)
    secret: str = field(default="", repr=False)


_DIAL_STRING = _rule(
    lambda v: "{number}" in v and "/" in v,
    "an Asterisk dial string with {number} for the fax number (PJSIP/{number}@trunk)",
)
_HOUR = _rule(lambda v: 0 <= v <= 23, "an hour of the day from 0 to 23")


@dataclass(frozen=True, slots=True)
class CTISettings:
    """Agents, queues, service levels and recordings (norm art. 20, 21, 39).

    The ring target is ``ring_target_rings`` China rings of
    ``ring_on_seconds`` tone and ``ring_off_seconds`` silence (3 x 5 s =
    15 s). ``service_levels`` are the queue targets T in seconds. Ticket
    call-backs dial the caller from ``callback_context`` and are settled by
    its result, awaited ``callback_result_timeout_seconds``; faxes go out on
    ``fax_channel`` (when ``tickets.fax_sending`` is on) with up to
    ``fax_max_attempts`` tries ``fax_retry_seconds`` apart; the overdue sweep
    runs every ``overdue_interval_seconds`` and the daily overdue report is
    written to ``overdue_reports_dir`` after ``overdue_report_hour`` (local).
    """

    ring_on_seconds: float = field(default=1.0, metadata=_SECONDS)
    ring_off_seconds: float = field(default=4.0, metadata=_SECONDS)
    ring_target_rings: int = field(default=3, metadata=_POSITIVE)
    service_levels: str = field(default="15,20,60", metadata=_SERVICE_LEVELS)
    short_abandon_seconds: float = field(default=5.0, metadata=_SECONDS)
    wrapup_seconds: float = field(default=30.0, metadata=_SECONDS)
    session_hours: float = field(default=12.0, metadata=_SECONDS)
    transfer_context: str = field(default="cti-transfer", metadata=_NOT_EMPTY)
    recordings_dir: str = field(default="recordings", metadata=_NOT_EMPTY)
    retention_days: int = field(default=180, metadata=_POSITIVE)
    retention_interval_seconds: float = field(default=3600.0, metadata=_SECONDS)
    mailboxes: str = ""
    """Voicemail boxes to show (``1001@default,2001@depts``) besides those
    VoicemailUsersList names, so a box whose storage fails is still seen."""
    callback_context: str = field(default="cti-callback", metadata=_NOT_EMPTY)
    callback_result_timeout_seconds: float = field(default=3600.0, metadata=_SECONDS)
    fax_channel: str = field(default="PJSIP/{number}@trunk", metadata=_DIAL_STRING)
    fax_max_attempts: int = field(default=3, metadata=_POSITIVE)
    fax_retry_seconds: float = field(default=600.0, metadata=_SECONDS)
    fax_result_timeout_seconds: float = field(default=600.0, metadata=_SECONDS)
    overdue_interval_seconds: float = field(default=300.0, metadata=_SECONDS)
    overdue_reports_dir: str = field(default="reports", metadata=_NOT_EMPTY)
    overdue_report_hour: int = field(default=1, metadata=_HOUR)


@dataclass(frozen=True, slots=True)
class QueriesSettings:
    """The self-service queries: backends, daily attempt limits, the demo.

    ``backends_file`` describes the HTTP backends (see
    ``ivr.queries.backend_config``). ``redis_url`` holds the daily counters
    of failed verifications per caller and per ID number (empty: per-call
    limits only). ``demo_backend`` starts the demonstration backend with
    fictional records on ``demo_port`` (loopback): never in production.
    """

    backends_file: str = "config/backends.yaml"
    redis_url: str = field(default="redis://127.0.0.1:6379/0", repr=False)
    per_caller_day: int = field(default=10, metadata=_POSITIVE)
    per_id_day: int = field(default=5, metadata=_POSITIVE)
    demo_backend: bool = True
    demo_port: int = field(default=0, metadata=_PORT)


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    """The root log level of the service."""

    level: str = field(default="INFO", metadata=_LOG_LEVEL)


@dataclass(frozen=True, slots=True)
class Config:
    """The whole service configuration; one attribute per section."""

    fastagi: FastAGISettings = field(default_factory=FastAGISettings)
    http: HTTPSettings = field(default_factory=HTTPSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    flow: FlowSettings = field(default_factory=FlowSettings)
    prompts: PromptsSettings = field(default_factory=PromptsSettings)
    calls: CallsSettings = field(default_factory=CallsSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    admin: AdminSettings = field(default_factory=AdminSettings)
    ami: AMISettings = field(default_factory=AMISettings)
    cti: CTISettings = field(default_factory=CTISettings)
    tickets: TicketsSettings = field(default_factory=TicketsSettings)
    queries: QueriesSettings = field(default_factory=QueriesSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)


@dataclass(frozen=True, slots=True)
class _Setting:
    """One raw value from one layer, with where it came from."""

    key: str
    value: object
    origin: str


def _known_keys() -> dict[str, type[Any]]:
    """Map every dotted key (``fastagi.port``) to its Python type."""
    known: dict[str, type[Any]] = {}
    for section, cls in get_type_hints(Config).items():
        for name, kind in get_type_hints(cls).items():
            known[f"{section}.{name}"] = kind
    return known


def _unknown(key: str, origin: str, candidates: list[str]) -> ConfigError:
    close = difflib.get_close_matches(key, candidates, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    known = ", ".join(sorted(candidates))
    return ConfigError(f"{origin}: unknown key {key!r}{hint}; known keys: {known}")


def _yaml_positions(node: yaml.Node, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Yield (dotted key, "line:column") for every mapping key in a YAML tree."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key_node, value_node in node.value:
        key = f"{prefix}{key_node.value}"
        mark = key_node.start_mark
        yield key, f"{mark.line + 1}:{mark.column + 1}"
        yield from _yaml_positions(value_node, key + ".")


def _parse_yaml(path: Path) -> tuple[object, dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    positions = dict(_yaml_positions(node)) if node is not None else {}
    return data, positions


def _file_layer(path: Path) -> list[_Setting]:
    """Read a YAML file into settings, each with its file, line and column."""
    data, positions = _parse_yaml(path)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level")
    return [
        _Setting(key, value, f"{path}:{positions.get(key, '1:1')}")
        for key, value in _flatten(data, str(path), positions)
    ]


def _flatten(
    data: Mapping[Any, Any], origin: str, positions: Mapping[str, str]
) -> Iterator[tuple[str, object]]:
    """Yield (dotted key, value) from a mapping of sections or dotted keys."""
    sections = get_type_hints(Config)
    for name, value in data.items():
        where = f"{origin}:{positions[str(name)]}" if str(name) in positions else origin
        if "." in str(name):
            yield str(name), value
        elif name not in sections:
            raise _unknown(str(name), where, list(sections))
        elif not isinstance(value, Mapping):
            raise ConfigError(f"{where}: section {name!r} must be a mapping of keys")
        else:
            yield from ((f"{name}.{key}", item) for key, item in value.items())


def _env_layer(env: Mapping[str, str]) -> list[_Setting]:
    """Read ``IVR_<SECTION>_<KEY>`` variables; other ``IVR_*`` names are ignored."""
    sections = get_type_hints(Config)
    settings = []
    for name, value in sorted(env.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("_")
        if section in sections and key:
            origin = f"environment variable {name}"
            settings.append(_Setting(f"{section}.{key}", value, origin))
    return settings


def _override_layer(overrides: Mapping[str, object]) -> list[_Setting]:
    return [
        _Setting(key, value, f"command-line override {key}")
        for key, value in _flatten(overrides, "command line", {})
    ]


def _convert(value: object, kind: type[Any]) -> object:
    """Turn a raw value (YAML scalar or environment string) into ``kind``."""
    if kind == FaxDocuments:
        return parse_fax_documents(value)
    if kind == FaxAreaCodes:
        return parse_fax_area_codes(value)
    if kind is bool:
        return _to_bool(value)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a " + kind.__name__)
    if kind is bytes:
        return str(value).encode("utf-8") if isinstance(value, str | int) else None
    if kind is int:
        return int(value) if isinstance(value, str | int) else None
    if kind is float:
        return float(value) if isinstance(value, str | int | float) else None
    return value if isinstance(value, str) else None


def _to_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    return None


def _expected(kind: type[Any]) -> str:
    names = {bool: "true or false", int: "an integer", float: "a number"}
    return names.get(kind, "a string")


def _apply(config: Config, setting: _Setting, known: Mapping[str, type[Any]]) -> Config:
    """Return ``config`` with one setting applied, or raise a clear error."""
    if setting.key not in known:
        raise _unknown(setting.key, setting.origin, list(known))
    kind = known[setting.key]
    try:
        value = _convert(setting.value, kind)
    except ShapeError as exc:
        raise ConfigError(f"{setting.origin}: {setting.key}: {exc}") from exc
    except ValueError:
        value = None
    if value is None:
        raise ConfigError(
            f"{setting.origin}: {setting.key}: expected {_expected(kind)}, "
            f"got {setting.value!r}"
        )
    section, _, name = setting.key.partition(".")
    updated = replace(getattr(config, section), **{name: value})
    return replace(config, **{section: updated})


def _validate(config: Config, origins: Mapping[str, str]) -> None:
    """Test each converted value; name the layer that gave a bad one."""
    for section in fields(config):
        settings = getattr(config, section.name)
        for item in fields(settings):
            value = getattr(settings, item.name)
            if "test" in item.metadata and not item.metadata["test"](value):
                key = f"{section.name}.{item.name}"
                env_name = f"{ENV_PREFIX}{key.replace('.', '_').upper()}"
                raise ConfigError(
                    f"{origins.get(key, 'embedded default')}: {key}: expected "
                    f"{item.metadata['expected']}, got {value!r} (set it in the "
                    f"configuration file or with {env_name})"
                )


def _check_tickets(tickets: TicketsSettings, origins: Mapping[str, str]) -> None:
    """Rules that join several ticket settings; each names the key to fix."""
    problems = ticket_problems(tickets)
    if problems:
        where = origins.get(problems[0].split(":")[0], "configuration")
        raise ConfigError(f"{where}: " + "; ".join(problems))


def _key_from_file(path: Path, what: str = "caller-number hash key") -> bytes:
    """Read a secret's file, or create it with a fresh random value (mode 0600)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot create the {what} file: {exc}") from exc
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    log.warning("generated a new %s in %s", what, path)
    return key.encode("ascii")


def _resolve_admin_token(config: Config) -> Config:
    admin = config.admin
    if not admin.token and admin.token_file:
        token = _key_from_file(Path(admin.token_file), "admin API token")
        return replace(config, admin=replace(admin, token=token))
    return config


def _resolve_hash_key(
    config: Config, origins: Mapping[str, str], *, create: bool = True
) -> Config:
    """The hash key from the settings or its file (created when missing and
    ``create``; without, a missing file stands for a key made at start-up)."""
    privacy = config.privacy
    if not privacy.hash_key and privacy.hash_key_file:
        key_file = Path(privacy.hash_key_file)
        if not create and not key_file.exists():
            return config
        privacy = replace(privacy, hash_key=_key_from_file(key_file))
        origins = {**origins, "privacy.hash_key": f"hash key file {key_file}"}
    if not privacy.hash_key:
        raise ConfigError(
            "privacy.hash_key is not set and privacy.hash_key_file is empty: "
            f"set the environment variable {ENV_PREFIX}PRIVACY_HASH_KEY to a secret "
            f"of at least {MIN_KEY_LENGTH} characters"
        )
    if len(privacy.hash_key) < MIN_KEY_LENGTH:
        origin = origins.get("privacy.hash_key", "embedded default")
        raise ConfigError(
            f"{origin}: privacy.hash_key: expected a secret of at least "
            f"{MIN_KEY_LENGTH} characters, got {len(privacy.hash_key)}"
        )
    return replace(config, privacy=privacy)


def _file_settings(path: str | None) -> list[_Setting]:
    if path is not None:
        if not Path(path).is_file():
            raise ConfigError(f"{path}: configuration file not found")
        return _file_layer(Path(path))
    if DEFAULT_CONFIG_FILE.is_file():
        return _file_layer(DEFAULT_CONFIG_FILE)
    return []


def read_setting(
    key: str, path: str | None = None, env: Mapping[str, str] | None = None
) -> object | None:
    """The value of one dotted setting from the file and the environment.

    For commands that need one setting (``ivr check`` the backends file):
    unlike :func:`load_config` it does not validate the rest nor create the
    hash key and admin token files. ``None`` when no layer sets it.
    """
    layers = [*_file_settings(path), *_env_layer(os.environ if env is None else env)]
    values = [setting.value for setting in layers if setting.key == key]
    return values[-1] if values else None


def setting_origin(
    key: str, path: str | None = None, env: Mapping[str, str] | None = None
) -> str:
    """Where the value of one dotted setting comes from, as errors name it:
    ``file:line:column``, an environment variable, or ``embedded default``."""
    layers = [*_file_settings(path), *_env_layer(os.environ if env is None else env)]
    origins = [setting.origin for setting in layers if setting.key == key]
    return origins[-1] if origins else "embedded default"


def load_config(
    path: str | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Config:
    """Build the configuration from all layers; raise :class:`ConfigError`.

    ``path`` is the ``--config`` file (default ``config/default.yaml`` in the
    working folder when present), ``env`` the environment (default
    ``os.environ``), ``overrides`` the command-line settings. Relative paths
    in the result are relative to the working folder.
    """
    config, origins = _checked(path, env, overrides)
    return _resolve_admin_token(_resolve_hash_key(config, origins))


def check_config(path: str | None = None, env: Mapping[str, str] | None = None) -> None:
    """Check the configuration as :func:`load_config` and the service's
    start would, without side effects (no key file is created); raise
    :class:`ConfigError`."""
    config, origins = _checked(path, env, None)
    _resolve_hash_key(config, origins, create=False)
    if config.ami.enabled and not config.ami.secret:
        raise ConfigError(
            "ami.enabled is true but no AMI secret is set: set the environment "
            f"variable {ENV_PREFIX}AMI_SECRET"
        )


def _checked(
    path: str | None,
    env: Mapping[str, str] | None,
    overrides: Mapping[str, object] | None,
) -> tuple[Config, dict[str, str]]:
    layers = [
        *_file_settings(path),
        *_env_layer(os.environ if env is None else env),
        *_override_layer(overrides or {}),
    ]
    known = _known_keys()
    config = Config()
    origins: dict[str, str] = {}
    for setting in layers:
        config = _apply(config, setting, known)
        origins[setting.key] = setting.origin
    _validate(config, origins)
    _check_tickets(config.tickets, origins)
    return config, origins
