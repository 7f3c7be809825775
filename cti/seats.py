"""What agents and supervisors do to seats and calls, through AMI.

Every function acts on one agent's seat as :class:`~cti.state.LiveState`
knows it; the web layer has already checked that the person may act on
that seat. Logging in adds the member paused then unpauses it (field case
F37); not ready pauses it with the reason, which is remembered because the
unpause event carries none (F34). Hang-up and transfer touch only the
channels of the seat's own current call.
"""

from __future__ import annotations

import logging

from cti import commands
from cti.ami import AMIClient, ConnectionState
from cti.errors import AMIUnavailableError, SeatError
from cti.service import CTIService
from cti.staff import StaffMember
from cti.state import NOT_READY_REASONS, Seat

__all__ = ["Seats"]

logger = logging.getLogger("cti.seats")

_LOGIN_REASON = "logging in"


class Seats:
    """Agent and supervisor actions on a running :class:`CTIService`."""

    def __init__(self, service: CTIService) -> None:
        self.service = service

    def _ready_client(self) -> AMIClient:
        client = self.service.client
        if client.state is not ConnectionState.READY:
            raise AMIUnavailableError(f"AMI is {client.state.value}; try again")
        return client

    async def log_in(self, agent: StaffMember, queues: list[str]) -> list[str]:
        """Join the agent's skill queues (or the ``queues`` asked, if skills)."""
        foreign = [q for q in queues if q not in agent.skills]
        if foreign:
            raise SeatError(
                f"not among agent {agent.agent_number}'s skills: {', '.join(foreign)}"
                f" (skills: {', '.join(agent.skills) or 'none'})"
            )
        wanted = queues or agent.skills
        if not wanted:
            raise SeatError(f"agent {agent.agent_number} has no skill queue")
        if not agent.interface:
            raise SeatError(f"agent {agent.agent_number} has no phone interface")
        client = self._ready_client()
        self.service.state.directory[agent.interface] = agent.agent_number
        for queue in wanted:
            action = commands.queue_add(
                queue, agent.interface, agent.agent_number, _LOGIN_REASON
            )
            await client.send_action(action)
        await client.send_action(commands.queue_pause(agent.interface, False))
        logger.info("agent %s logged in to %s", agent.agent_number, ",".join(wanted))
        return list(wanted)

    async def log_out(self, agent: StaffMember) -> None:
        """Leave every queue the seat is in (norm art. 20: off duty)."""
        client = self._ready_client()
        seat = self._seat(agent)
        for queue in list(seat.paused):
            await client.send_action(commands.queue_remove(queue, seat.interface))
        logger.info("agent %s logged out", agent.agent_number)

    async def ready(self, agent: StaffMember) -> None:
        """Unpause the seat in every queue."""
        seat = self._seat(agent)
        await self._ready_client().send_action(
            commands.queue_pause(seat.interface, False)
        )

    async def not_ready(self, agent: StaffMember, reason: str) -> None:
        """Pause the seat with a reason: break, training or closed seat."""
        if reason not in NOT_READY_REASONS:
            known = ", ".join(NOT_READY_REASONS)
            raise SeatError(f"reason must be one of {known}, not {reason!r}")
        seat = self._seat(agent)
        seat.reason = reason
        await self._ready_client().send_action(
            commands.queue_pause(seat.interface, True, reason)
        )

    async def hang_up(self, agent: StaffMember) -> None:
        """Hang up the agent's own channel of their current call."""
        seat = self._call_seat(agent)
        await self._ready_client().send_action(commands.hangup(seat.channel))

    async def transfer(self, agent: StaffMember, exten: str, attended: bool) -> None:
        """Transfer the current call to ``exten`` in the transfer context."""
        seat = self._call_seat(agent)
        context = self.service.options.transfer_context
        if attended:
            action = commands.attended_transfer(seat.channel, exten, context)
        else:
            action = commands.blind_transfer(seat.caller_channel, exten, context)
        await self._ready_client().send_action(action)

    async def spy(self, supervisor: StaffMember, agent: str, mode: str) -> str:
        """Ring the supervisor's phone into the agent's call (ChanSpy)."""
        if mode not in commands.SPY_OPTIONS:
            raise SeatError(f"mode must be one of {', '.join(commands.SPY_OPTIONS)}")
        if not supervisor.interface:
            raise SeatError("the supervisor has no phone interface")
        seat = self.service.state.seat_of(agent)
        if seat is None or not seat.call or not seat.channel:
            raise SeatError(f"agent {agent} is not on a call")
        action = commands.spy(supervisor.interface, seat.channel, mode, agent)
        result = await self._ready_client().originate(action)
        logger.info(
            "%s %s on agent %s: %s", supervisor.username, mode, agent, result.reason
        )
        return result.reason

    async def urgent(self, supervisor: StaffMember, agent: str) -> dict[str, str]:
        """Flag the agent's call urgent and barge the supervisor in."""
        seat = self.service.state.seat_of(agent)
        if seat is None or not seat.call:
            raise SeatError(f"agent {agent} is not on a call")
        uniqueid = seat.call
        await self.service.calls.flag_urgent(uniqueid, supervisor.username)
        await self.service.calls.alert(
            "urgent", self.service.now(), agent_number=agent, uniqueid=uniqueid
        )
        self.service.hub.to_supervisors(
            {"type": "alert", "kind": "urgent", "agent": agent, "uniqueid": uniqueid}
        )
        outcome = await self.spy(supervisor, agent, "barge")
        return {"uniqueid": uniqueid, "barge": outcome}

    def _seat(self, agent: StaffMember) -> Seat:
        seat = self.service.state.seats.get(agent.interface)
        if seat is None or not seat.paused:
            raise SeatError(f"agent {agent.agent_number} is not logged in")
        return seat

    def _call_seat(self, agent: StaffMember) -> Seat:
        seat = self._seat(agent)
        if not seat.call or not seat.channel:
            raise SeatError(f"agent {agent.agent_number} is not on a call")
        return seat
