"""What a tool may know about the call it is serving, read inside its activity.

``idempotency_key`` is the same for every attempt of one call (a retry after a crash, a redelivered Nexus
start) and different for every other call, so a tool with a real effect can make it exactly once::

    key = current_call().idempotency_key
    ledger.insert_once(key, ...)
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from temporalio import activity

_requester: ContextVar[str | None] = ContextVar("requester", default=None)


@dataclass(frozen=True)
class ToolCall:
    """The call being served."""

    tool: str
    idempotency_key: str
    attempt: int
    requester: str | None = None
    """Who asked, as the team verified it (the local developer when identity is off); None if not told."""


def serving(requester: str | None) -> None:
    """Note who asked for the call this activity serves (the tool activity does, before the tool runs)."""
    _requester.set(requester)


def current_call() -> ToolCall:
    """The call of the running tool activity (only valid inside one)."""
    info = activity.info()
    # The workflow id (for a remote tool, derived from the Nexus request id) and the activity id within it
    # are fixed when the call is scheduled and recorded in history: retries and replays keep them.
    return ToolCall(
        tool=info.activity_type,
        idempotency_key=f"{info.workflow_id}/{info.activity_id}",
        attempt=info.attempt,
        requester=_requester.get(),
    )
