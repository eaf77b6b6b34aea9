"""How much of a model's answer or a tool's result is kept, and how what is over that is cut, with a note.

Temporal refuses a payload over 2 MB (the server's blob size limit): an activity whose result is larger has
its completion rejected, is retried for nothing and fails. So what enters a workflow's history from outside
(the model's answer, a tool's result) is cut in the activity that produced it, well below that limit,
and the cut says so. The orchestrator and the tool teams (through the kit) share this one limit.
"""

from __future__ import annotations

import json
from typing import Any

PAYLOAD_LIMIT_BYTES = 2 * 1024 * 1024
"""Temporal's limit on one payload (the server's default ``limit.blobSize.error``)."""

MAX_KEPT_BYTES = 256 * 1024
"""The most one model answer or one tool result keeps (UTF-8 bytes of its text, or of its JSON): an eighth
of a payload, so a reply or a model request holding several of them still fits."""

CUT = "cut"
"""Key of a cut tool result's note: ``{"cut": "[cut: the result was N bytes; ...]", "preview": "..."}``."""
PREVIEW = "preview"
"""Key of a cut tool result's start: the first bytes of the result's JSON text."""


def byte_size(text: str) -> int:
    return len(text.encode())


def cut_text(text: str, what: str, limit: int = MAX_KEPT_BYTES) -> str:
    """``text`` if it has at most ``limit`` UTF-8 bytes, else its start followed by a note naming ``what``
    was cut and its size (``[cut: the model's answer was 2097152 bytes]``), within ``limit`` in all."""
    size = byte_size(text)
    if size <= limit:
        return text
    note = f"\n[cut: {what} was {size} bytes]"
    kept = text.encode()[: max(0, limit - byte_size(note))]
    return kept.decode(errors="ignore") + note  # a character split by the cut is dropped


def cut_result(result: dict[str, Any], limit: int = MAX_KEPT_BYTES) -> dict[str, Any]:
    """``result`` if its JSON has at most ``limit`` bytes, else ``{CUT: note, PREVIEW: its JSON's start}``
    within ``limit`` (the note first: a reader that looks at the start sees it)."""
    text = json.dumps(result)  # ASCII: non-ASCII characters are escaped
    size = len(text)
    if size <= limit:
        return result
    note = f"[cut: the result was {size} bytes; {PREVIEW} holds the start of its JSON]"
    # Written into a JSON string the preview grows by its escapes (a quote or backslash takes two bytes),
    # so half the limit always fits.
    return {CUT: note, PREVIEW: text[: limit // 2 - len(note)]}
