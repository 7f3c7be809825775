"""Units of the CTI: field-case event shapes, service levels, staff secrets."""

from __future__ import annotations

import argparse
import codecs
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from cti import staff_cli
from cti.ami.parser import AMIParser
from cti.errors import StaffError
from cti.events import normalise
from cti.service_levels import CallFacts, OfferFacts, ServiceLevelPolicy, summarise
from cti.staff import StaffDirectory, hash_password, verify_password
from cti.state import LiveState
from ivr.records import migrate
from ivr.records.schema import cti_sessions, cti_staff

NOW = datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _events(wire: str) -> list[object]:
    data = codecs.escape_decode(wire.encode("ascii"))[0]
    return [normalise(m) for m in AMIParser().feed(data)]  # type: ignore[arg-type]


def _wire(*messages: list[tuple[str, str]]) -> str:
    return "".join(
        "".join(f"{k}: {v}\\r\\n" for k, v in pairs) + "\\r\\n" for pairs in messages
    )


def test_asterisk_11_join_and_agentcalled_are_mapped() -> None:
    """F35: Join/Leave and AgentCalled's old fields read as Asterisk 12+."""
    wire = _wire(
        [
            ("Event", "Join"),
            ("Channel", "SIP/trunk-1"),
            ("Queue", "support"),
            ("Position", "1"),
            ("Count", "1"),
            ("Uniqueid", "1463567210.51331"),
        ],
        [
            ("Event", "AgentCalled"),
            ("Queue", "support"),
            ("AgentCalled", "SIP/203"),
            ("AgentName", "SIP/203"),
            ("ChannelCalling", "SIP/trunk-1"),
            ("DestinationChannel", "SIP/203-0000bf40"),
            ("Uniqueid", "1463567210.51331"),
        ],
    )

    join, called = _events(wire)

    assert join.name == "QueueCallerJoin"  # type: ignore[attr-defined]
    assert called.get("Interface") == "SIP/203"  # type: ignore[attr-defined]
    assert called.get("DestChannel") == "SIP/203-0000bf40"  # type: ignore[attr-defined]
    assert called.get("Channel") == "SIP/trunk-1"  # type: ignore[attr-defined]


def test_unpause_reason_is_remembered_and_ring_before_pause_accepted() -> None:
    """F34 empty PausedReason on unpause; F37 AgentCalled between Add and Pause."""
    member = [
        ("Queue", "markq"),
        ("MemberName", "100"),
        ("Interface", "Local/100@intern"),
    ]
    wire = _wire(
        [("Event", "QueueMemberAdded"), *member, ("Paused", "0"), ("PausedReason", "")],
        [
            ("Event", "AgentCalled"),
            ("Channel", "PJSIP/trunk-30"),
            ("Uniqueid", "1700000010.30"),
            *member,
        ],
        [
            ("Event", "QueueMemberPause"),
            *member,
            ("Paused", "1"),
            ("PausedReason", "break"),
        ],
        [("Event", "QueueMemberPause"), *member, ("Paused", "0"), ("PausedReason", "")],
    )
    state = LiveState(wrapup=30.0)
    seen = []

    for event in _events(wire):
        state.apply(event, 0.0)  # type: ignore[arg-type]
        seat = state.seats["Local/100@intern"]
        seen.append((seat.status(0.0).value, seat.reason))

    assert seen == [
        ("ready", ""),
        ("ringing", ""),
        ("ringing", "break"),
        ("ringing", "break"),
    ]


def test_service_levels_follow_one_definition() -> None:
    """Ring target 3 x (1 + 4) s; T thresholds; short abandons apart."""
    policy = ServiceLevelPolicy()
    calls = [
        CallFacts("1", "q", "h", "answered", 14.0, agent="1001", ring=6.0),
        CallFacts("2", "q", "h", "answered", 50.0, agent="1001", ring=16.0),
        CallFacts("3", "q", "h", "abandoned", 4.9, abandon=4.9),
        CallFacts("4", "q", "h", "abandoned", 30.0, abandon=30.0),
    ]
    offers = [
        OfferFacts("1", "q", "h", "1001", "answered", 15.0),
        OfferFacts("2", "q", "h", "1001", "answered", 16.0),
    ]

    figures = summarise(calls, offers, policy).to_json(policy)

    assert policy.ring_target == 15.0
    assert figures["service_levels"] == {"15": 0.3333, "20": 0.3333, "60": 0.6667}
    assert (figures["short_abandoned"], figures["abandoned"]) == (1, 1)
    assert (figures["answer_rate"], figures["abandon_rate"]) == (0.6667, 0.3333)
    assert figures["ring_answer_rate"] == 0.5
    assert figures["average_speed_of_answer"] == 32.0
    assert ServiceLevelPolicy.parse_thresholds("60, 15,20") == (15, 20, 60)


def test_passwords_are_scrypt_hashed_and_checked() -> None:
    """A stored hash never holds the password and refuses a wrong one."""
    stored = hash_password("秘密-pw")

    assert stored.startswith("scrypt$16384$8$1$")
    assert "秘密-pw" not in stored
    assert verify_password("秘密-pw", stored)
    assert not verify_password("wrong", stored)
    assert not verify_password("秘密-pw", "md5$abc")
    assert hash_password("秘密-pw") != stored


async def test_sessions_store_only_a_hash_expire_and_end_on_reset(
    tmp_path: Path,
) -> None:
    """Tokens are stored hashed; expired ones and those before a reset fail."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'staff.sqlite3'}"
    await migrate(url)
    engine = create_async_engine(url)
    staff = StaffDirectory(engine, session_hours=1.0)
    await staff.add("li", "agent", "pw-li-12345", NOW, agent_number="1001")

    token = await staff.log_in("li", "pw-li-12345", NOW)
    refused = await staff.log_in("li", "nope", NOW)
    live = await staff.authenticate(token or "", NOW + timedelta(minutes=59))
    expired = await staff.authenticate(token or "", NOW + timedelta(minutes=61))
    async with engine.connect() as connection:
        stored = (await connection.execute(select(cti_sessions.c.token_hash))).scalar()
    await staff.set_password("li", "new-pw-12345")
    after_reset = await staff.authenticate(token or "", NOW)
    await engine.dispose()

    assert token is not None and refused is None
    assert live is not None and live.agent_number == "1001"
    assert expired is None and after_reset is None
    assert stored != token and len(stored or "") == 64


async def test_staff_refuses_a_shared_agent_number_and_short_passwords(
    tmp_path: Path,
) -> None:
    """One account per agent number (also in the database); passwords >= 10."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'staff.sqlite3'}"
    await migrate(url)
    engine = create_async_engine(url)
    staff = StaffDirectory(engine)
    await staff.add("li", "agent", "pw-li-12345", NOW, agent_number="1001")
    await staff.add("boss", "supervisor", "pw-boss-123", NOW)
    await staff.add("boss2", "supervisor", "pw-boss-456", NOW)

    with pytest.raises(StaffError, match="'1001' already belongs to 'li'"):
        await staff.add("wang", "agent", "pw-wang-1234", NOW, agent_number="1001")
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(
                insert(cti_staff).values(
                    username="zhao",
                    role="agent",
                    agent_number="1001",
                    skills=[],
                    created_at=NOW,
                )
            )
    with pytest.raises(StaffError, match="at least 10"):
        await staff.add("zhou", "agent", "short", NOW, agent_number="1002")
    with pytest.raises(StaffError, match="at least 10"):
        await staff.set_password("li", "123456789")
    await engine.dispose()


async def test_staff_cli_says_the_agent_number_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ivr staff add`` exits 1 naming the holder of a taken agent number."""
    config = tmp_path / "ivr.yaml"
    config.write_text(
        f"database:\n  url: sqlite+aiosqlite:///{tmp_path}/ivr.sqlite3\n"
        f"flow:\n  path: {ROOT / 'menus.yaml'}\n"
        f"prompts:\n  dir: {ROOT / 'prompts'}\n",
        encoding="utf-8",
    )
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=str(config))
    staff_cli.add_staff_arguments(parser)
    codes = []
    for name in ("li", "wang"):
        monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pw\n"))
        args = parser.parse_args(
            ["add", name, "--agent-number", "1001", "--password-stdin"]
        )
        codes.append(await staff_cli.run_staff(args))
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    short = parser.parse_args(["passwd", "li", "--password-stdin"])
    codes.append(await staff_cli.run_staff(short))

    err = capsys.readouterr().err
    assert codes == [0, 1, 1]
    assert "ivr staff: agent number '1001' already belongs to 'li'" in err
    assert "ivr staff: a password needs at least 10 characters, not 5" in err
