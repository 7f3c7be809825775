"""The backends file: which HTTP services answer which queries, and how.

``queries.backends_file`` (default ``config/backends.yaml``) names each
backend once; every backend gets its own circuit breaker. For example::

    backends:
      hrss:                          # the name query nodes use (backend: hrss)
        base_url: https://si.example.gov.cn/api
        timeout: 3                   # seconds per request
        retries: 1                   # extra tries after a failure
        backoff: 0.3                 # seconds before the first retry, doubled after
        failures_to_open: 5          # failures in a row that open the circuit
        open_seconds: 30             # how long an open circuit refuses requests
        headers:
          X-Api-Key: ${IVR_HRSS_API_KEY}
        username: ivr                # HTTP basic auth, optional
        password: ${IVR_HRSS_PASSWORD}
        queries:
          si-contributions: {method: POST, url: /si/contributions}

``base_url: demo`` means the demonstration backend this service starts
(``queries.demo_backend``). ``${NAME}`` in headers, username and password is
read from the environment, so secrets stay out of the file; none of them is
ever logged or shown in ``repr``. A URL is a template: ``{name}`` is replaced
by that input (``/certificates/{certificate}``); inputs are sent as a JSON
body (POST) or as query parameters (GET). Keep personal inputs (ID numbers,
PINs) out of URL templates and use POST: URLs end up in access logs.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from ivr.queries.errors import BackendConfigError

__all__ = [
    "DEMO_URL",
    "BackendSettings",
    "Endpoint",
    "load_backends",
    "query_names",
    "read_backends",
    "url_exposure",
    "url_exposures",
    "with_demo_url",
]

DEMO_URL = "demo"
METHODS = ("GET", "POST")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NUMBERS = {
    "timeout": (3.0, 0.1),
    "retries": (1, 0),
    "backoff": (0.3, 0.0),
    "failures_to_open": (5, 1),
    "open_seconds": (30.0, 0.1),
}
"""Setting -> (default, lowest allowed value)."""
_KEYS = ("base_url", "headers", "username", "password", "queries", *_NUMBERS)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One query of a backend: HTTP method and URL template."""

    method: str
    url: str


@dataclass(frozen=True, slots=True)
class BackendSettings:
    """One backend as configured; secrets hidden from ``repr``."""

    name: str
    base_url: str
    queries: Mapping[str, Endpoint]
    timeout: float = 3.0
    retries: int = 1
    backoff: float = 0.3
    failures_to_open: int = 5
    open_seconds: float = 30.0
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    username: str = field(default="", repr=False)
    password: str = field(default="", repr=False)


def load_backends(
    path: str, env: Mapping[str, str] | None = None
) -> dict[str, BackendSettings]:
    """Read the backends file at ``path``; raise :class:`BackendConfigError`."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BackendConfigError(
            f"{path}: cannot read the backends file: {exc}"
        ) from exc
    except yaml.YAMLError as exc:
        raise BackendConfigError(f"{path}: not valid YAML: {exc}") from exc
    return read_backends(data, path, os.environ if env is None else env)


def query_names(path: str) -> dict[str, frozenset[str]]:
    """Each backend's name and query names in the file at ``path``.

    The file is checked as at start-up, except that ``${NAME}`` references
    need not be set: ``ivr check`` runs where the secrets are not.
    Raises :class:`BackendConfigError` when it is wrong.
    """
    backends = load_backends(path, env=_AnyValue())
    return {name: frozenset(item.queries) for name, item in backends.items()}


def url_exposures(path: str) -> dict[tuple[str, str], str]:
    """The queries of the file at ``path`` that put inputs in their URL.

    Maps ``(backend, query)`` to how (see :func:`url_exposure`); checked
    like :func:`query_names`.
    """
    backends = load_backends(path, env=_AnyValue())
    found = {}
    for name, item in backends.items():
        for query, endpoint in item.queries.items():
            how = url_exposure(endpoint)
            if how is not None:
                found[name, query] = how
    return found


def url_exposure(endpoint: Endpoint) -> str | None:
    """How ``endpoint`` puts the caller's inputs in its URL, or ``None``.

    Every input is personal (an ID number, a PIN, a certificate number,
    the calling number), and URLs end up in the access logs of the backend
    and of every proxy on the way: GET sends the inputs as query
    parameters, and a ``{name}`` in the URL template writes that one in.
    """
    if endpoint.method == "GET":
        return "method GET sends every input as a query parameter"
    named = [field for _, field, _, _ in string.Formatter().parse(endpoint.url)]
    fields = sorted({name for name in named if name})
    if fields:
        return "its url names " + ", ".join(f"{{{name}}}" for name in fields)
    return None


class _AnyValue(dict[str, str]):
    """An environment in which every variable is set (to nothing)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return ""


def read_backends(
    data: Any, origin: str, env: Mapping[str, str]
) -> dict[str, BackendSettings]:
    """Build the backends from parsed YAML (``origin`` names it in errors)."""
    section = data.get("backends") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise BackendConfigError(f"{origin}: expected 'backends:' with one entry each")
    return {
        str(name): _backend(str(name), body, f"{origin}: backend {name!r}", env)
        for name, body in section.items()
    }


def with_demo_url(
    backends: Mapping[str, BackendSettings], url: str
) -> dict[str, BackendSettings]:
    """The backends with ``base_url: demo`` pointed at the running demo."""
    return {
        name: replace(item, base_url=url) if item.base_url == DEMO_URL else item
        for name, item in backends.items()
    }


def _backend(
    name: str, body: Any, where: str, env: Mapping[str, str]
) -> BackendSettings:
    if not isinstance(body, dict):
        raise BackendConfigError(f"{where}: expected a mapping of settings")
    unknown = sorted(set(map(str, body)) - set(_KEYS))
    if unknown:
        raise BackendConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    base_url = body.get("base_url")
    if not isinstance(base_url, str) or not base_url:
        raise BackendConfigError(f"{where}: needs 'base_url:' (a URL, or demo)")
    headers = body.get("headers") or {}
    if not isinstance(headers, dict):
        raise BackendConfigError(f"{where}: 'headers:' must be 'Name: value' lines")
    return BackendSettings(
        name=name,
        base_url=base_url.rstrip("/"),
        queries=_endpoints(body.get("queries"), where),
        headers={str(k): _expand(str(v), where, env) for k, v in headers.items()},
        username=_expand(str(body.get("username") or ""), where, env),
        password=_expand(str(body.get("password") or ""), where, env),
        **{key: _number(body, key, where) for key in _NUMBERS},
    )


def _number(body: Mapping[str, Any], key: str, where: str) -> Any:
    default, low = _NUMBERS[key]
    value = body.get(key, default)
    kind = type(default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BackendConfigError(f"{where}: {key} must be a number")
    if value < low or (kind is int and not isinstance(value, int)):
        raise BackendConfigError(f"{where}: {key} must be a {kind.__name__} >= {low}")
    return kind(value)


def _endpoints(node: Any, where: str) -> dict[str, Endpoint]:
    if not isinstance(node, dict) or not node:
        raise BackendConfigError(f"{where}: needs 'queries:' with at least one query")
    found = {}
    for name, body in node.items():
        method = (
            str(body.get("method", "POST")).upper() if isinstance(body, dict) else ""
        )
        url = body.get("url") if isinstance(body, dict) else None
        if method not in METHODS or not isinstance(url, str) or not url:
            raise BackendConfigError(
                f"{where}: query {name!r} needs 'url:' and a method GET or POST"
            )
        found[str(name)] = Endpoint(method, url)
    return found


def _expand(text: str, where: str, env: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in env:
            raise BackendConfigError(f"{where}: environment variable {name} is not set")
        return env[name]

    return _ENV.sub(value, text)
