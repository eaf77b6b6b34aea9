"""The model call's span: one per ``call_llm`` attempt, a child of the activity's span, with what an on-call
engineer asks of a model call: which model, tokens in and out, how long, why it stopped.

Attributes follow OpenTelemetry's GenAI conventions (``gen_ai.*``) and OpenInference's (``llm.*``,
``openinference.span.kind``), which LLM trace viewers such as Arize Phoenix display. Neither messages nor
tool arguments go into a span. With tracing off the span is OpenTelemetry's no-op one.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace

SPAN_NAME = "llm call"
MODEL = "gen_ai.request.model"
RESPONSE_MODEL = "gen_ai.response.model"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
FINISH_REASONS = "gen_ai.response.finish_reasons"
LATENCY_MS = "llm.latency_ms"

_tracer = trace.get_tracer(__name__)


@contextmanager
def model_call_span(model: str) -> Iterator[trace.Span]:
    """A span around one model call to ``model``; give it the response with ``record_response``."""
    attributes = {
        MODEL: model,
        "gen_ai.operation.name": "chat",
        "openinference.span.kind": "LLM",
        "llm.model_name": model,
    }
    with _tracer.start_as_current_span(SPAN_NAME, kind=trace.SpanKind.CLIENT, attributes=attributes) as span:
        started = time.monotonic()
        try:
            yield span
        finally:
            span.set_attribute(LATENCY_MS, round((time.monotonic() - started) * 1000, 1))


def record_response(span: trace.Span, response: Any) -> None:
    """Put a litellm response's model, token counts and finish reason on ``span``."""
    if not span.is_recording():
        return
    usage = getattr(response, "usage", None)
    input_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
    output_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
    reasons = [str(choice.finish_reason) for choice in response.choices if choice.finish_reason]
    span.set_attributes(
        {
            RESPONSE_MODEL: str(response.model or ""),
            INPUT_TOKENS: input_tokens,
            OUTPUT_TOKENS: output_tokens,
            FINISH_REASONS: reasons,
            "llm.token_count.prompt": input_tokens,
            "llm.token_count.completion": output_tokens,
            "llm.token_count.total": input_tokens + output_tokens,
        }
    )
