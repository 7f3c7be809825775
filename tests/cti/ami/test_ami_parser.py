"""The sans-IO parser on every ami, queue and voicemail field case."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from ami_field_cases import field_cases, transcript_path, wire_bytes

from cti.ami import AMIParser, Banner, Message, MessageKind
from cti.ami.replay import load_transcript
from cti.ami.replies import OriginateResult


def parse(data: bytes, **options: str) -> list[Banner | Message]:
    """Feed ``data`` in one piece and end the stream."""
    parser = AMIParser(**options)
    items = parser.feed(data)
    parser.feed_eof()
    return items


def messages(data: bytes, **options: str) -> list[Message]:
    """Parse and keep the messages only."""
    return [item for item in parse(data, **options) if isinstance(item, Message)]


def check_f17(found: list[Message]) -> None:
    ok, failed = found
    assert ok.succeeded and ok.command_output() == (
        "key  : /family1/key1\n\nkey  : /family2/key2\n"
    )
    assert not failed.succeeded
    assert failed.command_output().startswith("No such command 'core show hi'")


def check_f19(found: list[Message]) -> None:
    dial, bridge = found
    assert dial.variables() == {"CDR(dst)": "200", "CUSTOMER_ID": "abc"}
    assert dial.variables("DestChanVariable") == {"CDR(dst)": "200", "EMPTYVAR": ""}
    assert bridge.variables_by_channel() == {
        "SIP/trunk-0000a194": {"CDR(linkedid)": "1469111531.131272", "CDR(dst)": "200"},
        "Local/200@from-queue-0000af99;1": {
            "CDR(linkedid)": "1469111531.131272",
            "CDR(dst)": "200",
        },
    }


def check_f21(found: list[Message]) -> None:
    (event,) = found
    header = event.header("CallerIDName")
    assert header is not None
    assert header.raw == b"\xd2\xe5\xf1\xf2 \xc8\xec\xff"
    assert event.get("Uniqueid") == "1484800000.1"


def check_f22(found: list[Message]) -> None:
    reply, event = found
    assert reply.is_response and reply.action_id == "orig-1"
    assert event.kind is MessageKind.EVENT and event.name == "OriginateResponse"
    result = OriginateResult(event)
    assert (result.ok, result.reason, result.uniqueid) == (False, "busy", None)


def check_f23(found: list[Message]) -> None:
    assert [m.kind for m in found] == [MessageKind.EVENT] * 2 + [MessageKind.RESPONSE]
    assert found[2].get("Message") == "Originate failed"


def check_f25(found: list[Message]) -> None:
    assert [m.name for m in found] == [
        "Success",
        "Newexten",
        "QueueParams",
        "QueueStatusComplete",
    ]
    assert found[0].list_start and found[3].list_complete
    assert found[1].action_id is None


def check_f26(found: list[Message]) -> None:
    denied, accepted = found
    assert denied.get("Message") == "Permission denied" and accepted.succeeded


def check_f27(found: list[Message]) -> None:
    (failed,) = found
    assert not failed.succeeded and failed.get("Message") == "Authentication failed"


def check_f29(found: list[Message]) -> None:
    (event,) = found
    assert (event.name, event.get("Restart")) == ("Shutdown", "True")


def check_f30(found: list[Message]) -> None:
    assert found == []


def check_f31(found: list[Message]) -> None:
    (event,) = found
    assert event.get("UserEvent") == "Two"
    assert event.extra == ("Body", " with", " XXXXXXXXXXXX")


def check_f33(found: list[Message]) -> None:
    assert [m.action_id for m in found] == [None, None]
    assert all(m.is_response and not m.succeeded for m in found)


def check_f34(found: list[Message]) -> None:
    assert [(m.get("Paused"), m.get("PausedReason")) for m in found] == [
        ("1", "Pause1"),
        ("0", ""),
    ]
    assert "PausedReason" in found[1]


def check_f35(found: list[Message]) -> None:
    assert [m.name for m in found] == [
        "Join",
        "AgentCalled",
        "QueueCallerJoin",
        "AgentCalled",
    ]
    assert found[1].get("ChannelCalling") == "SIP/trunk-00000001"
    assert found[3].get("Interface") == "PJSIP/203"


def check_f37(found: list[Message]) -> None:
    assert [m.name for m in found] == [
        "QueueMemberAdded",
        "AgentCalled",
        "QueueMemberPause",
    ]


def check_f39(found: list[Message]) -> None:
    assert [m.name for m in found] == [
        "QueueCallerJoin",
        "QueueCallerAbandon",
        "QueueCallerLeave",
    ]
    assert found[1].get("HoldTime") == "42"


def check_f40(found: list[Message]) -> None:
    (event,) = found
    assert (event.name, event.get("New"), event.get("Waiting")) == (
        "MessageWaiting",
        "-1",
        "1",
    )


def check_f42(found: list[Message]) -> None:
    (reply,) = found
    assert reply.get("UrgMessages") == "0" and reply.get("Mailbox") == "9999@default"


CHECKS: dict[str, Callable[[list[Message]], None]] = {
    name.removeprefix("check_").upper(): check
    for name, check in dict(globals()).items()
    if name.startswith("check_f")
}


@pytest.mark.parametrize("case", field_cases(), ids=lambda case: case["id"])
def test_field_case_parses(case: dict[str, str]) -> None:
    """Every AMI-side field case parses without loss and meets its expectation."""
    data = wire_bytes(case["id"])

    found = messages(data)

    assert case["id"] in CHECKS, "every case needs its own check"
    CHECKS[case["id"]](found)
    assert all(m.kind is not MessageKind.UNKNOWN for m in found)


@pytest.mark.parametrize("case", field_cases(), ids=lambda case: case["id"])
def test_field_case_in_one_byte_chunks(case: dict[str, str]) -> None:
    """Framing does not depend on how TCP cuts the stream."""
    data = wire_bytes(case["id"])
    parser = AMIParser()

    found = [item for i in range(len(data)) for item in parser.feed(data[i : i + 1])]

    assert found == parse(data)


def test_f21_fallback_codec_decodes_cp1251() -> None:
    """A configured fallback codec decodes non-UTF-8 values (F21)."""
    (event,) = messages(wire_bytes("F21"), fallback_encoding="cp1251")

    assert event.get("CallerIDName") == "Тест Имя"


def test_f21_utf8_value_is_not_garbled() -> None:
    """UTF-8 is tried first, so real UTF-8 names stay intact."""
    data = "Event: Newchannel\r\nCallerIDName: 张三\r\n\r\n".encode()

    (event,) = messages(data, fallback_encoding="cp1251")

    assert event.get("CallerIDName") == "张三"


def test_f30_partial_message_is_returned_at_eof() -> None:
    """The cut message is discarded at EOF and handed back for the log (F30)."""
    parser = AMIParser()

    assert parser.feed(wire_bytes("F30")) == []
    assert parser.feed_eof() == wire_bytes("F30")


def test_legacy_follows_command_output() -> None:
    """The pre-14 'Response: Follows' form keeps blank and ':' lines (F18)."""
    data = (
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\n"
        b"key  : /family1/key1\n\nUptime: 5 min\n--END COMMAND--\r\n\r\n"
        b"Event: Ping\r\n\r\n"
    )

    reply, after = messages(data)

    assert reply.action_id == "c1" and reply.succeeded
    assert reply.command_output() == "key  : /family1/key1\n\nUptime: 5 min"
    assert after.name == "Ping"


def test_banner_only_at_stream_start() -> None:
    """The banner is read from the first line; later it is an ordinary line."""
    items = parse(b"Asterisk Call Manager/11.0.0\r\nEvent: A\r\n\r\n")

    assert items[0] == Banner("11.0.0", b"Asterisk Call Manager/11.0.0")
    assert isinstance(items[1], Message) and items[1].name == "A"


def test_ami_events_transcript_in_random_chunks() -> None:
    """The whole recorded session parses the same however it is cut."""
    stream = b"".join(
        r.data
        for r in load_transcript(transcript_path("ami-events.jsonl"))
        if r.direction == "in"
    )
    parser = AMIParser()
    cuts = sorted(random.Random(5).sample(range(len(stream)), 400))

    pieces = [
        stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)
    ]
    found = [item for piece in pieces for item in parser.feed(piece)]

    assert found == parse(stream)
    assert isinstance(found[0], Banner) and found[0].version == "11.0.0"
    kinds = {item.kind for item in found[1:] if isinstance(item, Message)}
    assert kinds == {MessageKind.EVENT, MessageKind.RESPONSE}
    assert (
        b"".join(item.raw for item in found[1:] if isinstance(item, Message))
        == (stream[len(b"Asterisk Call Manager/11.0.0\r\n") :])
    )
