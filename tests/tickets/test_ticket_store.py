"""The ticket store on SQLite and PostgreSQL: idempotent writes, transitions,
reads for callers and staff, the views log, listing and the overdue report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from ticket_rig import SHANGHAI, T0, entry, later, migrated_engine, store_on

from ivr.tickets.errors import (
    RecordingExpiredError,
    TicketAccessError,
    TicketNotFoundError,
    TicketStateError,
)
from ivr.tickets.models import TicketFilter, Viewer
from ivr.tickets.store import TicketStore

AGENT = Viewer("wang", "agent")


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """A migrated engine on each database."""
    engine = await migrated_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def store(engine: AsyncEngine) -> TicketStore:
    """The ticket store under test."""
    return store_on(engine)


async def test_pending_and_complete_write_once(store: TicketStore) -> None:
    """Begin and complete twice each: one row, one set of parts, events once."""
    first = entry("1226031000001")
    parts = [("message", "/rec/2026-03-10/1226031000001-message", 12.5)]

    inserted = [await store.insert_pending(first, T0) for _ in range(2)]
    completed = [await store.complete(first, parts, later(0.1)) for _ in range(2)]

    ticket = await store.get(first.number, AGENT, later(1))
    assert inserted == [True, False]
    assert completed == [True, False]
    assert ticket.state == "new"
    assert [p.part for p in ticket.recordings] == ["message"]
    assert ticket.caller is None
    actions = [e["action"] for e in await store.events(first.number)]
    assert actions == ["begin", "complete"]


async def test_complete_without_pending_inserts_it(store: TicketStore) -> None:
    """A completion whose begin went to the spool still stores the ticket."""
    first = entry("1226031000002")

    assert await store.complete(first, [("message", "/r/x", 3.0)], T0)

    status = await store.status(first.number, caller_hash="hash")
    assert status is not None and status.state == "new"


async def test_discard_hides_from_callers(store: TicketStore) -> None:
    """A discarded ticket is unknown to callers; a late completion (a call
    longer than the grace period) revives it; a completed one is not
    discarded."""
    first = entry("1226031000003")
    await store.insert_pending(first, T0)

    assert await store.discard(first, "lost: no recording", T0)
    assert not await store.discard(first, "lost: no recording", T0)
    hidden = await store.status(first.number, caller_hash="hash")
    assert await store.complete(first, [("message", "/r/late", 7.0)], later(1))

    assert hidden is None
    status = await store.status(first.number, caller_hash="hash")
    assert status is not None and status.state == "new"
    with pytest.raises(TicketStateError, match="new: cannot discard"):
        await store.discard(first, "too short", later(2))


async def test_status_tells_a_caller_only_their_ticket(store: TicketStore) -> None:
    """Status has state, deadline (local day) and a recorded reply prompt."""
    first = entry("1226031000004")
    await store.complete(first, [("message", "/r/a", 5.0)], T0)
    await store.reply(first.number, "recorded", "/replies/a", "wang", later(2))

    status = await store.status(first.number, caller_hash="hash")

    assert status is not None
    assert status.state == "replied"
    assert status.deadline.day == date(2026, 3, 13)
    assert status.deadline.at.tzinfo == SHANGHAI
    assert status.replied_prompt == "/replies/a"
    assert await store.status("1226031000099") is None


async def test_a_ticket_is_unknown_to_other_callers(
    store: TicketStore,
) -> None:
    """Another number's hash, or none (no caller ID), learns nothing of the
    ticket: not its state, deadline or reply (norm art. 25)."""
    first = entry("1226031000004")
    await store.complete(first, [("message", "/r/a", 5.0)], T0)
    await store.reply(first.number, "recorded", "/replies/a", "wang", later(2))

    other = await store.status(first.number, caller_hash="another-hash")
    unknown = await store.status(first.number)

    assert (other, unknown) == (None, None)


async def test_lifecycle_and_illegal_transitions(store: TicketStore) -> None:
    """Claim, forward, reply, close; closing twice and pending claims fail."""
    first = entry("1226031000005")
    await store.insert_pending(first, T0)
    assert await store.claim_next("wang", None, T0) is None
    await store.complete(first, [], T0)

    claimed = await store.claim_next("wang", {"pension"}, later(1))
    forwarded = await store.forward(first.number, "pension-office", 2, "wang", later(1))
    await store.reply(first.number, "callback", "", "wang", later(2))
    closed = await store.close(first.number, "wang", later(3))

    assert claimed is not None and claimed.assigned_to == "wang"
    assert forwarded.department == "pension-office"
    assert forwarded.department_deadline_at is not None
    assert forwarded.department_deadline_at.astimezone(SHANGHAI).date() == date(
        2026, 3, 12
    )
    assert closed.state == "closed"
    with pytest.raises(TicketStateError, match="closed: cannot close"):
        await store.close(first.number, "wang", later(4))
    with pytest.raises(TicketNotFoundError):
        await store.close("1226031000098", "wang", later(4))
    actions = [e["action"] for e in await store.events(first.number)]
    assert actions == ["begin", "complete", "claim", "forward", "reply", "close"]


async def test_claim_respects_areas(store: TicketStore) -> None:
    """An agent gets only tickets of their areas; none with no areas."""
    await store.complete(entry("1226031000006", area="injury"), [], T0)

    assert await store.claim_next("li", {"pension"}, T0) is None
    assert await store.claim_next("li", set(), T0) is None
    claimed = await store.claim_next("li", {"injury"}, T0)
    assert claimed is not None and claimed.number == "1226031000006"


async def test_caller_number_only_with_a_logged_view(store: TicketStore) -> None:
    """Revealing the caller logs a view; a non-staff role is refused."""
    first = entry("1226031000007")
    await store.complete(first, [("message", "/r/b", 4.0)], T0)

    shown = await store.get(first.number, AGENT, later(1), reveal_caller=True)
    part = await store.recording(first.number, "message", AGENT, later(1), 180)

    assert shown.caller == "13800138000"
    assert part.path == "/r/b"
    views = await store.views(first.number)
    assert [(v["username"], v["what"]) for v in views] == [
        ("wang", "caller"),
        ("wang", "recording:message"),
    ]
    with pytest.raises(TicketAccessError):
        await store.get(first.number, Viewer("x", "guest"), T0, reveal_caller=True)
    with pytest.raises(RecordingExpiredError):
        await store.recording(first.number, "message", AGENT, T0 + timedelta(181), 180)
    assert len(await store.views(first.number)) == 2


async def test_sweep_list_and_report(store: TicketStore) -> None:
    """Past the deadline, open tickets turn overdue once; replied ones do not."""
    late, answered = entry("1226031000008"), entry("1226031000009")
    for ticket in (late, answered):
        await store.complete(ticket, [], T0)
    await store.reply(answered.number, "callback", "", "wang", later(2))
    after = T0 + timedelta(days=4)

    marked = await store.sweep_overdue(after)
    again = await store.sweep_overdue(after)
    page = await store.list_tickets(TicketFilter(overdue=True), after)
    report = await store.overdue_report(date(2026, 3, 16))

    assert [t.number for t in marked] == [late.number]
    assert again == []
    assert [t.number for t in page.items] == [late.number] and page.total == 1
    assert [row[0] for row in report.rows] == [late.number]
    assert report.rows[0][6] == "3"
    assert report.csv().splitlines()[0].startswith("number,kind,area,state")
    assert "13800138000" not in report.csv()


async def test_list_filters_and_pages(store: TicketStore) -> None:
    """Filters by kind and date range; pages split the total."""
    for index in range(5):
        kind = "complaint" if index % 2 else "message"
        await store.complete(entry(f"12260310001{index:02d}", kind=kind), [], T0)

    complaints = await store.list_tickets(TicketFilter(kind="complaint"), T0)
    second = await store.list_tickets(TicketFilter(), T0, page=2, page_size=2)
    none = await store.list_tickets(TicketFilter(saved_from=later(1)), T0)

    assert complaints.total == 2
    assert second.total == 5 and len(second.items) == 2
    assert none.total == 0


async def test_forwarded_ticket_late_for_its_department(store: TicketStore) -> None:
    """A department deadline passing makes a forwarded ticket overdue, which
    an agent may still reply to and close."""
    first = entry("1226031000010")
    await store.complete(first, [], T0)
    await store.forward(first.number, "injury-office", 1, "li", T0)

    marked = await store.sweep_overdue(T0 + timedelta(days=2))
    replied = await store.reply(first.number, "callback", "", "li", later(50))

    assert [t.number for t in marked] == [first.number]
    assert marked[0].overdue_at is not None
    assert replied.state == "replied"


async def test_overdue_unassigned_ticket_can_be_claimed(store: TicketStore) -> None:
    """An overdue ticket nobody holds is claimed first (earliest deadline)."""
    old, fresh = entry("1226031000011"), entry("1226031000012")
    await store.complete(old, [], T0)
    await store.sweep_overdue(T0 + timedelta(days=4))
    await store.complete(fresh, [], T0 + timedelta(days=4))

    claimed = await store.claim_next("wang", None, T0 + timedelta(days=4))

    assert claimed is not None
    assert (claimed.number, claimed.state) == (old.number, "assigned")


async def test_report_leaves_out_tickets_settled_on_earlier_days(
    store: TicketStore,
) -> None:
    """Replied late on Monday: in Monday's report, not in Tuesday's."""
    first = entry("1226031000013")
    await store.complete(first, [], T0)
    monday = T0 + timedelta(days=6)
    await store.reply(first.number, "callback", "", "wang", monday)

    on_monday = await store.overdue_report(date(2026, 3, 16))
    on_tuesday = await store.overdue_report(date(2026, 3, 17))

    assert [row[0] for row in on_monday.rows] == [first.number]
    assert on_tuesday.rows == ()


async def test_fax_sent_is_the_reply_and_autofax_is_not_claimed(
    store: TicketStore,
) -> None:
    """A queued fax is the sender's, not an agent's; sending replies to it."""
    fax = replace(entry("1226031000014", kind="fax"), fax_state="queued")
    assert await store.request(fax, T0)

    claimed = await store.claim_next("wang", None, T0)
    waiting = await store.list_tickets(TicketFilter(fax_state="queued"), T0)
    failed = await store.record_fax(fax.number, False, "NO CARRIER", later(1))
    sent = await store.record_fax(fax.number, True, "OK", later(2))

    assert claimed is None
    assert [t.number for t in waiting.items] == [fax.number]
    assert (failed.fax_state, failed.fax_attempts, failed.state) == ("failed", 1, "new")
    assert (sent.fax_state, sent.fax_attempts) == ("sent", 2)
    assert (sent.state, sent.reply_kind) == ("replied", "fax")
    with pytest.raises(TicketStateError, match="send a fax"):
        await store.record_fax(fax.number, True, "OK", later(3))


async def test_bad_reply_kinds_are_refused(store: TicketStore) -> None:
    """A reply kind outside the list, or a recorded reply without a file, fails."""
    first = entry("1226031000015")
    await store.complete(first, [], T0)

    with pytest.raises(ValueError, match="reply kind"):
        await store.reply(first.number, "email", "", "wang", T0)
    with pytest.raises(ValueError, match="needs the path"):
        await store.reply(first.number, "recorded", "", "wang", T0)
