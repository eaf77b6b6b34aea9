"""The workflow's side of a model call: what the model is sent (the instructions, the latest messages, the
tools), how the ``call_llm`` activity is run (timeouts, retries), and which model answers when one fails.
Free of litellm: the workflow imports it. The model calls run on the chats' own task queue: a worker of role
``all`` that schedules one starts it at once itself (the server hands it back with the workflow task's
completion: no trip through matching), and a deployment by role runs every activity, these among them, in
processes of their own (``ORCHESTRATOR_WORKER_ROLE``). The version before scheduled them on a queue of their
own (``llm_task_queue``), which the workers that make model calls still serve; the queue is not part of what
a replay compares, so histories of either version replay unchanged.

A model whose retries ran out, or that is rate-limited, hands the call to the next model of the worker's list
(``AGENT_FALLBACK_MODELS``): another ``call_llm`` activity naming it by its position (``model_choice``), so
every attempt of every model is in the history. The workflow reads no settings: once a model has failed, the
worker step ``llm_models`` tells it the list. Runs recorded before this behaviour existed replay as they ran:
the run decides the ``model-fallback`` patch at its first step (``decide_fallback``).

What the model sees is counted in tokens (``llm.context_window``): before a call whose request would pass a
share of the model's window, the ``summarize_history`` activity replaces the older messages with a summary.
Runs recorded before that replay with the latest ``MODEL_WINDOW`` messages instead (patch ``context-by-tokens``,
decided at the run's first step by ``decide_context``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

from orchestrator import patches
from orchestrator.llm.names import (
    CALL_LLM,
    LLM_MODELS,
    LLM_REJECTED,
    NOT_PERMITTED_ADVICE,
    NOT_PERMITTED_NOTE,
    SUMMARIZE_HISTORY,
)
from orchestrator.models import ChatMessage, FunctionTool, HistorySummary, LlmRequest, LlmResponse
from orchestrator.worker_steps import run_step
from shared.failures import failure_message, root_cause

T = TypeVar("T")

LLM_TIMEOUT = timedelta(seconds=120)
LLM_HEARTBEAT_TIMEOUT = timedelta(seconds=1.5)
"""The LLM activity heartbeats twice a second (the SDK sends one to the server at most every 1.2 s): the server
notices a call lost with its worker within 1.5 s of its last heartbeat."""
LLM_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    backoff_coefficient=2.5,
    maximum_interval=timedelta(seconds=20),
    maximum_attempts=6,
    non_retryable_error_types=[LLM_REJECTED],
)
"""A call lost with its worker is tried again 0.2 s after the server notices (every 0.1 s counts in a
recovery: 0.5 s made one of two model-call workers' SIGKILL cost 2.7-3.5 s); a provider that keeps failing
is given 0.2 + 0.5 + 1.25 + 3.1 + 7.8 s, about 13 s, before the turn says so (or a fallback model answers)."""

MODEL_FALLBACK_PATCH = "model-fallback"
"""Runs past it hand a failing model's call to the next model; runs recorded before it fail the call."""
LLM_MODELS_TIMEOUT = timedelta(seconds=10)
"""How long the ``llm_models`` worker step may take."""

CONTEXT_PATCH = "context-by-tokens"
"""Runs past it count the model's context in tokens and summarise older turns; runs recorded before it send
the latest ``MODEL_WINDOW`` messages."""
SUMMARY_RETRY_POLICY = RetryPolicy(
    initial_interval=timedelta(milliseconds=500),
    backoff_coefficient=2.0,
    maximum_attempts=3,
    non_retryable_error_types=[LLM_REJECTED],
)
"""A summary that keeps failing is given up quickly: the turn goes on with the history as it is."""

MODEL_WINDOW = 40
"""Messages the model sees at most in runs from before ``CONTEXT_PATCH``: the latest ones, starting at a user
message (older ones stay in the transcript)."""

DEFAULT_SYSTEM_PROMPT = (
    "You are a company assistant. Answer with the tools you are given: prefer calling a tool to guessing, "
    "call several tools at once when the question asks several things, and use the calculator for "
    "arithmetic. When a tool fails, say so plainly and give its reason. Be concise."
)


def model_request(
    system_prompt: str | None,
    history: list[ChatMessage],
    tools: list[FunctionTool],
    unavailable: Collection[str],
    not_permitted: Collection[str] = (),
) -> LlmRequest:
    """The request of the instructions (``system_prompt``, else the default) with notes naming the
    ``unavailable`` services and the tools the user is ``not_permitted`` to use, then ``history``, with
    ``tools`` to choose from."""
    prompt = system_prompt or DEFAULT_SYSTEM_PROMPT
    if unavailable:
        prompt += " These services are unavailable right now, so their tools are missing: "
        prompt += ", ".join(unavailable) + "."
    if not_permitted:
        prompt += f" {NOT_PERMITTED_NOTE}: {'; '.join(not_permitted)}. {NOT_PERMITTED_ADVICE}"
    return LlmRequest(messages=[ChatMessage(role="system", content=prompt), *history], tools=tools)


async def ask_model(request: LlmRequest) -> LlmResponse:
    """The model's answer to ``request`` (``model_request``): one ``call_llm`` activity, and one more for
    each fallback model asked."""
    while True:
        try:
            return await _model_call(CALL_LLM, request, LLM_RETRY_POLICY, LlmResponse)
        except ActivityError as error:
            if not await _next_model_exists(request.model_choice, error):
                raise
            workflow.logger.warning(
                "Model %d failed, asking the next: %s", request.model_choice, failure_message(error)
            )
            request = request.model_copy(update={"model_choice": request.model_choice + 1})


async def summarize_history(request: LlmRequest) -> HistorySummary | None:
    """The summary of ``request``'s older messages, when it passes its share of the model's window (the
    ``summarize_history`` activity decides, counting its tokens); None when it failed: the turn goes on."""
    try:
        return await _model_call(SUMMARIZE_HISTORY, request, SUMMARY_RETRY_POLICY, HistorySummary)
    except ActivityError as error:
        workflow.logger.warning("The older messages were not summarised: %s", failure_message(error))
        return None


async def _model_call(name: str, request: LlmRequest, retry_policy: RetryPolicy, result_type: type[T]) -> T:
    """The model-call activity ``name`` on ``request``: on the chats' task queue, heartbeating, with their
    timeout and ``retry_policy``."""
    return await workflow.execute_activity(
        name,
        request,
        start_to_close_timeout=LLM_TIMEOUT,
        heartbeat_timeout=LLM_HEARTBEAT_TIMEOUT,
        retry_policy=retry_policy,
        result_type=result_type,
    )


def decide_context() -> None:
    """As a step at the run's start: whether the model's context is counted in tokens and older turns are
    summarised (new runs), or the latest ``MODEL_WINDOW`` messages are sent (runs recorded before)."""
    patches.patched(CONTEXT_PATCH)


def by_tokens() -> bool:
    """The run's decision of ``decide_context``."""
    return patches.patched(CONTEXT_PATCH)


def decide_fallback() -> None:
    """As a step at the run's start: whether a failing model hands its calls to the next (new runs), or
    fails the call as it always did (runs recorded before fallback models existed)."""
    patches.patched(MODEL_FALLBACK_PATCH)


async def _next_model_exists(choice: int, error: ActivityError) -> bool:
    """Whether the model at ``choice`` failed in a way another model may not (its retries ran out, or it is
    rate-limited; not a request the provider refused for good) and the worker's list has a model after it."""
    if not patches.patched(MODEL_FALLBACK_PATCH):
        return False
    cause = root_cause(error)
    if isinstance(cause, ApplicationError) and cause.type == LLM_REJECTED:
        return False
    try:
        models = await run_step(
            LLM_MODELS,
            start_to_close=LLM_MODELS_TIMEOUT,
            retry_policy=RetryPolicy(maximum_attempts=3),
            result_type=list[str],
        )
    except ActivityError:
        return False  # the list unreadable: the call fails as it would without a fallback
    return choice + 1 < len(models)


def window(history: list[ChatMessage]) -> list[ChatMessage]:
    """In runs from before ``CONTEXT_PATCH``: the latest ``MODEL_WINDOW`` messages, starting at a user message so no tool result loses its call."""
    recent = history[-MODEL_WINDOW:]
    first_user = next(
        (index for index, message in enumerate(recent) if message.role == "user"), len(recent) - 1
    )
    return recent[first_user:]
