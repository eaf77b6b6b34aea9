"""How a reply is shown to a person: the answer, then the tools used and whether each worked."""

from __future__ import annotations

import json

from orchestrator.models import AgentReply, ToolCallRecord


def describe_call(call: ToolCallRecord) -> str:
    arguments = ", ".join(f"{key}={json.dumps(value)}" for key, value in call.arguments.items())
    outcome = "ok" if call.ok else f"failed: {call.error}"
    return f"{call.service}/{call.tool}({arguments}) -> {outcome}"


def format_reply(reply: AgentReply) -> str:
    lines = [reply.text]
    if reply.tool_calls:
        lines.append("  tools used:")
        lines.extend(f"    - {describe_call(call)}" for call in reply.tool_calls)
    return "\n".join(lines)
