"""``python -m orchestrator.mcp approve <call id>`` and ``deny <call id> [--reason ...]``: a person decides a call
an MCP client made that waits for approval. The command finds the call among the gateway's pending approvals
and decides it for exactly the arguments they show (the digest goes with the decision)."""

from __future__ import annotations

from orchestrator.models import PendingApproval
from orchestrator.tool_gateway import ToolGateway


class NothingToDecide(LookupError):
    """No call with that id waits for approval on the gateway; the message lists the ones that do."""


async def decide_call(
    gateway: ToolGateway, call_id: str, *, approve: bool, approver: str, reason: str = ""
) -> PendingApproval:
    """Decide the waiting call ``call_id``; returns what was decided. ``NothingToDecide`` when it does not
    wait (any more); ``WorkflowUpdateFailedError`` when the gateway refuses the decision, saying why."""
    waiting = await gateway.pending_approvals()
    for pending in waiting:
        if pending.call_id == call_id:
            await gateway.decide(pending, approve=approve, approver=approver, reason=reason)
            return pending
    listed = ", ".join(pending.call_id for pending in waiting) or "none"
    raise NothingToDecide(
        f"No call {call_id} waits for approval on the gateway {gateway.handle.id} (decided already, expired, "
        f"or on another gateway: see --gateway-id). Waiting there: {listed}."
    )
