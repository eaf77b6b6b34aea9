"""structlog, set up once per process, with secrets redacted from every line (``shared.redaction``).
Workflows use ``workflow.logger`` instead.

Tracebacks are for bugs: the SDK's line for a failed Nexus start is dropped when the kit has logged the
refusal itself (``logged``), reduced to one line for any other refusal, and given its traceback otherwise.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import structlog
from nexusrpc import HandlerError

from shared.redaction import RedactingFilter, redact_event

_configured = False


def configure_logging(level: str | None = None) -> None:
    """Log key-value lines to stderr at ``LOG_LEVEL`` (default INFO). Safe to call more than once."""
    global _configured
    if _configured:
        return
    level_name = (level or os.environ.get("LOG_LEVEL", "INFO")).upper()
    logging.basicConfig(stream=sys.stderr, level=level_name, format="%(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            redact_event,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.dev.ConsoleRenderer(colors=False),
        ],
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


def get_logger(name: str) -> Any:
    """A structlog logger bound to the module name."""
    return structlog.get_logger(name)
