"""The offline model, registered inside litellm as the custom provider ``offline``: ``AGENT_MODEL=offline/planner``.

It goes through litellm's own ``acompletion`` like any provider, so the agent's code path is the same
offline and online; only the answer comes from ``planner.plan`` instead of a remote model.
"""

from __future__ import annotations

import json
from typing import Any

import litellm
from litellm import CustomLLM, ModelResponse

from orchestrator.llm.names import OFFLINE_MODEL, SUMMARY_INSTRUCTION
from orchestrator.llm.planner import Plan, plan
from orchestrator.llm.planning.summaries import summary

PROVIDER = OFFLINE_MODEL.split("/")[0]
CHARS_PER_TOKEN = 4


class OfflineModel(CustomLLM):
    """litellm custom provider that answers with the deterministic planner."""

    async def acompletion(self, *args: Any, **kwargs: Any) -> ModelResponse:
        messages: list[dict[str, Any]] = kwargs["messages"]
        options: dict[str, Any] = kwargs.get("optional_params") or {}
        tools: list[dict[str, Any]] = options.get("tools") or []
        if _is_summary_request(messages):
            limit = options.get("max_tokens") or 1_000
            step = Plan(text=summary(str(messages[-1].get("content") or ""), limit * CHARS_PER_TOKEN))
        else:
            step = plan(messages, tools)
        turn = sum(1 for message in messages if message["role"] == "user")
        message: dict[str, Any] = {"role": "assistant", "content": step.text}
        if step.calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{turn}_{index}",
                    "type": "function",
                    "function": {"name": call.tool, "arguments": json.dumps(call.arguments)},
                }
                for index, call in enumerate(step.calls, start=1)
            ]
        return ModelResponse(
            model=OFFLINE_MODEL,
            choices=[
                {"index": 0, "message": message, "finish_reason": "tool_calls" if step.calls else "stop"}
            ],
            usage=estimated_usage(messages, message),
        )


def _is_summary_request(messages: list[dict[str, Any]]) -> bool:
    """A ``summarize_history`` call: its instructions, then the conversation as text."""
    return (
        len(messages) == 2
        and messages[0].get("role") == "system"
        and str(messages[0].get("content") or "").startswith(SUMMARY_INSTRUCTION)
    )


def estimated_usage(messages: list[dict[str, Any]], answer: dict[str, Any]) -> dict[str, int]:
    """Token counts as a provider reports them, estimated (about four characters a token): the offline
    model's calls show in traces and metrics like a real model's."""
    prompt = max(1, len(json.dumps(messages)) // CHARS_PER_TOKEN)
    completion = max(1, len(json.dumps(answer)) // CHARS_PER_TOKEN)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def preload_litellm() -> None:
    """Import now, in the calling (main) thread, the modules litellm imports on its first completion in an
    executor thread: compiling them there while another thread compiles too can fail on CPython 3.11
    ("AST constructor recursion depth mismatch"), which a fresh checkout (no bytecode cache) hit. And the first
    model call of a worker is then as fast as the next (0.04 s, not 0.5 s): it may be the retry of a call whose
    worker died, on a second worker that has made none yet."""
    # Through the OpenAI SDK (AGENT_OPENAI_CLIENT=openai-sdk) the first request imports every one of its
    # resources: most of the 0.5 s. Through litellm's own HTTP handler, it loads the default encoding: 0.12 s.
    import litellm.litellm_core_utils.default_encoding
    import litellm.llms.litellm_proxy.chat.transformation
    import litellm.llms.openai.chat.gpt_audio_transformation
    import litellm.proxy._types
    import litellm.responses.mcp.chat_completions_handler  # noqa: F401
    import openai.resources  # noqa: F401


def register_offline_model() -> None:
    """Make ``offline/...`` models resolvable by litellm in this process (idempotent)."""
    preload_litellm()
    if not any(entry.get("provider") == PROVIDER for entry in litellm.custom_provider_map):
        litellm.custom_provider_map.append({"provider": PROVIDER, "custom_handler": OfflineModel()})
