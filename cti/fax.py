"""Sending requested faxes through Asterisk, and recording how each went.

A caller who asks for a document by fax leaves a fax ticket; where fax
sending is configured (``cti.fax_channel``), :class:`FaxSender` takes the
queued ones and originates a call to each fax number into the ``fax-out``
context (asterisk-dialplan/extensions.conf). That context runs SendFAX
(res/res_fax.c), which sets FAXSTATUS (SUCCESS or FAILED), FAXERROR and
FAXPAGES, and its ``h`` extension reports them in ``UserEvent: FaxResult``
with the ticket number. A dial that fails (busy, no answer: the Reason of
OriginateResponse) or a SendFAX that fails is one attempt; after
``max_attempts`` the ticket stays for staff with the last reason. Where no
fax channel is configured nothing is sent and the requests wait for staff,
as the caller was told.

A fax number that is no mainland fixed line of ``tickets.fax_area_codes``
(:func:`ivr.fax_numbers.fax_number_refusal`, the rule the IVR keyed it
under) is never dialled: a ticket stored before the rule, or written by
other means, must not make the hotline call abroad or a premium line.

The full fax number is personal data: logs show it masked.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cti import commands
from cti.ami import AMIClient, AMIError, ConnectionState, NotLoggedInError
from cti.ami.subscriptions import Subscription
from ivr.fax_numbers import fax_number_refusal
from ivr.privacy import mask_number
from ivr.tasks import repeat_every
from ivr.tickets.store import TicketStore

__all__ = [
    "FaxJob",
    "FaxOptions",
    "FaxOutcome",
    "FaxQueue",
    "FaxSender",
    "StoreFaxQueue",
]

logger = logging.getLogger("cti.fax")

RESULT_EVENT = "FaxResult"
"""The UserEvent name the fax-out context's ``h`` extension sends."""


@dataclass(frozen=True, slots=True)
class FaxJob:
    """A queued fax: the ticket, the full fax number, the TIFF/F to send."""

    ticket: str
    fax_number: str
    document_path: str
    attempts: int


@dataclass(frozen=True, slots=True)
class FaxOutcome:
    """How one attempt ended: sent, or why not; pages as FAXPAGES says.

    ``retry`` false: another attempt cannot do better (a number or document
    refused before dialling), so the failure is final at once.
    """

    sent: bool
    reason: str = ""
    pages: int = 0
    retry: bool = True


@dataclass(frozen=True, slots=True)
class FaxOptions:
    """Where and how faxes go out.

    ``channel`` is the dial string with ``{number}`` for the fax number
    (``PJSIP/{number}@trunk``); empty means fax sending is not configured.
    ``interval`` is the pause between runs, hence between two attempts of
    one fax; ``result_timeout`` how long a SendFAX may take after answer;
    ``station_id`` the local station id the fax header shows;
    ``area_codes`` the only area codes dialled (empty: any mainland one).
    """

    channel: str = ""
    context: str = "fax-out"
    station_id: str = ""
    max_attempts: int = 3
    interval: float = 300.0
    result_timeout: float = 600.0
    batch: int = 10
    area_codes: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        """True when faxes are sent at all."""
        return bool(self.channel)


class FaxQueue(Protocol):
    """The fax tickets the sender works on (the ticket store implements it)."""

    async def faxes_due(self, limit: int) -> Sequence[FaxJob]:
        """Queued faxes still to try, oldest first."""
        ...

    async def record_fax(
        self, ticket: str, outcome: FaxOutcome, final: bool, now: datetime
    ) -> None:
        """Store one attempt; ``final`` when no more attempts will be made."""
        ...


class StoreFaxQueue:
    """The ticket store as a :class:`FaxQueue`; documents by id to TIFF paths.

    A ticket naming a document no longer configured gets an empty path,
    which the sender refuses and records as a failed attempt.
    """

    def __init__(self, store: TicketStore, documents: Mapping[str, str]) -> None:
        self.store = store
        self.documents = documents

    async def faxes_due(self, limit: int) -> Sequence[FaxJob]:
        """Queued fax tickets as jobs."""
        due = await self.store.faxes_due(limit)
        return [
            FaxJob(
                t.number,
                t.fax_number,
                self.documents.get(t.fax_document, ""),
                t.fax_attempts,
            )
            for t in due
        ]

    async def record_fax(
        self, ticket: str, outcome: FaxOutcome, final: bool, now: datetime
    ) -> None:
        """One attempt into the ticket (a sent fax becomes its reply)."""
        result = f"sent, {outcome.pages} page(s)" if outcome.sent else outcome.reason
        await self.store.record_fax(ticket, outcome.sent, result, now, final=final)


class FaxSender:
    """Sends due faxes every ``interval``; start with :meth:`run` as a task."""

    def __init__(
        self,
        client: AMIClient,
        queue: FaxQueue,
        options: FaxOptions,
        now: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.queue = queue
        self.options = options
        self._now = now
        self._sleep = sleep

    async def run(self) -> None:
        """Send what is due, pause, again; a failed run is logged, not fatal."""
        await repeat_every(
            self.options.interval,
            self.send_due,
            what="the fax run",
            logger=logger,
            sleep=self._sleep,
        )

    async def send_due(self) -> int:
        """Try each due fax once; return how many attempts were made.

        Nothing is tried when fax sending is not configured or the AMI link
        is not ready (those faxes stay queued, no attempt is counted).
        """
        if not self.options.configured:
            return 0
        if self.client.state is not ConnectionState.READY:
            return 0
        jobs = await self.queue.faxes_due(self.options.batch)
        tried = 0
        for job in jobs:
            outcome = await self.send(job)
            if outcome is None:
                break
            final = (
                outcome.sent
                or not outcome.retry
                or job.attempts + 1 >= self.options.max_attempts
            )
            await self.queue.record_fax(job.ticket, outcome, final, self._now())
            tried += 1
        return tried

    async def send(self, job: FaxJob) -> FaxOutcome | None:
        """One attempt; None when the AMI link went away before sending."""
        masked = mask_number(job.fax_number)
        refused = _refusal(job, self.options.area_codes)
        if refused:
            logger.warning("fax for ticket %s to %s: %s", job.ticket, masked, refused)
            return FaxOutcome(False, refused, retry=False)
        subscription = self.client.subscribe("UserEvent", maxsize=100)
        try:
            outcome = await self._attempt(job, subscription)
        except NotLoggedInError:
            logger.warning("fax for ticket %s not sent: AMI not logged in", job.ticket)
            return None
        finally:
            self.client.unsubscribe(subscription)
        logger.info(
            "fax for ticket %s to %s: %s",
            job.ticket,
            masked,
            "sent" if outcome.sent else f"failed ({outcome.reason})",
        )
        return outcome

    async def _attempt(self, job: FaxJob, subscription: Subscription) -> FaxOutcome:
        channel = self.options.channel.replace("{number}", job.fax_number)
        action = commands.send_fax(
            channel,
            self.options.context,
            job.ticket,
            job.document_path,
            self.options.station_id,
        )
        try:
            dialled = await self.client.originate(action)
            if not dialled.ok:
                return FaxOutcome(False, f"dial {dialled.reason}")
            async with asyncio.timeout(self.options.result_timeout):
                return await _result(subscription, job.ticket)
        except NotLoggedInError:
            raise
        except TimeoutError:
            return FaxOutcome(False, "no fax result in time")
        except AMIError as exc:
            return FaxOutcome(False, f"AMI: {exc}")


def _refusal(job: FaxJob, area_codes: tuple[str, ...]) -> str:
    """Why a job cannot be sent as it is, or ``""``."""
    refused = fax_number_refusal(job.fax_number, area_codes)
    if refused:
        return refused
    if "," in job.document_path or not job.document_path:
        # manager.c man_do_variable_value splits Variable values at commas.
        return "the document path is empty or holds a comma"
    return ""


async def _result(subscription: Subscription, ticket: str) -> FaxOutcome:
    """Wait for this ticket's ``UserEvent: FaxResult`` and read it."""
    while True:
        event = await subscription.get()
        if event.get("UserEvent") != RESULT_EVENT or event.get("Ticket") != ticket:
            continue
        pages = event.get("Pages")
        count = int(pages) if pages.isdigit() else 0
        if event.get("Status") == "SUCCESS":
            return FaxOutcome(True, "", count)
        return FaxOutcome(False, event.get("Error") or "FAILED", count)
