"""The workflow behind ``execute_tool``: runs one tool's activity in the team's namespace.

It is the same for every team. What differs per tool (activity name, timeouts, retries) arrives in its
input, so the workflow holds no team-specific code and its history shows exactly how the tool was run.

It is built for speed, since every remote tool call starts one: it runs outside the workflow sandbox (a new
sandbox per run cost ~50 ms; this code is a few deterministic lines with no I/O), and a tool that does not
heartbeat runs as a local activity on the same worker (no round trip through the server's task queues).
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ConfigDict, Field, JsonValue

    from shared.contract import TOOL_ERROR, TOOL_FAILED, TOOL_UNAVAILABLE, ExecuteToolOutput
    from shared.failures import failure_message, root_cause
    from shared.kit.policy import ActivityPolicy

TOOL_WORKFLOW_NAME = "ToolWorkflow"


class ToolRunRequest(BaseModel):
    """One validated tool call, as the Nexus handler hands it to the tool workflow."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tool: str = Field(description="Tool name; also the name of its activity.")
    arguments: dict[str, JsonValue] = Field(description="Arguments, already validated by the tool's model.")
    call_id: str = Field(description="The caller's id for this call.")
    policy: ActivityPolicy = Field(description="Timeouts and retries of the tool's activity.")
    requester: str | None = Field(default=None, description="Who asked, as the team verified it.")


@workflow.defn(name=TOOL_WORKFLOW_NAME, sandboxed=False)
class ToolWorkflow:
    """Runs a tool's activity and returns its result, or fails with the tool's own message as
    ``ToolFailed`` (the tool's own answer) or ``ToolUnavailable`` (it kept failing): see ``shared.contract``."""

    @workflow.run
    async def run(self, request: ToolRunRequest) -> ExecuteToolOutput:
        try:
            # A tool that heartbeats needs a regular activity, which another worker can take over; any
            # other runs as a local activity, with no round trip through the server.
            result = await request.policy.execute_activity(
                request.tool,
                request.arguments,
                local=request.policy.heartbeat_timeout is None,
                requester=request.requester,
            )
        except ActivityError as error:
            # Failing the workflow (not the task) ends the Nexus operation with the tool's message.
            cause = root_cause(error)
            own_failure = isinstance(cause, ApplicationError) and cause.type == TOOL_ERROR
            raise ApplicationError(
                f"Tool {request.tool!r} failed: {failure_message(error)}",
                type=TOOL_FAILED if own_failure else TOOL_UNAVAILABLE,
                non_retryable=True,
            ) from None
        return ExecuteToolOutput(tool=request.tool, call_id=request.call_id, result=result)
