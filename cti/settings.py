"""Build the CTI service from the IVR service's configuration.

The only module of ``cti`` that reads :mod:`ivr.config`: the rest takes
:class:`~cti.service.CTIOptions`, so tests build the CTI without files.
"""

from __future__ import annotations

import time

from sqlalchemy.ext.asyncio import AsyncEngine

from cti.ami import AMIConfig
from cti.fax import FaxOptions
from cti.overdue import OverdueOptions
from cti.service import SHANGHAI, CTIOptions, CTIService
from cti.service_levels import ServiceLevelPolicy
from cti.ticket_options import TicketOptions
from ivr.config import Config
from ivr.tickets.store import TicketStore

__all__ = ["cti_options", "cti_service", "ticket_options"]


def cti_options(config: Config) -> CTIOptions:
    """The CTI options of ``config`` (sections ``ami``, ``cti``, ``tickets``)."""
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
        tickets=ticket_options(config),
    )


def ticket_options(config: Config) -> TicketOptions:
    """The CTI's ticket settings: the folder and retention of ``tickets``,
    call-backs, faxes (sent only with ``tickets.fax_sending``) and reports."""
    cti, tickets = config.cti, config.tickets
    fax = FaxOptions(
        channel=cti.fax_channel if tickets.fax_sending else "",
        context=tickets.fax_context or "fax-out",
        station_id=tickets.fax_station_id,
        max_attempts=cti.fax_max_attempts,
        interval=cti.fax_retry_seconds,
        result_timeout=cti.fax_result_timeout_seconds,
        area_codes=tickets.fax_area_codes,
    )
    overdue = OverdueOptions(
        interval=cti.overdue_interval_seconds,
        reports_dir=cti.overdue_reports_dir,
        report_hour=cti.overdue_report_hour,
        tz=SHANGHAI,
    )
    return TicketOptions(
        recordings_dir=tickets.recordings_dir,
        recording_format=tickets.recording_format,
        retention_days=tickets.retention_days,
        callback_context=cti.callback_context,
        callback_result_timeout=cti.callback_result_timeout_seconds,
        overdue=overdue,
        fax=fax,
        fax_documents={d.id: d.path for d in tickets.fax_documents},
    )


def cti_service(
    config: Config, engine: AsyncEngine, tickets: TicketStore | None = None
) -> CTIService:
    """A CTI service on the records database, with the real clock; with the
    ticket store (``build_ticket_desk(...).store``) it serves /cti/tickets."""
    return CTIService(cti_options(config), engine, clock=time.time, tickets=tickets)
