"""Build the ticket desk, its store and its reconciler from the configuration.

The service calls :func:`build_ticket_desk` once at start-up with the
engine it already has, the flow's calendar and its clock, then runs
``parts.reconciler.run()`` as a background task and hands ``parts.desk``
to the flow and ``parts.store`` to the HTTP API.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from ivr.clock import Clock
from ivr.config import Config
from ivr.flow.calendar import WorkCalendar
from ivr.tickets.database_desk import DatabaseTicketDesk
from ivr.tickets.deadlines import DeadlinePolicy
from ivr.tickets.desk import FaxDocument
from ivr.tickets.numbers import TicketNumberer
from ivr.tickets.pending_spool import PendingSpool
from ivr.tickets.reconciler import Alert, TicketReconciler
from ivr.tickets.recordings import RecordingFolder
from ivr.tickets.store import TicketStore

__all__ = ["TicketParts", "build_ticket_desk"]

logger = logging.getLogger("ivr.tickets.builder")


@dataclass(frozen=True, slots=True)
class TicketParts:
    """The desk for calls, the store for staff, the reconciler to run."""

    desk: DatabaseTicketDesk
    store: TicketStore
    reconciler: TicketReconciler
    policy: DeadlinePolicy


def build_ticket_desk(
    config: Config,
    engine: AsyncEngine,
    calendar: WorkCalendar,
    clock: Clock,
    *,
    alert: Alert | None = None,
    number_block: int = 50,
) -> TicketParts:
    """Everything tickets need, from ``config.tickets`` and the privacy key.

    ``number_block`` is how many ticket numbers the process leases at once:
    a long-running service takes 50, a classic AGI process (one call) 1, as
    the rest of its block would be lost when it exits.
    :class:`TicketConfigError` when the spool folder cannot be written.
    """
    settings = config.tickets
    policy = DeadlinePolicy(
        calendar,
        {
            "message": settings.message_days,
            "complaint": settings.complaint_days,
            "fax": settings.fax_days,
        },
    )
    numberer = TicketNumberer(
        settings.prefix,
        Path(settings.state_file),
        node=settings.node,
        sequence_digits=settings.sequence_digits,
        block=number_block,
        clock=clock,
        zone=policy.zone,
    )
    # Asterisk takes a relative RECORD FILE name as relative to its own
    # sounds folder (main/file.c), so the folder is always sent absolute.
    folder = RecordingFolder(
        Path(settings.recordings_dir).resolve(), policy.zone, settings.recording_format
    )
    store = TicketStore(engine, policy)
    spool = PendingSpool(Path(settings.spool_dir))
    spool.prepare()
    documents = [
        FaxDocument(d.key, d.id, d.title, d.path, d.prompt)
        for d in settings.fax_documents
    ]
    for document in documents:
        if not Path(document.path).is_file():
            logger.warning(
                "fax document %s: no file at %s; requests for it cannot be sent",
                document.id,
                document.path,
            )
    desk = DatabaseTicketDesk(
        store,
        spool,
        numberer,
        policy,
        folder,
        clock,
        hash_key=config.privacy.hash_key,
        fax_documents=documents,
        fax_sending=settings.fax_sending,
        fax_area_codes=settings.fax_area_codes,
        fax_per_caller_day=settings.fax_per_caller_day,
        database_timeout=settings.database_timeout_seconds,
        alert=alert,
    )
    reconciler = TicketReconciler(
        store,
        spool,
        folder,
        policy,
        clock,
        grace=timedelta(seconds=settings.grace_seconds),
        interval=settings.reconcile_interval_seconds,
        keep_days=settings.retention_days,
        alert=alert,
    )
    desk.on_database_back = reconciler.wake
    return TicketParts(desk, store, reconciler, policy)
