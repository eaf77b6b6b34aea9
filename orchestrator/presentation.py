"""How the agent's work is shown to a person in a terminal: a reply with the tools it used (how long each
took, who approved it), a call waiting for approval, and what the agent is doing right now."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from orchestrator.models import AgentReply, PendingApproval, Progress, ToolCallRecord


def _arguments(arguments: Mapping[str, object]) -> str:
    return ", ".join(f"{key}={json.dumps(value)}" for key, value in arguments.items())


def describe_call(call: ToolCallRecord) -> str:
    outcome = "ok" if call.ok else f"failed: {call.error}"
    took = f" [{call.duration_ms:.0f} ms]" if call.duration_ms is not None else ""
    line = f"{call.service}/{call.tool}({_arguments(call.arguments)}) -> {outcome}{took}"
    if (approval := call.approval) is not None and approval.approver is not None:
        because = f": {approval.reason}" if approval.reason else ""
        line += f" ({approval.outcome} by {approval.approver}{because})"
    elif approval is not None:
        line += f" ({approval.outcome}: {approval.reason or 'no decision in time'})"
    return line


def format_reply(reply: AgentReply) -> str:
    lines = [reply.text]
    if reply.tool_calls:
        lines.append("  tools used:")
        lines.extend(f"    - {describe_call(call)}" for call in reply.tool_calls)
    return "\n".join(lines)


def describe_pending(pending: PendingApproval) -> str:
    return (
        f"approval needed: {pending.service}/{pending.tool}({_arguments(pending.arguments)})\n"
        f"  asked by {pending.requested_by}; call {pending.call_id}; digest {pending.digest}\n"
        f"  no decision by {pending.expires_at.isoformat(timespec='seconds')} counts as denied"
    )


def describe_progress(progress: Progress, now: datetime) -> str:
    """One line: what the agent does and for how long (``now`` is the viewer's clock)."""
    if progress.pending_approvals:
        waiting = ", ".join(f"{item.service}/{item.tool}" for item in progress.pending_approvals)
        return f"waiting for approval of {waiting} (/approve or /deny <reason>)"
    if progress.running:
        return "running " + ", ".join(
            f"{tool.service}/{tool.tool} ({_seconds(now, tool.started_at)})" for tool in progress.running
        )
    if progress.state == "calling_model":
        since = f" ({_seconds(now, progress.since)})" if progress.since else ""
        return f"calling the model, step {progress.step}{since}"
    return "working"


def _seconds(now: datetime, since: datetime) -> str:
    return f"{max(0.0, (now - since).total_seconds()):.1f}s"
