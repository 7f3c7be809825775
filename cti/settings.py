"""Build the CTI service from the IVR service's configuration.

The only module of ``cti`` that reads :mod:`ivr.config`: the rest takes
:class:`~cti.service.CTIOptions`, so tests build the CTI without files.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncEngine

from cti.ami import AMIConfig
from cti.service import CTIOptions, CTIService
from cti.service_levels import ServiceLevelPolicy
from ivr.config import Config

__all__ = ["cti_options", "cti_service"]


def cti_options(config: Config) -> CTIOptions:
    """The CTI options of ``config`` (sections ``ami`` and ``cti``)."""
    ami, cti = config.ami, config.cti
    policy = ServiceLevelPolicy(
        ring_on=cti.ring_on_seconds,
        ring_off=cti.ring_off_seconds,
        rings=cti.ring_target_rings,
        thresholds=ServiceLevelPolicy.parse_thresholds(cti.service_levels),
        short_abandon=cti.short_abandon_seconds,
    )
    return CTIOptions(
        AMIConfig(ami.username, ami.secret, host=ami.host, port=ami.port),
        policy,
        wrapup=cti.wrapup_seconds,
        transfer_context=cti.transfer_context,
        recordings_dir=cti.recordings_dir,
        retention_days=cti.retention_days,
        retention_interval=cti.retention_interval_seconds,
        session_hours=cti.session_hours,
        hash_key=config.privacy.hash_key,
        mailboxes=tuple(
            name.strip() for name in cti.mailboxes.split(",") if name.strip()
        ),
    )


def cti_service(config: Config, engine: AsyncEngine) -> CTIService:
    """A CTI service on the records database, with the real clock."""
    return CTIService(cti_options(config), engine, clock=time.time)
