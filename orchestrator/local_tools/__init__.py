"""The orchestrator's own tools, run as activities on its worker: ``calculator`` and ``weather``.

They are declared with the same kit as the remote teams' tools (``shared.kit.Tool``), so their JSON Schemas,
timeouts and failure handling follow the same rules.
"""

from orchestrator.local_tools.declarations import LOCAL_TOOLS

__all__ = ["LOCAL_TOOLS"]
