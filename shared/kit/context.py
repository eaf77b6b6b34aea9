"""What a tool may know about the call it is serving, read inside its activity.

``idempotency_key`` is the same for every attempt of one call (a retry after a crash, a redelivered Nexus
start) and different for every other call, so a tool with a real effect can make it exactly once::

    key = current_call().idempotency_key
    ledger.insert_once(key, ...)
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import activity


@dataclass(frozen=True)
class ToolCall:
    """The call being served."""

    tool: str
    idempotency_key: str
    attempt: int


def current_call() -> ToolCall:
    """The call of the running tool activity (only valid inside one)."""
    info = activity.info()
    # The workflow id (for a remote tool, derived from the Nexus request id) and the activity id within it
    # are fixed when the call is scheduled and recorded in history: retries and replays keep them.
    return ToolCall(
        tool=info.activity_type,
        idempotency_key=f"{info.workflow_id}/{info.activity_id}",
        attempt=info.attempt,
    )
