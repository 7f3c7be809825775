"""Staff accounts and sessions: agents, supervisors and admins.

Passwords are hashed with the standard library's ``hashlib.scrypt``
(n=2**14, r=8, p=1, a 16-byte salt: the parameters RFC 7914 section 2
recommends for interactive logins) and compared in constant time. Sessions
are random bearer tokens (``secrets.token_urlsafe``) of which only the
SHA-256 is stored, with an expiry; a lost database copy gives no session.
Each agent has an agent number (工号), a phone interface (the queue member)
and skills (the queues they may log in to).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from cti.errors import NotFoundError, StaffError
from ivr.records.rows import to_utc
from ivr.records.schema import cti_sessions, cti_staff

__all__ = [
    "MIN_PASSWORD",
    "ROLES",
    "StaffDirectory",
    "StaffMember",
    "check_password",
    "hash_password",
    "verify_password",
]

ROLES = ("agent", "supervisor", "admin")

MIN_PASSWORD = 10
"""Shortest password accepted by :meth:`StaffDirectory.add`/``set_password``."""

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def check_password(password: str) -> None:
    """Raise :class:`StaffError` when ``password`` is shorter than the minimum."""
    if len(password) < MIN_PASSWORD:
        raise StaffError(
            f"a password needs at least {MIN_PASSWORD} characters, not {len(password)}"
        )


def hash_password(password: str) -> str:
    """Return ``scrypt$n$r$p$salt$hash`` for ``password`` (base64 parts)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    parts = [str(_SCRYPT[k]) for k in ("n", "r", "p")]
    return "$".join(["scrypt", *parts, _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; False for any bad form."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        given = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except ValueError:
        return False
    return hmac.compare_digest(given, base64.b64decode(digest))


@functools.cache
def _dummy_hash() -> str:
    """Checked for unknown user names: their refusal takes one scrypt too."""
    return hash_password(secrets.token_urlsafe(16))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A staff account as the API sees it (never the password hash)."""

    id: int
    username: str
    role: str
    agent_number: str
    display_name: str
    interface: str
    skills: tuple[str, ...]

    @property
    def supervises(self) -> bool:
        """Supervisors and admins see every seat."""
        return self.role in {"supervisor", "admin"}

    def to_json(self) -> dict[str, Any]:
        """The account for ``GET /cti/me`` and ``ivr staff list``."""
        return {
            "username": self.username,
            "role": self.role,
            "agent_number": self.agent_number,
            "display_name": self.display_name,
            "interface": self.interface,
            "skills": list(self.skills),
        }


def _member(row: Any) -> StaffMember:
    return StaffMember(
        row.id,
        row.username,
        row.role,
        row.agent_number,
        row.display_name,
        row.interface,
        tuple(row.skills or ()),
    )


class StaffDirectory:
    """Staff accounts and bearer sessions in the records database."""

    def __init__(self, engine: AsyncEngine, session_hours: float = 12.0) -> None:
        self._engine = engine
        self._session_life = timedelta(hours=session_hours)

    async def add(
        self,
        username: str,
        role: str,
        password: str,
        now: datetime,
        **details: Any,
    ) -> StaffMember:
        """Create an account; raise :class:`StaffError` on a bad role or name."""
        if role not in ROLES:
            raise StaffError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if role == "agent" and not details.get("agent_number"):
            raise StaffError("an agent needs an agent number (工号)")
        if password:
            check_password(password)
        await self._refuse_taken_number(details.get("agent_number", ""))
        hashed = await asyncio.to_thread(hash_password, password) if password else ""
        values = {
            "username": username,
            "role": role,
            "password_hash": hashed,
            "created_at": now,
            "agent_number": details.get("agent_number", ""),
            "display_name": details.get("display_name", ""),
            "interface": details.get("interface", ""),
            "skills": list(details.get("skills", ())),
        }
        try:
            async with self._engine.begin() as connection:
                await connection.execute(insert(cti_staff).values(**values))
        except IntegrityError as exc:
            raise StaffError(
                f"the user name {username!r} or agent number is taken"
            ) from exc
        return await self.get(username)

    async def _refuse_taken_number(self, agent_number: str) -> None:
        """StaffError when another account has ``agent_number`` (one seat each)."""
        if not agent_number:
            return
        query = select(cti_staff.c.username).where(
            cti_staff.c.agent_number == agent_number
        )
        async with self._engine.connect() as connection:
            holder = (await connection.execute(query)).scalar()
        if holder is not None:
            raise StaffError(
                f"agent number {agent_number!r} already belongs to {holder!r}"
            )

    async def get(self, username: str) -> StaffMember:
        """The enabled account ``username``; :class:`NotFoundError` if none."""
        query = select(cti_staff).where(
            cti_staff.c.username == username, cti_staff.c.disabled.is_(False)
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            raise NotFoundError(f"no staff account {username!r}")
        return _member(row)

    async def by_agent_number(self, agent_number: str) -> StaffMember:
        """The enabled agent with ``agent_number``; NotFoundError if none."""
        query = select(cti_staff).where(
            cti_staff.c.agent_number == agent_number,
            cti_staff.c.role == "agent",
            cti_staff.c.disabled.is_(False),
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        if row is None:
            raise NotFoundError(f"no agent {agent_number!r}")
        return _member(row)

    async def all(self) -> list[StaffMember]:
        """Every enabled account, by user name."""
        query = select(cti_staff).where(cti_staff.c.disabled.is_(False))
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query.order_by("username"))).all()
        return [_member(row) for row in rows]

    async def set_password(self, username: str, password: str) -> None:
        """Replace the password and end every session of the account."""
        check_password(password)
        member = await self.get(username)
        hashed = await asyncio.to_thread(hash_password, password)
        async with self._engine.begin() as connection:
            await connection.execute(
                update(cti_staff)
                .where(cti_staff.c.id == member.id)
                .values(password_hash=hashed)
            )
            await connection.execute(
                delete(cti_sessions).where(cti_sessions.c.staff_id == member.id)
            )

    async def log_in(self, username: str, password: str, now: datetime) -> str | None:
        """Check the password and open a session; None when refused."""
        query = select(cti_staff).where(
            cti_staff.c.username == username, cti_staff.c.disabled.is_(False)
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        # An unknown name costs one scrypt too, so the answer's time does not
        # tell which names exist; scrypt runs in a worker thread so FastAGI
        # calls on the same event loop go on meanwhile.
        stored = row.password_hash if row is not None else _dummy_hash()
        matches = await asyncio.to_thread(verify_password, password, stored)
        if row is None or not matches:
            return None
        return await self.issue_token(row.id, now)

    async def issue_token(
        self, staff_id: int, now: datetime, life: timedelta | None = None
    ) -> str:
        """Open a session for ``staff_id`` and return its bearer token."""
        token = secrets.token_urlsafe(32)
        values = {
            "token_hash": _token_hash(token),
            "staff_id": staff_id,
            "created_at": now,
            "expires_at": now + (life or self._session_life),
        }
        async with self._engine.begin() as connection:
            await connection.execute(insert(cti_sessions).values(**values))
        return token

    async def authenticate(self, token: str, now: datetime) -> StaffMember | None:
        """The account behind a live token, or None (unknown or expired)."""
        query = (
            select(cti_staff, cti_sessions.c.expires_at)
            .join(cti_sessions, cti_sessions.c.staff_id == cti_staff.c.id)
            .where(
                cti_sessions.c.token_hash == _token_hash(token),
                cti_staff.c.disabled.is_(False),
            )
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        expires = to_utc(row.expires_at) if row is not None else None
        if expires is None or expires <= now:
            return None
        return _member(row)

    async def log_out(self, token: str) -> None:
        """End the session of ``token``."""
        async with self._engine.begin() as connection:
            await connection.execute(
                delete(cti_sessions).where(
                    cti_sessions.c.token_hash == _token_hash(token)
                )
            )
