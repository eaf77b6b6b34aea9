"""Every team's tools as one MCP server: ``python -m orchestrator.mcp`` (stdio) or ``--http`` (streamable HTTP
on 127.0.0.1:8765 at ``/mcp``), backed by the tool gateway workflow (``orchestrator.gateway_workflow``), so each
``tools/call`` is one durable call through Nexus with the agent's idempotency, breakers, timeouts and approvals.

- ``settings``: what a run is told (command line, ``ORCHESTRATOR_TASK_QUEUE``, ``AGENT_USER_TOKEN``).
- ``catalog_watch``: the tools the server lists, and ``notifications/tools/list_changed`` when they change.
- ``calls``: one ``tools/call`` as one gateway call; its idempotency key and its result.
- ``approval``: a call that waits for a person's yes, asked through MCP elicitation or explained.
- ``decisions``: ``python -m orchestrator.mcp approve|deny <call id>``.
- ``server``: the MCP server itself, over stdio or HTTP.
"""
