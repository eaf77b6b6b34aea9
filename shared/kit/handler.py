"""The Nexus handler of ``ToolService``, the same for every team: it serves the team's catalog and starts
the tool workflow for each call."""

from __future__ import annotations

from nexusrpc.handler import StartOperationContext, service_handler, sync_operation
from temporalio import nexus
from temporalio.common import WorkflowIDReusePolicy

from shared.contract import (
    ExecuteToolInput,
    ExecuteToolOutput,
    ListToolsInput,
    ListToolsOutput,
    ToolService,
)
from shared.kit.caller_check import current_asker
from shared.kit.team import ToolTeam
from shared.kit.tool_workflow import ToolWorkflow


def tool_workflow_id(team: str, tool: str, call_id: str) -> str:
    """Derived from the caller's call id: a retried start (same Nexus request id) finds the run it started,
    and the same call presented again in another request is refused, so nothing runs twice."""
    return f"{team}-{tool}-{call_id}"


@service_handler(service=ToolService)
class ToolServiceHandler:
    """Implements ``ToolService`` for one team."""

    def __init__(self, team: ToolTeam) -> None:
        self._team = team

    @sync_operation
    async def list_tools(self, ctx: StartOperationContext, input: ListToolsInput) -> ListToolsOutput:
        return self._team.catalog_for(current_asker())

    @nexus.workflow_run_operation
    async def execute_tool(
        self, ctx: nexus.WorkflowRunOperationContext, input: ExecuteToolInput
    ) -> nexus.WorkflowHandle[ExecuteToolOutput]:
        request = self._team.prepare(input, current_asker())
        return await ctx.start_workflow(
            ToolWorkflow.run,
            request,
            id=tool_workflow_id(self._team.name, request.tool, request.call_id),
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            request_eager_start=True,  # its first task goes straight to this worker
        )
