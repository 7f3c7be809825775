"""Why the AMI layer is our own code: panoramisk 1.4 on the AMI field cases.

Each test feeds field-case bytes to panoramisk (``message.Message``,
``ami_protocol.AMIProtocol``, ``actions.Action``, ``manager.Manager``) on
Python 3.11 and asserts what it does. Tests named ``..._serves`` record
what works; the others assert a shortcoming, so they fail if upstream fixes
it and docs/ami-libraries.md should be revisited.
"""

from __future__ import annotations

import asyncio
import codecs
import json
from typing import Any

import pytest
from panoramisk import actions
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.manager import Manager
from panoramisk.message import Message
from shared_material import shared_dir


def case_bytes(case_id: str) -> bytes:
    """A field case's wire input as bytes."""
    cases = json.loads((shared_dir() / "field-cases" / "cases.json").read_text())
    (case,) = [case for case in cases if case["id"] == case_id]
    data: bytes = codecs.escape_decode(case["wire_input"].encode("ascii"))[0]
    return data


class FakeTransport:
    """Collects what the protocol writes."""

    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        """Nothing to close."""


class FakeFactory:
    """Stands in for the Manager: records dispatched events and losses."""

    forgetable_actions = ("ping", "login")

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.awaiting_actions: list[Any] = []
        self.lost: list[Any] = []

    def dispatch(self, message: Any) -> None:
        self.events.append(message)

    def connection_lost(self, exc: Any) -> None:
        self.lost.append(exc)


def protocol() -> tuple[Any, FakeTransport, FakeFactory]:
    """An AMIProtocol on fakes, as Manager.connection_made wires it."""
    proto, transport, factory = AMIProtocol(), FakeTransport(), FakeFactory()
    proto.connection_made(transport)
    proto.factory = factory
    return proto, transport, factory


def test_f21_non_utf8_caller_name_is_silently_erased() -> None:
    """F21: bytes are decoded with errors='ignore'; the cp1251 name is gone."""
    proto, _, factory = protocol()

    proto.data_received(case_bytes("F21"))

    assert factory.events[0]["CallerIDName"].strip() == ""


def test_f31_userevent_body_lines_are_lost() -> None:
    """F31: lines without ': ' are dropped; content stays empty."""
    proto, _, factory = protocol()

    proto.data_received(case_bytes("F31"))

    assert factory.events[0].content == ""
    assert "Body" not in str(dict(factory.events[0]))


def test_f17_repeated_output_serves_but_type_depends_on_count() -> None:
    """F17: repeated Output become a list, but a single one is a bare str."""
    first, second = case_bytes("F17").decode().split("\r\n\r\n")[:2]

    many, one = Message.from_line(first), Message.from_line(second)

    assert many["Output"][0] == "key  : /family1/key1"
    assert isinstance(one["Output"], str)


def test_f18_legacy_follows_keeps_the_end_marker_in_content() -> None:
    """F18: the legacy form's content still ends with '--END COMMAND--'."""
    text = "Response: Follows\r\nActionID: c1\r\nline\n--END COMMAND--"

    message = Message.from_line(text)

    assert message.content.endswith("--END COMMAND--")


async def test_f33_error_without_action_id_leaves_the_action_hanging() -> None:
    """F33: an Error without ActionID is neither matched nor dispatched."""
    proto, _, factory = protocol()
    future = proto.send({"Action": "Originate", "Channel": "Local/1@x"})

    proto.data_received(case_bytes("F33"))

    assert not future.done() and factory.events == []


async def test_f33_no_line_length_or_crlf_check_on_actions() -> None:
    """F33: a 2000-byte line is sent, and CR/LF in a value injects a header."""
    long_line = str(actions.Action({"Action": "Originate", "Variable": "x" * 2000}))
    injected = str(actions.Action({"Action": "Setvar", "Value": "a\r\nAction: Hangup"}))

    assert max(len(line) for line in long_line.split("\r\n")) > 1022
    assert "\r\nAction: Hangup\r\n" in injected


async def test_f25_action_ids_and_interleaved_events_serve() -> None:
    """F25: IDs are uuid + counter; an untagged event is dispatched, not swallowed."""
    proto, _, factory = protocol()
    action = actions.Action({"Action": "QueueStatus", "ActionID": "1646742257604"})
    future = proto.send(action, as_list=None)  # as Manager.send_action does

    proto.data_received(case_bytes("F25"))

    assert [m.event for m in future.result()[1:]] == [
        "QueueParams",
        "QueueStatusComplete",
    ]
    assert [m.event for m in factory.events] == ["Newexten"]


async def test_f26_actions_are_sent_before_login() -> None:
    """F26: Manager.send_action writes while not authenticated; nothing holds it."""
    manager = Manager(username="u", secret="s")
    proto, transport, _ = protocol()
    manager.protocol = proto

    manager.send_action({"Action": "Ping"})

    assert manager.authenticated is False
    assert transport.written and transport.written[0].startswith(b"Action: Ping")


async def test_f27_reconnect_has_a_fixed_delay_and_no_alert() -> None:
    """F27: every loss reconnects after the same 2 s; a wrong secret loops forever."""
    delays: list[float] = []

    class Loop:
        def call_soon(self, *args: Any) -> None:
            """Ignore on_disconnect."""

        def call_later(self, delay: float, *args: Any) -> None:
            delays.append(delay)

    manager = Manager(username="u", secret="wrong", loop=Loop())

    for _ in range(3):
        manager.connection_lost(None)

    assert delays == [2, 2, 2]


async def test_f29_in_flight_actions_are_not_failed_on_loss() -> None:
    """F29: on loss, pending actions are parked for resending, never failed."""
    proto, _, factory = protocol()
    status = proto.send({"Action": "QueueStatus"})
    ping = proto.send({"Action": "Ping"})

    proto.connection_lost(None)

    assert not status.done() and not ping.done()
    assert len(factory.awaiting_actions) == 1


async def test_one_failing_callback_kills_the_connection() -> None:
    """A handler that raises on one event ends the whole AMI connection."""
    ended = asyncio.Event()

    async def asterisk(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        writer.write(b"Event: Odd\r\nPrivilege: call,all\r\n\r\n")
        await reader.read()
        ended.set()
        writer.close()

    server = await asyncio.start_server(asterisk, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    manager = Manager(port=port, reconnect_timeout=3600, ping_delay=3600)
    manager.register_event("Odd", lambda *_: 1 / 0)
    errors: list[Any] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, ctx: errors.append(ctx))

    await manager.connect()
    async with asyncio.timeout(5):
        await ended.wait()
    manager.close()
    server.close()
    await server.wait_closed()

    assert any(isinstance(e.get("exception"), ZeroDivisionError) for e in errors)


@pytest.mark.parametrize("case_id", ["F22", "F23", "F30"])
async def test_cases_where_panoramisk_serves(case_id: str) -> None:
    """F22 async Originate completes, F23 error reply completes, F30 cut dropped."""
    proto, _, factory = protocol()
    action_id = {"F22": "orig-1", "F23": "orig-2"}.get(case_id, "x")
    future = proto.send(
        actions.Action({"Action": "Originate", "Async": "true", "ActionID": action_id})
    )

    proto.data_received(case_bytes(case_id))

    assert future.done() is (case_id != "F30")
    assert all(event.event != "Newexten" for event in factory.events)
