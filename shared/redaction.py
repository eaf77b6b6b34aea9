"""Secrets out of log lines: values under secret-sounding keys, and anything shaped like a signed token or
a bearer credential wherever it appears, are replaced before a line is written."""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

REDACTED = "[redacted]"
_SECRET_KEYS = re.compile(r"token|secret|password|passwd|api_?key|authorization|credential|private", re.I)
_SECRET_TEXT = re.compile(
    r"eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*"  # a JWT (header.claims.signature)
    r"|(?i:bearer)\s+[\w.~+/=-]{8,}"  # an Authorization value
    r"|sk-[\w-]{16,}"  # an API key in the usual provider form
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"
)


def redact(text: str) -> str:
    """``text`` with every token-, bearer-, key-shaped part replaced."""
    return _SECRET_TEXT.sub(REDACTED, text)


def redact_event(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: secret keys lose their values, other strings lose secret-shaped parts."""
    for key, value in event.items():
        if _SECRET_KEYS.search(key) and value is not None:
            event[key] = REDACTED
        elif isinstance(value, str):
            event[key] = redact(value)
    return event


class RedactingFilter(logging.Filter):
    """The same for the standard library's records (the SDK's, uvicorn's, litellm's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
