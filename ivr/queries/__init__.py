"""Self-service information queries with identity verification (norm art. 25, 32).

Layers, bottom up: ``errors``; ``idnumber`` (the resident ID number as keyed
on a phone: check digit, birth date, region; masked form and keyed hash);
``limiter`` (failed verifications per call, per caller and per ID number a
day; lockouts recorded) over ``counters`` (the daily counts in Redis,
reserved atomically before each try); ``backend_config``/``breaker``/``backend``
(the HTTP backends, with retries and a circuit breaker each); ``desk`` (what
a call uses); ``demo_backend`` (fictional records to try the queries).
The flow's ``query`` node (``ivr.flow.query_nodes``) uses them.
"""

from ivr.queries.backend import (
    BackendClient,
    Found,
    NotFound,
    QueryResult,
    Unavailable,
    VerificationFailed,
)
from ivr.queries.backend_config import (
    DEMO_URL,
    BackendSettings,
    Endpoint,
    load_backends,
    read_backends,
    with_demo_url,
)
from ivr.queries.breaker import BackendBreaker, CircuitState
from ivr.queries.counters import DailyCounters, Reservation
from ivr.queries.demo_backend import DEMO_CERTIFICATES, DEMO_PEOPLE, DemoBackend
from ivr.queries.desk import QueryCall, QueryDesk
from ivr.queries.errors import (
    BackendConfigError,
    BackendError,
    BackendReplyError,
    CircuitOpenError,
    IdNumberError,
    QueryError,
)
from ivr.queries.idnumber import REASONS, IdNumber, check_character, parse_keyed_id
from ivr.queries.limiter import (
    AttemptLimiter,
    AttemptLimits,
    CallAttempts,
    Lockout,
    LockoutBook,
    Verifier,
)
from ivr.queries.wiring import QueryServices

__all__ = [
    "DEMO_CERTIFICATES",
    "DEMO_PEOPLE",
    "DEMO_URL",
    "REASONS",
    "AttemptLimiter",
    "AttemptLimits",
    "BackendBreaker",
    "BackendClient",
    "BackendConfigError",
    "BackendError",
    "BackendReplyError",
    "BackendSettings",
    "CallAttempts",
    "CircuitOpenError",
    "CircuitState",
    "DailyCounters",
    "DemoBackend",
    "Endpoint",
    "Found",
    "IdNumber",
    "IdNumberError",
    "Lockout",
    "LockoutBook",
    "NotFound",
    "QueryCall",
    "QueryDesk",
    "QueryError",
    "QueryResult",
    "QueryServices",
    "Reservation",
    "Unavailable",
    "VerificationFailed",
    "Verifier",
    "check_character",
    "load_backends",
    "parse_keyed_id",
    "read_backends",
    "with_demo_url",
]
