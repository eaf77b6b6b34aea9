"""The kit a tool team builds on: declare tools, get the Nexus handler, the tool workflow and the worker.

A team writes only its tools::

    team = ToolTeam("it", [Tool(name=..., description=..., arguments=ArgsModel, run=impl)])
    await serve_tool_team(team)
"""

from shared.kit.context import current_call
from shared.kit.errors import ToolError
from shared.kit.policy import ActivityPolicy
from shared.kit.serving import build_tool_worker, serve_tool_team
from shared.kit.team import ToolTeam
from shared.kit.tool import Tool

__all__ = [
    "ActivityPolicy",
    "Tool",
    "ToolError",
    "ToolTeam",
    "build_tool_worker",
    "current_call",
    "serve_tool_team",
]
