"""Bring the call-record schema to the newest Alembic revision at start-up.

The migration scripts ship inside the package (``ivr/records/migrations``),
so an installed service needs no ``alembic.ini`` and no working copy. The
upgrade runs on a connection we open ourselves and hand to ``env.py``
(Alembic's "connection sharing" recipe), because ``env.py`` cannot start its
own event loop inside ours.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.util import CommandError
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from ivr.records.errors import MigrationError

__all__ = ["MIGRATIONS_DIR", "alembic_config", "migrate"]

log = logging.getLogger("ivr.records.migrate")

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")


def alembic_config(url: str) -> AlembicConfig:
    """Return an Alembic configuration for the shipped scripts and ``url``."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would read "%" in a password as a reference.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, config: AlembicConfig) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def migrate(url: str) -> None:
    """Upgrade the database at ``url`` to the newest revision (idempotent).

    Raises :class:`MigrationError`, naming the database without its password.
    """
    shown = make_url(url).render_as_string(hide_password=True)
    engine = create_async_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, alembic_config(url))
    except (SQLAlchemyError, OSError, CommandError) as exc:
        raise MigrationError(f"cannot migrate the database {shown}: {exc}") from exc
    finally:
        await engine.dispose()
    log.info("call-record schema of %s is at the newest revision", shown)
