"""Fax sending over AMI against the emulated Asterisk: sent, failed, queued."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from cti_rig import Rig

from cti.ami.emulator_originate import FaxResult
from cti.fax import FaxJob, FaxOptions, FaxOutcome, FaxSender

FAX_NUMBER = "01088886666"
CHANNEL = f"PJSIP/{FAX_NUMBER}@trunk"


class MemoryQueue:
    """Fax jobs in memory, with every attempt recorded."""

    def __init__(self, *jobs: FaxJob) -> None:
        self.jobs = list(jobs)
        self.recorded: list[tuple[str, FaxOutcome, bool]] = []

    async def faxes_due(self, limit: int) -> Sequence[FaxJob]:
        """The jobs not yet final."""
        done = {ticket for ticket, _, final in self.recorded if final}
        return [job for job in self.jobs if job.ticket not in done][:limit]

    async def record_fax(
        self, ticket: str, outcome: FaxOutcome, final: bool, now: datetime
    ) -> None:
        """Keep the attempt and count it on the job."""
        self.recorded.append((ticket, outcome, final))
        self.jobs = [
            FaxJob(j.ticket, j.fax_number, j.document_path, j.attempts + 1)
            if j.ticket == ticket
            else j
            for j in self.jobs
        ]


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    """The CTI on the emulated Asterisk."""
    rig = Rig(tmp_path)
    await rig.start()
    yield rig
    await rig.stop()


def _sender(
    rig: Rig, queue: MemoryQueue, channel: str = "PJSIP/{number}@trunk"
) -> FaxSender:
    options = FaxOptions(
        channel=channel, station_id="12333", max_attempts=2, result_timeout=5.0
    )
    return FaxSender(rig.cti.client, queue, options, rig.cti.now)


def _job(ticket: str = "1203100000018") -> FaxJob:
    return FaxJob(ticket, FAX_NUMBER, "/var/lib/ivr/fax/social-card.tif", 0)


async def test_a_fax_is_sent_into_fax_out_with_the_ticket_and_file(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    """Originate into fax-out with FAX_TICKET/FAX_FILE; SUCCESS is recorded as sent."""
    queue = MemoryQueue(_job())
    rig.emu.fax_results[CHANNEL] = FaxResult(pages=3)
    caplog.set_level(logging.INFO, "cti.fax")

    tried = await _sender(rig, queue).send_due()

    (sent,) = [r for r in rig.emu.requests if r.action == "Originate"]
    assert (sent.get("Channel"), sent.get("Context"), sent.get("Exten")) == (
        CHANNEL,
        "fax-out",
        "s",
    )
    assert sent.get_all("Variable") == [
        "FAX_TICKET=1203100000018",
        "FAX_FILE=/var/lib/ivr/fax/social-card.tif",
        "FAX_STATION_ID=12333",
    ]
    assert tried == 1
    assert queue.recorded == [("1203100000018", FaxOutcome(True, "", 3), True)]
    assert FAX_NUMBER not in caplog.text and "sent" in caplog.text


async def test_a_failed_sendfax_is_retried_then_left_with_its_reason(rig: Rig) -> None:
    """FAXSTATUS FAILED counts one attempt; at the limit the last is final."""
    queue = MemoryQueue(_job())
    rig.emu.fax_results[CHANNEL] = FaxResult("FAILED", "NO_FAX", 0)
    sender = _sender(rig, queue)

    await sender.send_due()
    await sender.send_due()
    third = await sender.send_due()

    failed = FaxOutcome(False, "NO_FAX", 0)
    assert queue.recorded == [
        ("1203100000018", failed, False),
        ("1203100000018", failed, True),
    ]
    assert third == 0


async def test_a_busy_fax_line_is_a_failed_attempt_with_the_dial_reason(
    rig: Rig,
) -> None:
    """OriginateResponse Failure, Reason 5: no SendFAX ran, reason "dial busy"."""
    queue = MemoryQueue(_job())
    rig.emu.originate_reasons[CHANNEL] = 5

    await _sender(rig, queue).send_due()

    assert queue.recorded == [("1203100000018", FaxOutcome(False, "dial busy"), False)]


async def test_without_a_fax_channel_requests_stay_queued(rig: Rig) -> None:
    """Not configured: nothing is dialled and no attempt is counted."""
    queue = MemoryQueue(_job())

    tried = await _sender(rig, queue, channel="").send_due()

    assert tried == 0 and queue.recorded == []
    assert not [r for r in rig.emu.requests if r.action == "Originate"]


async def test_a_bad_fax_number_or_path_is_refused_without_dialling(rig: Rig) -> None:
    """A number with non-digits or a path with a comma never reaches Asterisk,
    and the failure is final at once: retrying could not do better."""
    queue = MemoryQueue(
        FaxJob("1", "010-8888", "/a.tif", 0), FaxJob("2", FAX_NUMBER, "/a,b.tif", 0)
    )

    await _sender(rig, queue).send_due()

    assert [(t, o.sent, final) for t, o, final in queue.recorded] == [
        ("1", False, True),
        ("2", False, True),
    ]
    assert not [r for r in rig.emu.requests if r.action == "Originate"]


@pytest.mark.parametrize("number", ["00900123456789", "12333", "13912345678"])
async def test_no_fixed_line_is_never_dialled(rig: Rig, number: str) -> None:
    """Defence in depth: a stored international, service or mobile number
    (a ticket from before the rule, or written by other means) is refused
    with the rule's reason before any Originate."""
    queue = MemoryQueue(FaxJob("1", number, "/a.tif", 0))

    await _sender(rig, queue).send_due()

    ((ticket, outcome, _),) = queue.recorded
    assert (ticket, outcome.sent) == ("1", False)
    assert "the fax number is" in outcome.reason
    assert not [r for r in rig.emu.requests if r.action == "Originate"]


async def test_only_the_configured_area_codes_are_dialled(rig: Rig) -> None:
    """With fax area codes set, a fixed line of another area is refused."""
    queue = MemoryQueue(FaxJob("1", "02187654321", "/a.tif", 0))
    sender = _sender(rig, queue)
    sender.options = replace(sender.options, area_codes=("010",))

    await sender.send_due()

    ((_, outcome, _),) = queue.recorded
    assert outcome.reason == "area code 021 is not among tickets.fax_area_codes"
    assert not [r for r in rig.emu.requests if r.action == "Originate"]


async def test_sendfax_application_events_follow_res_fax(rig: Rig) -> None:
    """Originate Application=SendFAX: OriginateResponse names the application,
    then FAXStatus (option s) and SendFAX with PagesTransferred and FileName."""
    from cti.ami import Action

    events = rig.cti.client.subscribe("OriginateResponse", "FAXStatus", "SendFAX")
    action = Action.build(
        "Originate", Channel=CHANNEL, Application="SendFAX", Data="/f/a.tif&/f/b.tif,s"
    )
    rig.emu.fax_results[CHANNEL] = FaxResult(pages=2)

    result = await rig.cti.client.originate(action)
    got = [await events.get() for _ in range(3)]

    assert result.ok and result.event.get("Application") == "SendFAX"
    assert [e.name for e in got] == ["OriginateResponse", "FAXStatus", "SendFAX"]
    assert got[1].get("Status") == "FAX Transmission In Progress"
    assert got[2].get("PagesTransferred") == "2"
    assert got[2].get_all("FileName") == ["/f/a.tif", "/f/b.tif"]
    assert got[2].get("Channel").startswith(CHANNEL + "-")
