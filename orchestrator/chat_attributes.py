"""The workflow's side of the chat's search attributes: it upserts only what changed, and only in runs
past the ``search-attributes`` patch, so histories recorded before it replay unchanged.

Deterministic workflow code: every value comes from the workflow's own state or its start event.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

from orchestrator import patches
from orchestrator.search_attributes import (
    CHAT_MODEL,
    CHAT_STATUS,
    CHAT_TOOLS,
    CHAT_USER,
    SEARCH_ATTRIBUTES_PATCH,
    ChatStatus,
)


class ChatAttributes:
    """The attributes as last upserted; ``set`` upserts those that differ, in one command."""

    def __init__(self) -> None:
        # A continued run starts with its predecessor's attributes: the tools used so far are kept.
        carried = workflow.info().typed_search_attributes
        self._tools: set[str] = set(carried.get(CHAT_TOOLS) or [])
        self._sent: dict[str, Any] = {}
        self.enabled = False
        """Set by ``start``: whether this run is past the patch (histories from before it upsert nothing)."""

    def start(self) -> None:
        """Decide once, as the run's first step, whether this run upserts: the patch marker then sits at
        the same place in every history, before any activity, however the run later goes."""
        self.enabled = patches.patched(SEARCH_ATTRIBUTES_PATCH)

    def set(
        self,
        *,
        user: str | None = None,
        status: ChatStatus | None = None,
        model: str | None = None,
        tools: Iterable[str] = (),
    ) -> None:
        """Upsert what changed of ``user``, ``status``, ``model`` and the tools used (``tools`` adds to them)."""
        if not self.enabled:
            return
        self._tools.update(tools)
        wanted: dict[str, Any] = {CHAT_USER.name: user, CHAT_STATUS.name: status, CHAT_MODEL.name: model}
        if self._tools:
            wanted[CHAT_TOOLS.name] = sorted(self._tools)
        updates: list[SearchAttributeUpdate[Any]] = []
        for key in (CHAT_USER, CHAT_STATUS, CHAT_MODEL, CHAT_TOOLS):
            value = wanted.get(key.name)
            if value is not None and self._sent.get(key.name) != value:
                self._sent[key.name] = value
                updates.append(key.value_set(value))
        if updates:
            workflow.upsert_search_attributes(updates)
