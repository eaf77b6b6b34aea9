"""The LLM call, as an activity: one ``litellm.acompletion`` with native tool calling.

litellm and the OpenAI client it uses are told not to retry (``num_retries=0``, ``max_retries=0``): Temporal
owns every retry, so each attempt shows in the workflow's history. Errors that no retry can fix
(authentication, bad request, content policy...) are raised as non-retryable ``LlmRequestRejected``.
"""

from __future__ import annotations

import time
from typing import Any

import litellm
from temporalio import activity
from temporalio.exceptions import ApplicationError

from orchestrator.llm.model_metrics import record_model_call
from orchestrator.llm.names import CALL_LLM, LLM_REJECTED
from orchestrator.llm.offline_model import preload_litellm, register_offline_model
from orchestrator.llm.tracing import model_call_span, record_response
from orchestrator.models import LlmRequest, LlmResponse, ModelToolCall
from orchestrator.settings import OrchestratorSettings
from shared.heartbeat import heartbeating
from shared.log import activity_context

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
        with activity_context(model=self._settings.model):  # the chat's id is the workflow id
            return await self._call(request)

    async def _call(self, request: LlmRequest) -> LlmResponse:
        started = time.monotonic()
        with model_call_span(self._settings.model) as span:
            try:
                response = await heartbeating(
                    litellm.acompletion(**self._arguments(request)), HEARTBEAT_EVERY_SECONDS
                )
            except Exception as error:
                record_model_call(self._settings.model, time.monotonic() - started, None)
                if not isinstance(error, NOT_RETRYABLE):
                    raise
                # The provider's text goes into history and the reply: keep it short.
                detail = str(getattr(error, "message", error))[:MAX_ERROR_CHARS]
                raise ApplicationError(
                    f"{type(error).__name__}: {detail}", type=LLM_REJECTED, non_retryable=True
                ) from None
            record_response(span, response)
        record_model_call(self._settings.model, time.monotonic() - started, response)
        message = response.choices[0].message
        return LlmResponse(
            content=message.content,
            tool_calls=[
                ModelToolCall(
                    id=call.id, name=call.function.name or "", arguments=call.function.arguments or ""
                )
                for call in message.tool_calls or []
            ],
            model=response.model or self._settings.model,
        )

    def _arguments(self, request: LlmRequest) -> dict[str, Any]:
        settings = self._settings
        arguments: dict[str, Any] = {
            "model": settings.model,
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
