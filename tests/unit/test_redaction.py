"""Secrets never reach a log line: keys named like secrets, tokens and keys inside any text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from harness.local_issuer import LocalIssuer
from shared.redaction import REDACTED, RedactingFilter, redact, redact_event


@pytest.fixture
def token(tmp_path: Path) -> str:
    return LocalIssuer(tmp_path).mint("alice", ["finance:read"])


def test_a_token_inside_a_message_is_redacted(token: str) -> None:
    assert redact(f"refused {token} for alice") == f"refused {REDACTED} for alice"


def test_a_bearer_value_and_a_provider_key_are_redacted() -> None:
    text = "Authorization: Bearer abc.def-ghi_jkl and OPENAI key sk-proj-1234567890abcdefXYZ"
    assert redact(text) == f"Authorization: {REDACTED} and OPENAI key {REDACTED}"


def test_a_private_key_is_redacted(tmp_path: Path) -> None:
    issuer = LocalIssuer(tmp_path).ensure_keys()
    pem = issuer.user_key.read_text().strip()
    assert redact(f"loaded {pem} ok") == f"loaded {REDACTED} ok"


def test_values_under_secret_keys_are_redacted_and_others_kept(token: str) -> None:
    event = {"event": "chat started", "token": "anything", "api_key": "k", "user": "alice", "note": token}
    assert redact_event(None, "info", event) == {
        "event": "chat started",
        "token": REDACTED,
        "api_key": REDACTED,
        "user": "alice",
        "note": REDACTED,
    }


def test_standard_library_records_are_redacted(token: str) -> None:
    record = logging.LogRecord("sdk", logging.INFO, __file__, 1, "got %s", (token,), None)
    RedactingFilter().filter(record)
    assert record.getMessage() == f"got {REDACTED}"
