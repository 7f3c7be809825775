"""CTI adapter: the link between Asterisk's queues and the agents' desktops.

``cti.ami`` is the foundation: the Asterisk Manager Interface wire protocol
(sans-IO parser, action framing), an asyncio client that survives restarts,
and an emulated Asterisk peer for tests. The CTI domain (agents, queues,
statistics, staff, HTTP and WebSocket) sits above it and talks to Asterisk
only through :class:`cti.ami.AMIClient`.
"""
