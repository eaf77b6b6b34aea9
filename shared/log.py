"""structlog, set up once per process, with secrets redacted from every line (``shared.redaction``).
Workflows use ``workflow.logger`` instead.

Tracebacks are for bugs: the SDK's line for a failed Nexus start is dropped when the kit has logged the
refusal itself (``logged``), reduced to one line for any other refusal, and given its traceback otherwise.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from nexusrpc import HandlerError
from opentelemetry import trace
from temporalio import activity

from shared.redaction import RedactingFilter, redact_event

_configured = False


LOG_FORMATS = ("console", "json")


def configure_logging(level: str | None = None, log_format: str | None = None) -> None:
    """Log to stderr at ``LOG_LEVEL`` (default INFO) as ``LOG_FORMAT`` says: ``console`` (key-value lines a
    person reads, the default) or ``json`` (one object per line, for a deployed worker's log pipeline). The
    standard library's records (the SDK's, uvicorn's) come out in the same form. Safe to call more than once."""
    global _configured
    if _configured:
        return
    level_name = (level or os.environ.get("LOG_LEVEL", "INFO")).upper()
    chosen = (log_format or os.environ.get("LOG_FORMAT", "") or "console").lower()
    if chosen not in LOG_FORMATS:
        chosen = "console"
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if chosen == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    common: list[Any] = [
        structlog.contextvars.merge_contextvars,
        redact_event,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso"),
    ]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *common],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level_name)
    structlog.configure(
        processors=[*common, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level_name)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.getLogger(NEXUS_WORKER_LOGGER).addFilter(NexusFailureLine())
    # litellm logs every call at INFO, request details included: keep it to warnings.
    for noisy in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _configured = True


NEXUS_WORKER_LOGGER = "temporalio.nexus"
"""The logger of the SDK's Nexus worker (a ``LoggerAdapter`` over it)."""
_NEXUS_FAILURES = frozenset(
    {"Failed to execute Nexus start operation method", "Failed to execute Nexus cancel operation method"}
)
_LOGGED = "_logged_by_us"


def logged(error: BaseException) -> BaseException:
    """Mark ``error`` as logged already (one line, with what it is about), so the SDK's line is dropped."""
    setattr(error, _LOGGED, True)
    return error


class NexusFailureLine(logging.Filter):
    """temporalio logs "Failed to execute Nexus start operation method" for every failed start, as a warning
    saying nothing of the error (it is called while the error is handled: ``sys.exc_info()`` has it). A
    refusal the kit logged is dropped; another ``HandlerError`` becomes one line with its type and message;
    anything else is a bug and gets its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg not in _NEXUS_FAILURES or record.exc_info:
            return True
        error = sys.exc_info()[1]
        if error is None:
            return True
        if getattr(error, _LOGGED, False):
            return False
        if isinstance(error, HandlerError):
            kind = getattr(error.type, "name", error.type)
            record.msg, record.args = "%s: refused (%s): %s", (record.msg, kind, error)
            return True
        record.exc_info = sys.exc_info()
        return True


@contextmanager
def activity_context(**more: str) -> Iterator[None]:
    """Bind every log line of the running activity to where it runs: namespace, workflow (the chat's id for
    the agent's activities) and run id, activity, the trace id when tracing is on, and ``more`` (tool, call
    id...)."""
    info = activity.info()
    fields = {
        "namespace": info.workflow_namespace,
        "workflow_id": info.workflow_id or "",
        "run_id": info.workflow_run_id or "",
        "activity": info.activity_type,
        **more,
    }
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        fields["trace_id"] = format(span.trace_id, "032x")
    with structlog.contextvars.bound_contextvars(**fields):
        yield


def get_logger(name: str) -> Any:
    """A structlog logger bound to the module name."""
    return structlog.get_logger(name)
