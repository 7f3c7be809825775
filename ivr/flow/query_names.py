"""Check each query node's ``backend:`` and ``query:`` against the backends file.

A typo there (``query: si-contributons``, ``backend: hrs``) used to load
fine: every caller then keyed an ID number and a PIN only to hear that the
system is unavailable. :func:`check_query_names` makes it an error at the
line of the typo, with the closest name as a hint. The names a backend's
answer holds (``say: - field:``) are only known when it answers, so they are
not checked here.

A query that puts the caller's inputs in its URL (method GET, or ``{name}``
in the URL template) is a warning at the node's ``query:``: URLs are kept
in access logs, the request body is not.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from ivr.flow.problems import Reader, suggest

__all__ = ["check_query_names"]


def check_query_names(
    reader: Reader,
    backends: Mapping[str, Collection[str]],
    origin: str,
    exposed: Mapping[tuple[str, str], str] | None = None,
) -> None:
    """Report query nodes naming a backend or query ``backends`` lacks.

    ``backends`` maps each backend's name to its query names; ``origin``
    names the backends file in the messages. A query in ``exposed`` (it
    puts the caller's inputs in its URL, see
    :func:`ivr.queries.backend_config.url_exposure`) is a warning at each
    node that uses it.
    """
    exposed = exposed or {}
    for backend, query in reader.query_refs:
        name, asked = backend.value.strip(), query.value.strip()
        queries = backends.get(name)
        if queries is None:
            hint = suggest(name, backends) or _known(backends)
            reader.error(backend.pos, f"{origin} has no backend {name!r}{hint}")
        elif asked not in queries:
            hint = suggest(asked, queries) or _known(queries)
            reader.error(
                query.pos, f"backend {name!r} in {origin} has no query {asked!r}{hint}"
            )
        elif (name, asked) in exposed:
            how = exposed[name, asked]
            reader.warning(
                query.pos,
                f"query {asked!r} of backend {name!r} in {origin} puts the "
                f"caller's ID number, PIN or phone in its URL ({how}), and URLs "
                "end up in access logs: use method: POST, with no {input} in "
                "the url",
            )


def _known(names: Collection[str]) -> str:
    return f"; it has {', '.join(sorted(names))}" if names else "; it has none"
