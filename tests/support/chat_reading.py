"""Chats as tests hold them, and what a test reads back: why a message was refused, what the model was sent."""

from __future__ import annotations

import json
from typing import Any

from temporalio.client import WorkflowUpdateFailedError

from harness.suite import Suite
from orchestrator.conversation import Conversation


async def new_chat(stack: Suite, task_queue: str | None = None) -> Conversation:
    """A new chat with the orchestrator worker on ``task_queue`` (the topology's, with the offline model,
    unless told otherwise)."""
    return await Conversation.start(stack.client, task_queue=task_queue)


def rejection(error: WorkflowUpdateFailedError) -> str:
    """Every message of the failure chain, as the CLI shows them."""
    messages = []
    cause: BaseException | None = error.cause
    while cause is not None:
        messages.append(str(getattr(cause, "message", cause)))
        cause = cause.__cause__
    return " <- ".join(messages)


def tool_results(request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The tool results one model request carried, by tool call id, decoded."""
    return {
        message["tool_call_id"]: json.loads(message["content"])
        for message in request["messages"]
        if message["role"] == "tool"
    }
