"""The call flow: ``menus.yaml`` checked into typed nodes, and run on a channel.

Layers, bottom up: ``yamlpos`` (YAML with positions), ``model`` (frozen
values), ``calendar`` (working days), ``problems``/``*_reader``/``checker``
(load and check; ``options_reader`` for menu keys and campaign items,
``phrases``/``prompt_check`` for the catalog and the norm's Annex 2),
``agent_call`` (screen-pop variables, the survey), ``ticket_model``,
``ticket_reader`` and ``desk_call``/``message_nodes``/``desk_nodes`` (the
voice message, complaint, ticket status and fax nodes over an
``ivr.tickets.TicketDesk``), ``query_*`` (the self-service query node:
model, reader, runner), ``interpreter`` (run a
flow on an ``ivr.channel.Channel``), ``check_cli`` (the ``ivr check``
command) and ``graph``/``graph_svg``/``graph_cli`` (the ``ivr graph``
picture).
"""

from ivr.flow.agent_call import SurveySink
from ivr.flow.calendar import WorkCalendar
from ivr.flow.check_cli import check_main
from ivr.flow.checker import KnownQueries, flow_version, load_flow
from ivr.flow.fax_check import check_fax_documents
from ivr.flow.interpreter import FlowRunner
from ivr.flow.model import (
    AnnouncementNode,
    CalendarOverride,
    CampaignOption,
    Defaults,
    Flow,
    GoodbyeNode,
    GreetingNode,
    HoursNode,
    MenuNode,
    Node,
    QueueNode,
    Settings,
    SurveyNode,
    TimeRange,
)
from ivr.flow.problems import Problem, Severity
from ivr.flow.query_model import QueryNode, SpokenField

__all__ = [
    "AnnouncementNode",
    "CalendarOverride",
    "CampaignOption",
    "Defaults",
    "Flow",
    "FlowRunner",
    "GoodbyeNode",
    "GreetingNode",
    "HoursNode",
    "KnownQueries",
    "MenuNode",
    "Node",
    "Problem",
    "QueryNode",
    "QueueNode",
    "Settings",
    "Severity",
    "SpokenField",
    "SurveyNode",
    "SurveySink",
    "TimeRange",
    "WorkCalendar",
    "check_fax_documents",
    "check_main",
    "flow_version",
    "load_flow",
]
