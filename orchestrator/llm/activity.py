"""The LLM call, as an activity: one ``litellm.acompletion`` with native tool calling, to the model of the
worker's list (``AGENT_MODEL``, then ``AGENT_FALLBACK_MODELS``) that the request chooses.

litellm is told not to retry (``num_retries=0``, and ``max_retries=0`` for the OpenAI SDK): Temporal owns
every retry, so each attempt shows in the workflow's history. One exception, litellm's own: its HTTP handler
(``AGENT_OPENAI_CLIENT=litellm``, the default for OpenAI-compatible models) sends a request once more, on a
new connection, when the first connection failed (refused, or closed before the answer came: a kept
connection the provider had dropped), within the same attempt. Errors that no retry can fix
(authentication, bad request, content policy...) are raised as non-retryable ``LlmRequestRejected``; a rate
limit, when a fallback model follows, as non-retryable ``LlmRateLimited`` (the workflow then asks that one).
An answer too large to keep is cut here, with a note, before it is returned (``shared.payload_limits``).

Each call counts its request with litellm's tokenizer, after cutting each tool result to its share of the
model's window, and returns the count, the window, the usage and the cost with the answer: the workflow
decides from them when to have older turns summarised (``summarize_history``, ``llm.context_window``) and
when a chat's budget is spent.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import litellm
from temporalio import activity
from temporalio.exceptions import ApplicationError

from orchestrator.llm.context_window import (
    cut_for_summary,
    kept_tokens,
    over_trigger,
    rendered,
    result_tokens,
    summarized,
    summary_tokens,
    to_summarise,
)
from orchestrator.llm.model_metrics import call_cost, record_model_call
from orchestrator.llm.names import (
    CALL_LLM,
    LLM_RATE_LIMITED,
    LLM_REJECTED,
    SUMMARIZE_HISTORY,
    SUMMARY_INSTRUCTION,
)
from orchestrator.llm.offline_model import preload_litellm, register_offline_model
from orchestrator.llm.token_counts import TokenCounter, load_tokenizers, model_window, usage_of
from orchestrator.llm.tracing import model_call_span, record_response
from orchestrator.models import (
    ChatMessage,
    HistorySummary,
    LlmRequest,
    LlmResponse,
    ModelToolCall,
    TokenUsage,
)
from orchestrator.settings import OrchestratorSettings
from shared.heartbeat import heartbeating
from shared.log import activity_context
from shared.payload_limits import MAX_KEPT_BYTES, cut_text

LITELLM_OWN_HTTP_VARIABLE = "EXPERIMENTAL_OPENAI_BASE_LLM_HTTP_HANDLER"
"""litellm's switch between its own HTTP handler and the OpenAI SDK for OpenAI-compatible models (the SDK
spends most of its CPU transforming the request's typed parameters: docs/benchmarks.md)."""
HEARTBEAT_EVERY_SECONDS = 0.5
MAX_ERROR_CHARS = 300
MAX_BODY_STARTS = 3
"""How many ``{`` of a failed call's text are tried as the start of the provider's JSON error body."""
SUMMARY_REQUEST_SLACK_TOKENS = 16
"""Room for the framing of a summarising call's messages beyond their texts."""

NOT_RETRYABLE: tuple[type[Exception], ...] = (
    litellm.AuthenticationError,
    litellm.PermissionDeniedError,
    litellm.NotFoundError,
    litellm.BadRequestError,  # includes context window and content policy errors
    litellm.UnprocessableEntityError,
)


def load_model_calls(settings: OrchestratorSettings) -> None:
    """Load what this process's model calls need before the first of them: what litellm's first call
    imports, the offline model (when it is the one), the models' tokenizers; and tell litellm what sends an
    OpenAI-compatible model's requests (``AGENT_OPENAI_CLIENT``). A supervisor loads it once for all its
    forks (``orchestrator.worker.preload_model_calls``); a second time costs nothing."""
    litellm.suppress_debug_info = True  # no "Give Feedback" banners in worker logs
    # litellm reads this variable at every call and has no other switch; the setting overrides a value the
    # operator gave the variable itself (README, Models).
    os.environ[LITELLM_OWN_HTTP_VARIABLE] = "true" if settings.openai_client == "litellm" else "false"
    preload_litellm()
    if settings.is_offline:
        register_offline_model()
    load_tokenizers(settings.models)


class LlmActivities:
    """The LLM activity, bound to the worker's settings."""

    def __init__(self, settings: OrchestratorSettings) -> None:
        self._settings = settings
        load_model_calls(settings)

    @activity.defn(name=CALL_LLM)
    async def call_llm(self, request: LlmRequest) -> LlmResponse:
        model = self._model(request.model_choice)
        with activity_context(model=model):  # the chat's id is the workflow id
            counter, window = TokenCounter(model), self._window(model)
            fixed = counter.fixed(request.messages[:1], request.tools)
            messages = counter.fitted(request.messages, window, fixed)
            tokens = counter.total(fixed, messages[1:])
            sent = request.model_copy(update={"messages": messages})
            response, cost = await self._complete(model, sent)
            prompt, completion = usage_of(response)
            return answer(response.choices[0].message, model).model_copy(
                update={
                    "request_tokens": tokens,
                    "context_window": window,
                    "usage": TokenUsage(prompt_tokens=prompt, completion_tokens=completion),
                    "cost_usd": cost,
                }
            )

    @activity.defn(name=SUMMARIZE_HISTORY)
    async def summarize_history(self, request: LlmRequest) -> HistorySummary:
        """The summary that replaces the older messages of ``request`` (its instructions, then the chat's
        history) when it passes the trigger share of the model's window; no summary when it does not, or
        when only the latest turn is left. The summary is a model call of its own, over those messages as
        text (``context_window.rendered``)."""
        model = self._model(request.model_choice)
        with activity_context(model=model):
            counter, window = TokenCounter(model), self._window(model)
            instructions = request.messages[:1]
            fixed = counter.fixed(instructions, request.tools)
            history = counter.fitted(request.messages, window, fixed)[1:]
            sizes = counter.messages(history)
            unchanged = HistorySummary(request_tokens=fixed + sum(sizes), context_window=window)
            if not over_trigger(unchanged.request_tokens, window):
                return unchanged
            cut = cut_for_summary(history, sizes, kept_tokens(window, fixed))
            if cut == 0:
                return unchanged
            limit = summary_tokens(window, fixed)
            older = counter.shortened(to_summarise(history, cut), result_tokens(window, fixed))
            instruction = ChatMessage(role="system", content=SUMMARY_INSTRUCTION)
            room_left = window - limit - counter.request([instruction]) - SUMMARY_REQUEST_SLACK_TOKENS
            asked = LlmRequest(
                messages=[
                    instruction,
                    ChatMessage(
                        role="user", content=counter.cut(rendered(older), max(0, room_left), note=True)
                    ),
                ],
                tools=[],
                model_choice=request.model_choice,
            )
            response, cost = await self._complete(model, asked, max_tokens=limit)
            summary = counter.cut((response.choices[0].message.content or "").strip(), limit)
            kept = summarized(history, cut, summary or "(nothing worth keeping)")
            prompt, completion = usage_of(response)
            return HistorySummary(
                summary=summary or "(nothing worth keeping)",
                replaced=cut,
                request_tokens=counter.total(fixed, kept),
                context_window=window,
                usage=TokenUsage(prompt_tokens=prompt, completion_tokens=completion),
                cost_usd=cost,
            )

    def _model(self, choice: int) -> str:
        models = self._settings.models
        if choice >= len(models):  # a worker with a shorter list than the one that named the choice
            raise ApplicationError(
                f"This worker has no model number {choice + 1}: it knows {', '.join(models)}.",
                type=LLM_REJECTED,
                non_retryable=True,
            )
        return models[choice]

    def _window(self, model: str) -> int:
        return model_window(model, self._settings.context_tokens)

    async def _complete(
        self, model: str, request: LlmRequest, max_tokens: int | None = None
    ) -> tuple[Any, float]:
        """litellm's response of ``model`` to ``request``, and its cost."""
        started = time.monotonic()
        with model_call_span(model) as span:
            try:
                response = await heartbeating(
                    litellm.acompletion(**self._arguments(request, max_tokens)),
                    HEARTBEAT_EVERY_SECONDS,
                )
            except Exception as error:
                record_model_call(model, time.monotonic() - started, None)
                if (failure := self._failure(error, model, request.model_choice)) is None:
                    raise  # for Temporal to retry
                raise failure from None
            record_response(span, response)
        cost = call_cost(response)
        record_model_call(model, time.monotonic() - started, response, cost)
        return response, cost

    def _failure(self, error: Exception, model: str, choice: int) -> ApplicationError | None:
        """The non-retryable failure to raise for ``error``, a request no retry can fix or a rate limit a
        fallback model can take over; None for an error a retry may fix."""
        if isinstance(error, NOT_RETRYABLE):
            return ApplicationError(_detail(error), type=LLM_REJECTED, non_retryable=True)
        if isinstance(error, litellm.RateLimitError) and choice + 1 < len(self._settings.models):
            return ApplicationError(f"{model}: {_detail(error)}", type=LLM_RATE_LIMITED, non_retryable=True)
        return None

    def _arguments(self, request: LlmRequest, max_tokens: int | None = None) -> dict[str, Any]:
        settings = self._settings
        arguments: dict[str, Any] = {
            "model": self._model(request.model_choice),
            "messages": [message.to_litellm() for message in request.messages],
            "num_retries": 0,
            "max_retries": 0,
            "timeout": settings.llm_timeout_seconds,
        }
        if request.tools:
            arguments["tools"] = [tool.to_litellm() for tool in request.tools]
        if max_tokens is not None:
            arguments["max_tokens"] = max_tokens
        if settings.api_base:
            arguments["api_base"] = settings.api_base
        if settings.api_key is not None:
            arguments["api_key"] = settings.api_key.get_secret_value()
        return arguments


def _detail(error: Exception) -> str:
    """A failed call as the history and the reply show it: its kind and the provider's reason, kept short."""
    return f"{type(error).__name__}: {provider_reason(error)[:MAX_ERROR_CHARS]}"


def provider_reason(error: Exception) -> str:
    """litellm's text for a failed call, with the provider's error body read for its message: litellm's own
    HTTP handler passes the body on as it came (``... - {"error": {"message": "Incorrect API key"}}``), the
    OpenAI SDK its message. A body in another shape, or text that is no JSON, is kept as it is."""
    text = str(getattr(error, "message", error))
    start = text.find("{")
    for _ in range(MAX_BODY_STARTS):
        if start < 0:
            break
        try:
            body, end = json.JSONDecoder().raw_decode(text, start)
        except (ValueError, RecursionError):  # not JSON from here, or nested past Python's limit
            start = text.find("{", start + 1)
            continue
        message = _message_of(body)
        return text[:start] + message + text[end:] if message else text
    return text


def _message_of(body: Any) -> str | None:
    """The message of a provider's error body: ``{"error": {"message": ...}}``, ``{"error": "..."}`` or
    ``{"message": ...}``; None when it has none (or an empty one)."""
    if not isinstance(body, dict):
        return None
    reported = body.get("error", body)
    if isinstance(reported, dict):
        reported = reported.get("message")
    return reported if isinstance(reported, str) and reported.strip() else None


def answer(message: Any, model: str) -> LlmResponse:
    """The model's ``message`` as the workflow keeps it: its text and tool calls, each cut to what a payload
    keeps (``MAX_KEPT_BYTES`` for the text, a share of it for each call's arguments), with a note."""
    calls = message.tool_calls or []
    share = MAX_KEPT_BYTES // max(1, len(calls))
    return LlmResponse(
        content=None if message.content is None else cut_text(message.content, "the model's answer"),
        tool_calls=[
            ModelToolCall(
                id=call.id,
                name=call.function.name or "",
                arguments=cut_text(call.function.arguments or "", "the arguments' JSON", share),
            )
            for call in calls
        ],
        model=model,
    )
