"""structlog, set up once per process, with secrets redacted from every line (``shared.redaction``).
Workflows use ``workflow.logger`` instead."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import structlog

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
    # litellm logs every call at INFO, request details included: keep it to warnings.
    for noisy in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _configured = True


def get_logger(name: str) -> Any:
    """A structlog logger bound to the module name."""
    return structlog.get_logger(name)
