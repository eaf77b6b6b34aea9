"""The orchestrator team: a durable LLM agent (``AgentWorkflow``, namespace ``default``) that finds the
other teams' tools through Nexus ``list_tools`` and calls them through ``execute_tool``."""
