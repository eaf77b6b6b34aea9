"""Turns declared tools into Temporal activities, one per tool, named after the tool."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from shared.contract import TOOL_ERROR
from shared.heartbeat import heartbeating
from shared.kit.context import serving
from shared.kit.errors import ToolError
from shared.kit.tool import Tool


def tool_activity(tool: Tool[Any, Any]) -> Callable[..., Awaitable[dict[str, Any]]]:
    """The activity that runs ``tool``: validates its arguments, heartbeats while it runs if the tool has a
    heartbeat timeout, tells ``current_call()`` who asked (its second input, when the caller knows), and
    turns a ``ToolError`` into a non-retryable failure carrying the tool's message."""
    heartbeat_timeout = tool.policy.heartbeat_timeout

    @activity.defn(name=tool.name)
    async def run_tool(arguments: dict[str, Any], requester: str | None = None) -> dict[str, Any]:
        serving(requester)
        try:
            parsed = tool.arguments.model_validate(arguments)
        except ValidationError as error:
            raise ApplicationError(str(error), type=TOOL_ERROR, non_retryable=True) from None
        work = tool.invoke(parsed)
        try:
            if heartbeat_timeout is None:
                result = await work
            else:
                result = await heartbeating(work, heartbeat_timeout.total_seconds() / 3)
        except ToolError as error:
            raise ApplicationError(str(error), type=TOOL_ERROR, non_retryable=True) from None
        return result.model_dump(mode="json")

    return run_tool
