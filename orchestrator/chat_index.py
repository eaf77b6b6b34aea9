"""Chats at a glance, read from Temporal's visibility and the chat itself: which chats there are (by the
custom search attributes the workflow keeps, ``search_attributes``) and one chat's transcript."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from orchestrator.models import Transcript
from orchestrator.search_attributes import (
    ACTIVE,
    CHAT_MODEL,
    CHAT_STATUS,
    CHAT_TOOLS,
    CHAT_USER,
    ENDED,
    ChatStatus,
)
from orchestrator.workflow import AGENT_WORKFLOW, AgentWorkflow

QUERY_TIMEOUT_SECONDS = 5.0
"""How long ``show`` waits for a running chat's worker to answer the ``transcript`` query."""


class ChatNotFound(LookupError):
    """No chat has the id; the message says how to find one."""


class TranscriptUnavailable(RuntimeError):
    """The chat exists but its transcript cannot be read now; the message says why and what to do."""


@dataclass(frozen=True)
class ChatRow:
    """One chat as the listing shows it."""

    workflow_id: str
    user: str
    status: str
    started: datetime
    tools: tuple[str, ...]
    model: str


def listing_query(user: str | None = None, status: ChatStatus | None = None) -> str:
    """The visibility query for chats, newest first, of ``user`` and in ``status`` (each when given). A
    continued chat is listed once, by its latest run; a chat closed in any way counts as ended."""
    clauses = [f"WorkflowType = '{AGENT_WORKFLOW}'", "ExecutionStatus != 'ContinuedAsNew'"]
    if user is not None:
        clauses.append(f"{CHAT_USER.name} = {_quoted(user)}")
    if status == ENDED:
        clauses.append("ExecutionStatus != 'Running'")
    elif status is not None:
        clauses += [f"{CHAT_STATUS.name} = '{status}'", "ExecutionStatus = 'Running'"]
    return " AND ".join(clauses)


def _quoted(value: str) -> str:
    if "'" in value or '"' in value or "\\" in value:
        raise ValueError(f"A user name with quotes or backslashes cannot be searched for: {value!r}.")
    return f"'{value}'"


def row_of(execution: WorkflowExecution) -> ChatRow:
    attributes = execution.typed_search_attributes
    return ChatRow(
        workflow_id=execution.id,
        user=attributes.get(CHAT_USER) or "?",
        status=status_of(execution.status, attributes.get(CHAT_STATUS)),
        started=execution.start_time,
        tools=tuple(attributes.get(CHAT_TOOLS) or ()),
        model=attributes.get(CHAT_MODEL) or "-",
    )


def status_of(execution: WorkflowExecutionStatus | None, kept: str | None) -> str:
    """The chat's status: what it says while it runs; once closed, ``ended``, or how else it closed."""
    if execution == WorkflowExecutionStatus.RUNNING:
        return kept or ACTIVE
    if execution in (WorkflowExecutionStatus.COMPLETED, None):
        return ENDED
    return execution.name.lower()  # failed, terminated, timed_out, canceled


async def list_chats(
    client: Client, user: str | None = None, status: ChatStatus | None = None, limit: int = 20
) -> list[ChatRow]:
    """The latest ``limit`` chats matching ``user`` and ``status``, newest first."""
    query = listing_query(user, status)
    return [row_of(execution) async for execution in client.list_workflows(query, limit=limit)]


async def chat_transcript(client: Client, workflow_id: str) -> tuple[ChatRow, Transcript]:
    """The chat's row and transcript: asked of a running chat, its result once it ended. ``ChatNotFound``,
    ``TranscriptUnavailable``."""
    handle = client.get_workflow_handle_for(AgentWorkflow.run, workflow_id)
    try:
        description = await handle.describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise ChatNotFound(
                f"No chat {workflow_id!r} in namespace {client.namespace}; "
                "`python -m orchestrator.chats list` shows the recent ones."
            ) from None
        raise
    if description.workflow_type != AGENT_WORKFLOW:
        raise ChatNotFound(f"{workflow_id!r} is a {description.workflow_type}, not a chat.")
    row = row_of(description)
    if description.status == WorkflowExecutionStatus.RUNNING:
        try:
            async with asyncio.timeout(QUERY_TIMEOUT_SECONDS):
                return row, await handle.query(AgentWorkflow.transcript)
        except TimeoutError:
            raise TranscriptUnavailable(
                f"No orchestrator worker answered for chat {workflow_id} within {QUERY_TIMEOUT_SECONDS:g} s: "
                "start one (`python -m orchestrator.worker`) to read a running chat."
            ) from None
    if description.status == WorkflowExecutionStatus.COMPLETED:
        return row, await handle.result()
    raise TranscriptUnavailable(
        f"Chat {workflow_id} {row.status} without a transcript; `temporal workflow show -w {workflow_id}` "
        "shows its history."
    )
