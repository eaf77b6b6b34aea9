"""The workflow's side of a model call: what the model is sent (the instructions, the latest messages, the
tools) and how the ``call_llm`` activity is run (timeouts, retries). Free of litellm: the workflow imports it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from orchestrator.llm.names import CALL_LLM, LLM_REJECTED, NOT_PERMITTED_ADVICE, NOT_PERMITTED_NOTE
from orchestrator.models import ChatMessage, FunctionTool, LlmRequest, LlmResponse

LLM_TIMEOUT = timedelta(seconds=120)
LLM_HEARTBEAT_TIMEOUT = timedelta(seconds=3)
"""The LLM activity heartbeats twice a second: a call lost with its worker is retried within seconds."""
LLM_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(milliseconds=500),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=20),
    maximum_attempts=6,
    non_retryable_error_types=[LLM_REJECTED],
)

MODEL_WINDOW = 40
"""Messages the model sees at most: the latest ones, starting at a user message (older ones stay in the
transcript). Without it every turn would resend the whole chat, and a long chat would outgrow any limit."""

DEFAULT_SYSTEM_PROMPT = (
    "You are a company assistant. Answer with the tools you are given: prefer calling a tool to guessing, "
    "call several tools at once when the question asks several things, and use the calculator for "
    "arithmetic. When a tool fails, say so plainly and give its reason. Be concise."
)


async def ask_model(
    system_prompt: str | None,
    history: list[ChatMessage],
    tools: list[FunctionTool],
    unavailable: Collection[str],
    not_permitted: Collection[str] = (),
) -> LlmResponse:
    """One ``call_llm`` activity: the instructions (``system_prompt``, else the default) with notes naming
    the ``unavailable`` services and the tools the user is ``not_permitted`` to use, then ``history``, with
    ``tools`` to choose from."""
    prompt = system_prompt or DEFAULT_SYSTEM_PROMPT
    if unavailable:
        prompt += " These services are unavailable right now, so their tools are missing: "
        prompt += ", ".join(unavailable) + "."
    if not_permitted:
        prompt += f" {NOT_PERMITTED_NOTE}: {'; '.join(not_permitted)}. {NOT_PERMITTED_ADVICE}"
    request = LlmRequest(messages=[ChatMessage(role="system", content=prompt), *history], tools=tools)
    return await workflow.execute_activity(
        CALL_LLM,
        request,
        start_to_close_timeout=LLM_TIMEOUT,
        heartbeat_timeout=LLM_HEARTBEAT_TIMEOUT,
        retry_policy=LLM_RETRY_POLICY,
        result_type=LlmResponse,
    )


def window(history: list[ChatMessage]) -> list[ChatMessage]:
    """The latest ``MODEL_WINDOW`` messages, starting at a user message so no tool result loses its call."""
    recent = history[-MODEL_WINDOW:]
    first_user = next(
        (index for index, message in enumerate(recent) if message.role == "user"), len(recent) - 1
    )
    return recent[first_user:]
