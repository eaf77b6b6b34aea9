"""Turns declared tools into Temporal activities, one per tool, named after the tool.

A tool's own failure (a ``ToolError``, or arguments its model refuses) is an answer, not a bug: it is logged
as one line (tool, call, message) and raised as a benign ``ApplicationError``, which the SDK logs at DEBUG
only, so a worker's log shows a traceback for bugs alone. A result too large to keep is cut here, with a note
(``shared.payload_limits``), so no tool can fail its call by the size of its answer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from shared.contract import TOOL_ERROR
from shared.heartbeat import heartbeating
from shared.kit.context import serving
from shared.kit.errors import ToolError
from shared.kit.tool import Tool
from shared.kit.tool_workflow import TOOL_WORKFLOW_NAME
from shared.log import activity_context, get_logger
from shared.payload_limits import cut_result

log = get_logger(__name__)


def tool_activity(tool: Tool[Any, Any]) -> Callable[..., Awaitable[dict[str, Any]]]:
    """The activity that runs ``tool``: validates its arguments, heartbeats while it runs if the tool has a
    heartbeat timeout, tells ``current_call()`` who asked (its second input, when the caller knows), and
    turns a ``ToolError`` into a non-retryable failure carrying the tool's message."""
    heartbeat_timeout = tool.policy.heartbeat_timeout

    @activity.defn(name=tool.name)
    async def run_tool(arguments: dict[str, Any], requester: str | None = None) -> dict[str, Any]:
        serving(requester)
        with activity_context(tool=tool.name, **_which_call()):
            return await _run(arguments)

    async def _run(arguments: dict[str, Any]) -> dict[str, Any]:
        try:
            parsed = tool.arguments.model_validate(arguments)
        except ValidationError as error:
            raise tool_failure(tool.name, str(error)) from None
        work = tool.invoke(parsed)
        try:
            if heartbeat_timeout is None:
                result = await work
            else:
                result = await heartbeating(work, heartbeat_timeout.total_seconds() / 3)
        except ToolError as error:
            raise tool_failure(tool.name, str(error)) from None
        # Cut here, before it is returned: a result too large for a payload would fail the call.
        return cut_result(result.model_dump(mode="json"))

    return run_tool


def tool_failure(tool: str, message: str) -> ApplicationError:
    """Log a tool's own failure in one line and return the error to raise: ``ToolError`` type, never
    retried, benign (the SDK then logs it at DEBUG, without the traceback at WARNING it gives a bug)."""
    log.info("tool failed", tool=tool, error=message)  # the call's ids are bound (activity_context)
    return ApplicationError(
        message, type=TOOL_ERROR, non_retryable=True, category=ApplicationErrorCategory.BENIGN
    )


def _which_call() -> dict[str, str]:
    """The call being run: its caller's call id when the tool workflow runs it (its id ends with it: see
    ``shared.kit.handler.tool_workflow_id``), else the workflow and activity ids (an orchestrator's local
    tool)."""
    info = activity.info()
    workflow_id = info.workflow_id or ""
    if info.workflow_type == TOOL_WORKFLOW_NAME and f"-{info.activity_type}-" in workflow_id:
        return {"call_id": workflow_id.split(f"-{info.activity_type}-", 1)[1]}
    return {"workflow_id": workflow_id, "activity_id": info.activity_id}
