"""The LLM call, as an activity: one ``litellm.acompletion`` with native tool calling, to the model of the
worker's list (``AGENT_MODEL``, then ``AGENT_FALLBACK_MODELS``) that the request chooses.

litellm and the OpenAI client it uses are told not to retry (``num_retries=0``, ``max_retries=0``): Temporal
owns every retry, so each attempt shows in the workflow's history. Errors that no retry can fix
(authentication, bad request, content policy...) are raised as non-retryable ``LlmRequestRejected``; a rate
limit, when a fallback model follows, as non-retryable ``LlmRateLimited`` (the workflow then asks that one).
An answer too large to keep is cut here, with a note, before it is returned (``shared.payload_limits``).
"""

from __future__ import annotations

import time
from typing import Any

import litellm
from temporalio import activity
from temporalio.exceptions import ApplicationError

from orchestrator.llm.model_metrics import record_model_call
from orchestrator.llm.names import CALL_LLM, LLM_MODELS, LLM_RATE_LIMITED, LLM_REJECTED
from orchestrator.llm.offline_model import preload_litellm, register_offline_model
from orchestrator.llm.tracing import model_call_span, record_response
from orchestrator.models import LlmRequest, LlmResponse, ModelToolCall
from orchestrator.settings import OrchestratorSettings
from shared.heartbeat import heartbeating
from shared.log import activity_context
from shared.payload_limits import MAX_KEPT_BYTES, cut_text

HEARTBEAT_EVERY_SECONDS = 0.5
MAX_ERROR_CHARS = 300

NOT_RETRYABLE: tuple[type[Exception], ...] = (
    litellm.AuthenticationError,
    litellm.PermissionDeniedError,
    litellm.NotFoundError,
    litellm.BadRequestError,  # includes context window and content policy errors
    litellm.UnprocessableEntityError,
)


class LlmActivities:
    """The LLM activity, bound to the worker's settings."""

    def __init__(self, settings: OrchestratorSettings) -> None:
        self._settings = settings
        litellm.suppress_debug_info = True  # no "Give Feedback" banners in worker logs
        preload_litellm()
        if settings.is_offline:
            register_offline_model()

    @activity.defn(name=CALL_LLM)
    async def call_llm(self, request: LlmRequest) -> LlmResponse:
        model = self._model(request.model_choice)
        with activity_context(model=model):  # the chat's id is the workflow id
            return await self._call(request, model)

    @activity.defn(name=LLM_MODELS)
    async def llm_models(self) -> list[str]:
        """The models a call may ask, in order: the workflow's ``model_choice`` is a position in it."""
        return list(self._settings.models)

    def _model(self, choice: int) -> str:
        models = self._settings.models
        if choice >= len(models):  # a worker with a shorter list than the one that named the choice
            raise ApplicationError(
                f"This worker has no model number {choice + 1}: it knows {', '.join(models)}.",
                type=LLM_REJECTED,
                non_retryable=True,
            )
        return models[choice]

    async def _call(self, request: LlmRequest, model: str) -> LlmResponse:
        started = time.monotonic()
        with model_call_span(model) as span:
            try:
                response = await heartbeating(
                    litellm.acompletion(**self._arguments(request)), HEARTBEAT_EVERY_SECONDS
                )
            except Exception as error:
                record_model_call(model, time.monotonic() - started, None)
                if (failure := self._failure(error, model, request.model_choice)) is None:
                    raise  # for Temporal to retry
                raise failure from None
            record_response(span, response)
        record_model_call(model, time.monotonic() - started, response)
        return answer(response.choices[0].message, model)

    def _failure(self, error: Exception, model: str, choice: int) -> ApplicationError | None:
        """The non-retryable failure to raise for ``error``, a request no retry can fix or a rate limit a
        fallback model can take over; None for an error a retry may fix."""
        # The provider's text goes into history and the reply: keep it short.
        detail = f"{type(error).__name__}: {str(getattr(error, 'message', error))[:MAX_ERROR_CHARS]}"
        if isinstance(error, NOT_RETRYABLE):
            return ApplicationError(detail, type=LLM_REJECTED, non_retryable=True)
        if isinstance(error, litellm.RateLimitError) and choice + 1 < len(self._settings.models):
            return ApplicationError(f"{model}: {detail}", type=LLM_RATE_LIMITED, non_retryable=True)
        return None

    def _arguments(self, request: LlmRequest) -> dict[str, Any]:
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
        if settings.api_base:
            arguments["api_base"] = settings.api_base
        if settings.api_key is not None:
            arguments["api_key"] = settings.api_key.get_secret_value()
        return arguments


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
