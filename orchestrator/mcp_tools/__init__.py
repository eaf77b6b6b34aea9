"""External MCP servers' tools for the agent: which servers the worker is told of (``settings``), a session
with one (``client``), and the activities that list and call their tools (``activities``). The activities'
names and models (``activity_types``) import nothing of the MCP SDK, so the workflow can use them."""
